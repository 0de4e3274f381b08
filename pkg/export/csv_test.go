package export

import (
	"bytes"
	"encoding/csv"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"

	"github.com/cscstats/cscstats/pkg/safetext"
)

// writeCSV writes what encoding/csv's Writer writes for the same cells
// (the text each cell had before: full-precision numbers, empty missing
// cells, text made safe for spreadsheets), for awkward text and numbers;
// a table large enough to be formatted a CPU at a time is written in
// order, whatever the number of CPUs, from held rows and rows made on
// demand.
func TestWriteCSVMatchesEncodingCSV(t *testing.T) {
	texts := []string{"", "plain", "a,b", `say "hi"`, "two\nlines", "cr\rhere", "crlf\r\n", `\.`, `\.x`,
		" lead", "\tlead", "\u00a0nbsp", "\u2028ls", "\u3000ideo", "=SUM(A1)", "-1.5", "-x", "+", "@a", "＝x",
		"trail ", "é", "\xff\xfe", "\"", ",", "'"}
	rng := rand.New(rand.NewPCG(5, 6))
	alphabet := []byte("a ,\"\r\n\t=-+@.1\\\xc2\xa0\xe2\x80\xa8")
	for i := 0; i < 300; i++ {
		b := make([]byte, rng.IntN(8))
		for j := range b {
			b[j] = alphabet[rng.IntN(len(alphabet))]
		}
		texts = append(texts, string(b))
	}
	numbers := []float64{0, -0.0, 1, -1, 1234567.125, 1e21, 1e-7, math.MaxFloat64, math.SmallestNonzeroFloat64, 0.1 + 0.2, math.Inf(1)}
	for i := 0; i < 200; i++ {
		numbers = append(numbers, (rng.Float64()-0.5)*math.Pow(10, float64(rng.IntN(30)-15)))
	}
	s := Section{Columns: []Column{{Name: "a"}, {Name: "b,c"}, {Name: " d"}, {Name: "=e"}}}
	for i := 0; i < 3*csvRowsPerPart+17; i++ {
		row := make([]Cell, 4)
		for j := range row {
			switch rng.IntN(4) {
			case 0:
				row[j] = Cell{Number: numbers[rng.IntN(len(numbers))], IsNum: true}
			case 1:
				row[j] = MissingCell(texts[rng.IntN(len(texts))])
			default:
				row[j] = Str(texts[rng.IntN(len(texts))])
			}
		}
		s.Rows = append(s.Rows, row)
	}

	var want bytes.Buffer
	cw := csv.NewWriter(&want)
	head := []string{}
	for _, c := range s.Columns {
		head = append(head, safetext.CSV(c.Name))
	}
	cw.Write(head)
	for _, row := range s.Rows {
		var rec []string
		for _, c := range row {
			switch {
			case c.IsNum:
				rec = append(rec, strconv.FormatFloat(c.Number, 'f', -1, 64))
			case c.Missing != "" || c.Text == "":
				rec = append(rec, safetext.CSV(""))
			default:
				rec = append(rec, safetext.CSV(c.Text))
			}
		}
		cw.Write(rec)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		t.Fatal(err)
	}
	lazy := s
	lazy.Rows, lazy.NRows = nil, len(s.Rows)
	lazy.RowFunc = func(i int, dst []Cell) []Cell { return append(dst, s.Rows[i]...) }
	for _, procs := range []int{1, 2, 3, 8} {
		for _, sec := range []Section{s, lazy} {
			prev := runtime.GOMAXPROCS(procs)
			var got bytes.Buffer
			err := writeCSV(&got, sec)
			runtime.GOMAXPROCS(prev)
			if err != nil {
				t.Fatal(err)
			}
			checkSameCSV(t, got.Bytes(), want.Bytes())
		}
	}
}

// csvParts covers every row once, in order, each part of at least
// csvRowsPerPart rows, the first the largest.
func TestCSVParts(t *testing.T) {
	for _, procs := range []int{1, 2, 3, 8} {
		prev := runtime.GOMAXPROCS(procs)
		for _, n := range []int{0, 1, csvRowsPerPart - 1, 2*csvRowsPerPart - 1, 2 * csvRowsPerPart, 5*csvRowsPerPart + 3, 16620, 1 << 20} {
			ends := csvParts(n)
			if len(ends) == 0 || ends[len(ends)-1] != n || len(ends) > procs {
				t.Fatalf("%d CPUs, %d rows: parts ending %v", procs, n, ends)
			}
			from := 0
			for k, e := range ends {
				size := e - from
				if len(ends) > 1 && (size < csvRowsPerPart || size > ends[0]) {
					t.Fatalf("%d CPUs, %d rows: part %d has %d rows (parts ending %v)", procs, n, k, size, ends)
				}
				from = e
			}
		}
		runtime.GOMAXPROCS(prev)
	}
}

func checkSameCSV(t *testing.T, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		g, w := string(got), string(want)
		i := 0
		for i < len(g) && i < len(w) && g[i] == w[i] {
			i++
		}
		t.Fatalf("differs from encoding/csv at byte %d:\n got %q\nwant %q", i, g[max(0, i-40):min(len(g), i+40)], w[max(0, i-40):min(len(w), i+40)])
	}
}

// appendNumber writes exactly what strconv.AppendFloat(…, 'f', -1, 64)
// writes: whole numbers of every size near the 2^53 edge, negative zero,
// NaN, infinities, fractions and random bit patterns.
func TestAppendNumberIsAppendFloat(t *testing.T) {
	vals := []float64{0, math.Copysign(0, -1), 1, -1, 2024, 170292, 1e15, 1e21, -1e300, 0.5, -2.5, 1.0000000000000002,
		1 << 53, 1<<53 - 1, -(1 << 53), 1<<53 + 2, 1 << 62, 1 << 63, -(1 << 63), math.MaxFloat64, math.SmallestNonzeroFloat64,
		math.NaN(), math.Inf(1), math.Inf(-1)}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 100000; i++ {
		vals = append(vals, math.Float64frombits(rng.Uint64()), float64(rng.Int64N(1<<54)-1<<53), math.Round(rng.Float64()*1e6)/10)
	}
	for _, f := range vals {
		if got, want := string(appendNumber([]byte("x"), f)), string(strconv.AppendFloat([]byte("x"), f, 'f', -1, 64)); got != want {
			t.Fatalf("%v (bits %x): %q, want %q", f, math.Float64bits(f), got, want)
		}
	}
}

// BenchmarkWriteCSV writes a table shaped like the full tidy rates table
// (16,620 rows of 13 cells: codes, names, counts, populations, rates).
func BenchmarkWriteCSV(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	s := Section{Columns: make([]Column, 13)}
	for i := range s.Columns {
		s.Columns[i] = Column{Name: "c" + strconv.Itoa(i)}
	}
	for i := 0; i < 16620; i++ {
		rate := rng.Float64() * 1000
		s.Rows = append(s.Rows, []Cell{Str("cla_31march"), Int(2013 + i%13), Str("Local authority"), Str("E08000035"),
			Str("Leeds"), Str("Yorkshire and The Humber"), Num(float64(rng.IntN(5000))), Num(float64(100000 + rng.IntN(200000))),
			Num(rate), Num(rate * 0.9), Num(rate * 1.1), Str("383"), Str("")})
	}
	b.ResetTimer()
	for b.Loop() {
		if err := writeCSV(io.Discard, s); err != nil {
			b.Fatal(err)
		}
	}
}
