package server

// Test helpers of the policy, rule and permission set tests: the findings
// of an error body (the harness is harness_test.go).

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// findings returns the details.validation of an error body.
func findings(e api.Error) []api.ValidationDetail {
	if e.Details == nil || e.Details.Validation == nil {
		return nil
	}
	return *e.Details.Validation
}

// wantLocations fails unless the error's findings are exactly at the
// given locations (in any order, each as often as listed).
func wantLocations(t *testing.T, e api.Error, locations ...string) {
	t.Helper()
	got := map[string]int{}
	for _, f := range findings(e) {
		got[f.Location]++
	}
	want := map[string]int{}
	for _, l := range locations {
		want[l]++
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("findings at %v, want %v; error: %s: %+v", got, want, e.Message, findings(e))
	}
}

// findingAt returns the first finding at location, failing if none.
func findingAt(t *testing.T, e api.Error, location string) api.ValidationDetail {
	t.Helper()
	for _, f := range findings(e) {
		if f.Location == location {
			return f
		}
	}
	t.Fatalf("no finding at %q in %+v", location, findings(e))
	return api.ValidationDetail{}
}

func TestConditionsPosition(t *testing.T) {
	// head is 5 lines; the trimmed conditions start on line 6, column 1.
	assembled := "permit (\n  principal,\n  action,\n  resource\n)\nwhen {\n  x <\n};"
	start := strings.Index(assembled, "when")
	tests := []struct {
		name, conditions  string
		line, col         int
		wantLine, wantCol int
		wantOK            bool
	}{
		{"first line", "when {\n  x <\n}", 6, 3, 1, 3, true},
		{"second line", "when {\n  x <\n}", 7, 5, 2, 5, true},
		{"leading spaces on the first line", "   when {\n  x <\n}", 6, 3, 1, 6, true},
		{"leading blank lines", "\n\n  when {\n  x <\n}", 7, 5, 4, 5, true},
		{"leading blank lines, first line", "\n\n  when {\n  x <\n}", 6, 1, 3, 3, true},
		{"past the end", "when {\n  x <\n}", 9, 1, 3, 2, true},
		{"before the conditions", "when {\n  x <\n}", 2, 3, 0, 0, false},
		{"no position", "when {\n  x <\n}", 0, 0, 0, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			line, col, ok := conditionsPosition(assembled, start, tc.conditions, tc.line, tc.col)
			if ok != tc.wantOK || ok && (line != tc.wantLine || col != tc.wantCol) {
				t.Fatalf("got %d:%d %v, want %d:%d %v", line, col, ok, tc.wantLine, tc.wantCol, tc.wantOK)
			}
		})
	}
}
