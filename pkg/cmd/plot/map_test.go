package plot

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/cmdutil"
	"github.com/cscstats/cscstats/pkg/iostreams"
	"github.com/cscstats/cscstats/pkg/testfiles"
)

func TestPlotMap(t *testing.T) {
	dir := testfiles.LinkedDataDir(t, "geo/Counties_and_Unitary_Authorities_December_2024_Boundaries_UK_BUC.geojson")
	out := t.TempDir()
	for _, c := range []struct {
		args []string
		file string
		say  string
	}{
		{[]string{"map", "--measure", "cla_31march", "--year", "2024", "--highlight", "Leeds"}, "map.png", "Boundaries: ONS Counties and Unitary Authorities"},
		{[]string{"map", "--measure", "s47", "--hex"}, "hex.svg", "Hex layout: Open Innovations"},
		{[]string{"map", "-m", "under1_starts", "-y", "2019"}, "old.pdf", "Not on the map: Bournemouth, Dorset (county, to 2019) and Poole"},
	} {
		ios, _, _, errOut := iostreams.Test()
		f := &cmdutil.Factory{IOStreams: ios, DataDir: dir, Format: "table"}
		cmd := NewCmdPlot(f, nil)
		path := filepath.Join(out, c.file)
		cmd.SetArgs(append(c.args, "-o", path))
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		w, h := decode(t, path)
		if strings.HasSuffix(c.file, ".png") && (w != 945 || h != 1004) {
			t.Errorf("%s is %d × %d px, want 945 × 1004 (16 × 17 cm)", c.file, w, h)
		}
		if !strings.Contains(errOut.String(), c.say) {
			t.Errorf("%v: stderr does not say %q:\n%s", c.args, c.say, errOut)
		}
	}
	// Without a boundary file: an error saying how to get one, no file.
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios, DataDir: testfiles.LinkedDataDir(t), Format: "table"}
	cmd := NewCmdPlot(f, nil)
	path := filepath.Join(out, "none.png")
	cmd.SetArgs([]string{"map", "--measure", "s47", "-o", path})
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), "cscstats fetch geo") {
		t.Errorf("no boundaries: err = %v", err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("a map was written without boundaries")
	}
}
