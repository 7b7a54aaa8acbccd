package planner

import "testing"

func TestCaptureGroups(t *testing.T) {
	for re, want := range map[string]int{
		`abc`:             0,
		`(a)(b)`:          2,
		`\(a\)`:           0,
		`[(]x(y)`:         1,
		`[]()]`:           0,
		`(?:a)(b)(?=c)`:   1,
		`((a)|(b))`:       3,
		`(\d{4})-(\d{2})`: 2,
	} {
		if got := captureGroups(re); got != want {
			t.Errorf("captureGroups(%q) = %d, want %d", re, got, want)
		}
	}
}
