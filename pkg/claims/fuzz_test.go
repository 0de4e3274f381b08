package claims

import (
	"testing"

	"github.com/cscstats/cscstats/data"
)

// FuzzParse: any bytes as a claims file never panic; an accepted file
// holds only known kinds of claim.
func FuzzParse(f *testing.F) {
	f.Add(data.Claims)
	f.Add([]byte(`{"claims":[{"id":"x","kind":"rate","stated":1e309}]}`))
	f.Add([]byte(`{"claims":[{"id":"<script>","kind":"nope"}]}`))
	f.Add([]byte(`{"claims":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Parse(b, "fuzz.json")
		if err != nil {
			return
		}
		for _, c := range file.Claims {
			switch c.Kind {
			case KindRate, KindCountChangePercent, KindSpreadRising, KindCorrelationPositive:
			default:
				t.Fatalf("accepted unknown kind %q", c.Kind)
			}
		}
	})
}
