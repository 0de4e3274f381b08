package population

import "testing"

func TestMidYearsText(t *testing.T) {
	for _, c := range []struct {
		in   []int
		want string
	}{
		{[]int{2009, 2010, 2011}, "mid-2009 to mid-2011"},
		{[]int{2012, 2016}, "mid-2012, mid-2016"},
		{[]int{2009, 2010, 2016}, "mid-2009, mid-2010, mid-2016"}, // timeperiod.Span lists a broken run
		{[]int{2018}, "mid-2018"},
		{nil, ""},
	} {
		if got := MidYearsText(c.in); got != c.want {
			t.Errorf("MidYearsText(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}
