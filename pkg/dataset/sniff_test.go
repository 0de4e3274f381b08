package dataset

import (
	"bytes"
	"errors"
	"testing"

	"github.com/cscstats/cscstats/pkg/sfr"
)

// maybeSFR may say yes to a file that is not SFR (the SFR reader then
// says no), never no to one that is: whenever it says no, the SFR reader
// refuses the file as not SFR.
func FuzzMaybeSFR(f *testing.F) {
	for _, s := range []string{
		"geog_l,geog_c,geog_n,CLA_Mar2015\nLA,201,City of London,5\n",
		"GEOG-L,Geog_C,gEoG_n,SCLA_U1\n",
		" geog_l ,\xefgeog_c,geog_n-,MarTotal_2010\n",
		"\ufeffgeog_l,geog_c,geog_n,CLA_started2014\r\n",
		"\n\ngeog_l,geog_c,geog_n,CLA_cease\n",
		"\"geog\nl\",geog_c,geog_n,CLA_cease\n",
		"time_period,time_identifier,geographic_level,country_code,country_name\n2025,x,National,E92000001,England\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 4<<10 {
			b = b[:4<<10]
		}
		if maybeSFR(b) {
			return
		}
		_, err := sfr.NewReader(bytes.NewReader(b), "2015/x.csv")
		var notSFR *sfr.NotSFRError
		if !errors.As(err, &notSFR) {
			t.Fatalf("maybeSFR said no to %q, but the SFR reader gives %v", b, err)
		}
	})
}

func TestMaybeSFR(t *testing.T) {
	for s, want := range map[string]bool{
		"geog_l,geog_c,geog_n,CLA_Mar2015\n":           true,
		"GEOG-L,GEOG-C,GEOG-N\r\n":                     true,
		"\n\ngeog_l,geog_c,geog_n\n":                   true, // csv skips the blank lines
		"\"a\nb\",geog_l\n":                            true, // the header runs on
		"time_period,geographic_level,country_code":    true, // no line end in the bytes read
		"time_period,geographic_level,country_code\n1": false,
		"area,code,name\n":                             false,
	} {
		if got := maybeSFR([]byte(s)); got != want {
			t.Errorf("maybeSFR(%q) = %v, want %v", s, got, want)
		}
	}
}
