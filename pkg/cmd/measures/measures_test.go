package measures

import (
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/iostreams"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

func TestMeasuresListsYearsFound(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	err := measuresRun(&Options{Factory: &cmdutil.Factory{IOStreams: ios, DataDir: testfiles.SharedEES(t), Format: "markdown"}})
	if err != nil {
		t.Fatal(err)
	}
	s := out.String()
	// Years are those of the files in ../shared/ees: CIN 2013-2025,
	// CLA rates 2021-2025, starters by age 2018-2022, ceased 2020-2024.
	for _, want := range []string{"| s47 | Section 47 enquiries | 2013-2025 |", "| under1_starts |", "| 2018-2022 |", "| adoptions | Adoptions from care | 2020-2024 |", "| cla_31march | Children looked after at 31 March | 2021-2025 |", "proxy for removals at birth", "ignored"} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q in:\n%s", want, s)
		}
	}
}

func TestMeasuresWithoutData(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	err := measuresRun(&Options{Factory: &cmdutil.Factory{IOStreams: ios, DataDir: t.TempDir(), Format: "table"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "none found") || !strings.Contains(out.String(), "cscstats fetch") {
		t.Errorf("without data: want the catalogue with 'none found' and advice, got:\n%s", out)
	}
}
