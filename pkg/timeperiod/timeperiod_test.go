package timeperiod

import "testing"

func TestParse(t *testing.T) {
	for in, want := range map[string]int{"2021": 2021, "2020-21": 2021, "1999-00": 2000} {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"21", "2020-22", "x", "20211"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) should fail", bad)
		}
	}
}

func TestAppendSpanRange(t *testing.T) {
	var ys []int
	for _, y := range []int{2015, 2013, 2014, 2013} {
		ys = Append(ys, y)
	}
	if Span(ys) != "2013-2015" || !Contains(ys, 2014) || Contains(ys, 2016) {
		t.Errorf("got %v (%q)", ys, Span(ys))
	}
	if Span([]int{2018, 2020}) != "2018, 2020" || Span([]int{2021}) != "2021" || Span(nil) != "" {
		t.Error("Span of non-consecutive, single and empty")
	}
	if RangeText(0, 0) != "any years" || RangeText(2013, 0) != "2013 and the latest year" || RangeText(2013, 2021) != "2013 and 2021" {
		t.Error("RangeText")
	}
}
