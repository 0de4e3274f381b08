package export

import (
	"bytes"
	"encoding/csv"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/cscstats/cscstats/pkg/safetext"
)

// writeCSV writes what encoding/csv's Writer writes for the same cells
// (the text each cell had before: full-precision numbers, empty missing
// cells, text made safe for spreadsheets), for awkward text and numbers.
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
	for i := 0; i < 400; i++ {
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
	var got bytes.Buffer
	if err := writeCSV(&got, s); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		g, w := got.String(), want.String()
		i := 0
		for i < len(g) && i < len(w) && g[i] == w[i] {
			i++
		}
		t.Fatalf("differs from encoding/csv at byte %d:\n got %q\nwant %q", i, g[max(0, i-40):min(len(g), i+40)], w[max(0, i-40):min(len(w), i+40)])
	}
}
