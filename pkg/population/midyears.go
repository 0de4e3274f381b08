package population

import (
	"strings"

	"github.com/cscstats/cscstats/pkg/timeperiod"
)

// MidYearsText words the mid-years of estimates compactly, for notes on
// missing denominators: "mid-2009 to mid-2011, mid-2016".
func MidYearsText(mids []int) string {
	if len(mids) == 0 {
		return ""
	}
	parts := strings.Split(timeperiod.Span(mids), ", ")
	for i, p := range parts {
		parts[i] = "mid-" + strings.Replace(p, "-", " to mid-", 1)
	}
	return strings.Join(parts, ", ")
}
