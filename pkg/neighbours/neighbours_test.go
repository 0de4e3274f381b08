package neighbours

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sample2025 = "\ufeffold_la_code,la_name,region_ind,region_name,SN_1,SN_1P,SN_2,SN_2P,SN_3,SN_3P,SN_4,SN_4P,SN_5,SN_5P,SN_6,SN_6P,SN_7,SN_7P,SN_8,SN_8P,SN_9,SN_9P,SN_10,SN_10P\n" +
	"383,Leeds,9,Yorkshire and The Humber,851,Very close,882,Very close,373,Very close,826,Close ,382,Close ,355,Close ,801,Close ,852,Close ,306,Close ,839,Close \n" +
	"201,City of London,3,London,207,Not close,,,,,,,,,,,,,,,,,,\n"

const sample2021 = "\ufeffLA num,LA Name,LA number,GOInd,GOReg,SN1,SNP,SN2,SNP,SN3,SNP,SN4,SNP,SN5,SNP,SN6,SNP,SN7,SNP,SN8,SNP,SN9,SNP,SN10,SNP,\n" +
	"383,Leeds,383,9,Yorkshire and the Humber,373,Very Close,841,Very Close,381,Very Close,351,Very Close,808,Very Close,350,Very Close,831,Very Close,392,Very Close,382,Very Close,344,Somewhat close,\n" +
	",,,,,,,,,,,,,,,,,,,,,,,,,\n" +
	",Old SNs:,,,,,,,,,,,,,,,,,,,,,,,,\n" +
	"928,Northamptonshire,928,1,East Midlands,886,Very Close,891,Extremely Close,866,Very Close,860,Very Close,830,Very Close,881,Very Close,937,Very Close,885,Very Close,888,Very Close,887,Not Close,\n"

func codes(e *Entry) string {
	var s []string
	for _, n := range e.Neighbours {
		s = append(s, n.OldCode)
	}
	return strings.Join(s, ",")
}

func TestParse2025Layout(t *testing.T) {
	s, err := Parse(strings.NewReader(sample2025), "x/sn_model_2025_wide.csv")
	if err != nil {
		t.Fatal(err)
	}
	if s.Year != 2025 || s.Layout != "2025" {
		t.Errorf("year %d layout %s", s.Year, s.Layout)
	}
	e, ok := s.Entry("383")
	if !ok {
		t.Fatal("no Leeds")
	}
	if e.Name != "Leeds" || e.Region != "Yorkshire and The Humber" || e.Line != 2 || e.Former {
		t.Errorf("entry %+v", e)
	}
	if got := codes(e); got != "851,882,373,826,382,355,801,852,306,839" {
		t.Errorf("neighbours %s", got)
	}
	if e.Neighbours[0].Rank != 1 || e.Neighbours[0].Closeness != "Very close" || e.Neighbours[3].Closeness != "Close" || e.Neighbours[9].Rank != 10 {
		t.Errorf("closeness/rank %+v", e.Neighbours)
	}
	// A short row keeps only the neighbours given.
	if e, _ := s.Entry("201"); len(e.Neighbours) != 1 || e.Neighbours[0].Closeness != "Not close" {
		t.Errorf("City of London %+v", e)
	}
}

func TestParse2021Layout(t *testing.T) {
	s, err := Parse(strings.NewReader(sample2021), "New_Statistical_Neighbour_Groupings_April_2021.csv")
	if err != nil {
		t.Fatal(err)
	}
	if s.Year != 2021 || s.Layout != "2021" || !strings.Contains(s.Label, "groupings, 2021") {
		t.Errorf("year %d layout %s label %s", s.Year, s.Layout, s.Label)
	}
	e, _ := s.Entry("383")
	if got := codes(e); got != "373,841,381,351,808,350,831,392,382,344" {
		t.Errorf("Leeds %s", got)
	}
	// Each SNP column belongs to the SN before it.
	if e.Neighbours[9].Closeness != "Somewhat close" || e.Neighbours[0].Closeness != "Very close" {
		t.Errorf("closeness %+v", e.Neighbours)
	}
	n, _ := s.Entry("928")
	if !n.Former || n.Neighbours[1].Closeness != "Extremely close" || n.Neighbours[9].Closeness != "Not close" {
		t.Errorf("Northamptonshire %+v", n)
	}
	if got := len(s.Entries()); got != 2 {
		t.Errorf("%d entries", got)
	}
}

func TestYearFromLayoutWithoutNameYear(t *testing.T) {
	s, err := Parse(strings.NewReader(sample2021), "groupings.csv")
	if err != nil || s.Year != 2021 {
		t.Fatalf("%v %v", s, err)
	}
	s, err = Parse(strings.NewReader(sample2025), "neighbours.csv")
	if err != nil || s.Year != 2025 {
		t.Fatalf("%v %v", s, err)
	}
}

func TestNotANeighbourFile(t *testing.T) {
	_, err := Parse(strings.NewReader("time_period,old_la_code,new_la_code\n2024,383,E08000035\n"), "c4.csv")
	var nn *NotNeighbourFileError
	if !errors.As(err, &nn) || !strings.Contains(err.Error(), "no sn1 column") {
		t.Fatalf("err = %v", err)
	}
	_, err = Parse(strings.NewReader("old_la_code,SN_1\nLeeds,851\n"), "bad.csv")
	if err == nil || !strings.Contains(err.Error(), "bad.csv:2") {
		t.Fatalf("bad code err = %v", err)
	}
}

func TestFindInDirectory(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("ref/old_groupings_2021.csv", sample2021)
	write("ref/sn_model_2025_wide.csv", sample2025)
	write("cin/c4.csv", "time_period,old_la_code\n2024,383\n")
	write(".tmp/sn_model_2099.csv", sample2025) // hidden folders are skipped
	ss, err := Find(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 2 || ss[0].Year != 2025 || ss[1].Year != 2021 {
		t.Fatalf("found %s", ss.Describe())
	}
	set, e, ok := ss.Lookup("928") // only in the older file
	if !ok || set.Year != 2021 || e.Name != "Northamptonshire" {
		t.Errorf("fallback lookup: %v %v %v", set, e, ok)
	}
	set, _, _ = ss.Lookup("383")
	if set.Year != 2025 {
		t.Errorf("Leeds from %d", set.Year)
	}
	if _, _, ok := ss.Lookup("999"); ok {
		t.Error("999 found")
	}
	empty, err := Find(t.TempDir())
	if err != nil || len(empty) != 0 {
		t.Errorf("empty dir: %v %v", empty, err)
	}
}

// TestRealFiles reads the real DfE files and checks them against the raw
// text of their lines, split by hand.
func TestRealFiles(t *testing.T) {
	dir := realDir(t)
	ss, err := Find(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 2 || ss[0].Year != 2025 || ss[1].Year != 2021 {
		t.Fatalf("found %s", ss.Describe())
	}
	for _, s := range ss {
		f, err := os.Open(s.File)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		line, checked := 0, 0
		for sc.Scan() {
			line++
			if line == 1 {
				continue
			}
			// Names such as "Bristol, City of" are quoted and hold a
			// comma, so count the neighbour cells from the end of the line:
			// the last 20 cells (2025), or the 20 before a final empty one
			// (2021).
			cells := strings.Split(sc.Text(), ",")
			if len(cells[0]) != 3 {
				continue
			}
			e, ok := s.Entry(cells[0])
			if !ok {
				t.Errorf("%s:%d: %s not read", s.File, line, cells[0])
				continue
			}
			first := len(cells) - 20
			if s.Layout == "2021" {
				first--
			}
			var want []string
			for k := first; k+1 < len(cells) && len(want) < 10; k += 2 {
				want = append(want, cells[k])
			}
			if got := codes(e); got != strings.Join(want, ",") {
				t.Errorf("%s:%d: %s neighbours %s, want %s", filepath.Base(s.File), line, cells[0], got, strings.Join(want, ","))
			}
			if e.Line != line {
				t.Errorf("%s: line %d, want %d", cells[0], e.Line, line)
			}
			checked++
		}
		f.Close()
		if checked < 150 || checked != len(s.Entries()) {
			t.Errorf("%s: checked %d rows, read %d", s.File, checked, len(s.Entries()))
		}
	}
	e, _ := ss[0].Entry("383")
	if e.Name != "Leeds" || e.Neighbours[0].OldCode != "851" || e.Neighbours[3].Closeness != "Close" {
		t.Errorf("Leeds 2025: %+v", e)
	}
	n, _ := ss[1].Entry("928")
	if n == nil || !n.Former {
		t.Errorf("2021 Northamptonshire should be under Old SNs: %+v", n)
	}
}

// realDir is the read-only folder of real DfE files beside the repository.
func realDir(t *testing.T) string {
	t.Helper()
	dir, _ := filepath.Abs(filepath.Join("..", "..", "..", "shared", "ees"))
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("real DfE files not found at %s (they sit beside the repository as ../shared/ees); skipping", dir)
	}
	return dir
}
