package chartdata

import (
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/rates"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

// On the long series a chart's source line names the files its years
// come from: adoptions in 2024 come from the current release's ceased
// file, not from the 2010-2017 SFR files; adoptions in 2013 from the
// 2013 SFR tables.
func TestSourceNamesTheYearsFiles(t *testing.T) {
	calc, err := rates.Load(testfiles.LongSeriesDir(t))
	if err != nil {
		t.Fatal(err)
	}
	s := Source(calc, []string{"adoptions"}, []int{2024})
	if strings.Contains(s, "SFR") || !strings.Contains(s, "la_children_who_ceased_during_the_year") {
		t.Errorf("2024: %s", s)
	}
	s = Source(calc, []string{"adoptions"}, []int{2013})
	if !strings.Contains(s, "SFR36_") || strings.Contains(s, "la_children_who_ceased") || strings.Contains(s, "SFR50_") {
		t.Errorf("2013: %s", s)
	}
}
