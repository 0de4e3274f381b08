package sfr_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/cscstats/cscstats/pkg/sfr"
)

// FuzzReader: any input gives rows or a typed error, never a panic, and
// parse errors carry a line.
func FuzzReader(f *testing.F) {
	f.Add("geog_l,geog_c,geog_n,MarTotal_2010,Mid2009Pop0-17\nNational,921,England,64400,11012300\nLA,383,Leeds,x,..\n")
	f.Add("LA_order,New_geog_code,geog_l,geog_c,geog_n,CEA_Adop1,CEA_Adop2\n165,E06000053,,420,Isles of Scilly,#VALUE!,1\n")
	f.Add("New_geog_code,geog_l,geog_c,geog_n,CLA_cease,CLA_ceaAdop\nE12000007,REGION,H,INNER LONDON,1,\"2\n")
	f.Fuzz(func(t *testing.T, text string) {
		r, err := sfr.NewReader(strings.NewReader(text), "2015/f.csv")
		if err != nil {
			var ns *sfr.NotSFRError
			var ye *sfr.YearError
			if !errors.As(err, &ns) && !errors.As(err, &ye) {
				t.Fatalf("untyped header error %T: %v", err, err)
			}
			return
		}
		for {
			_, err := r.Read()
			if err == io.EOF {
				return
			}
			if err != nil {
				var pe *sfr.ParseError
				if !errors.As(err, &pe) || pe.Line == 0 && pe.Err == nil {
					t.Fatalf("error without position: %T %v", err, err)
				}
				return
			}
		}
	})
}
