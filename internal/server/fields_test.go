package server

// Test helpers of the policy, rule and permission set tests: the findings
// of an error body (the harness is harness_test.go).

import (
	"fmt"
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
