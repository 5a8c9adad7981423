package cedar

// The differential test of access decisions: every request of the
// scenarios in testdata/authorize/scenarios.json (the cross product of a
// scenario's principals, actions, resources and contexts, against its
// policies and entities) is decided by this package (ParsePolicySet,
// NewQuery, PolicySet.Authorize: cedar-go) and by the Rust reference,
// cedar-wasm's isAuthorized, through difftest/authorize.mjs. Decision,
// reasons and the policies that failed to evaluate must be equal; there
// are no exceptions. In scenarios with a schema, the request and the
// entities are validated against it on both sides (cedar-wasm's
// validateRequest), and bad input must be bad input to both. Like TestDifferentialAgainstCedarWasm it needs
// `bash scripts/install-difftest.sh`, or JITSUDO_SKIP_DIFFTEST=1 to skip.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// authorizeScenarios is the committed corpus of the test.
var authorizeScenarios = filepath.Join("testdata", "authorize", "scenarios.json")

// authzScenario is a set of policies and entities with the requests to try.
type authzScenario struct {
	Name       string           `json:"name"`
	Policies   []string         `json:"policies"`
	Entities   []any            `json:"entities"`
	Principals []map[string]any `json:"principals"`
	Actions    []map[string]any `json:"actions"`
	Resources  []map[string]any `json:"resources"`
	Contexts   []map[string]any `json:"contexts"`
	Schema     string           `json:"schema,omitempty"` // "default" or a schema's text; "" for none
}

// authzCase is one request of the test, as authorize.mjs reads it.
type authzCase struct {
	ID       string         `json:"id"`
	Policies []string       `json:"policies"`
	Request  map[string]any `json:"request"`
	Entities []any          `json:"entities"`
	Schema   string         `json:"schema,omitempty"` // the schema's text; "" for none
}

// authzResult is one decision, as authorize.mjs prints it.
type authzResult struct {
	ID       string   `json:"id"`
	Decision string   `json:"decision"`
	Reasons  []string `json:"reasons"`
	Errors   []string `json:"errors"`
	Failure  []string `json:"failure,omitempty"`
}

// authzCases expands the scenarios into requests, in a fixed order.
func authzCases(t *testing.T) []authzCase {
	t.Helper()
	data, err := os.ReadFile(authorizeScenarios)
	if err != nil {
		t.Fatal(err)
	}
	var corpus struct {
		Scenarios []authzScenario `json:"scenarios"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&corpus); err != nil {
		t.Fatalf("%s: %v", authorizeScenarios, err)
	}
	var cases []authzCase
	for _, s := range corpus.Scenarios {
		for _, p := range s.Principals {
			for _, a := range s.Actions {
				for _, r := range s.Resources {
					for i, c := range s.Contexts {
						schema := s.Schema
						if schema == "default" {
							schema = DefaultSchema()
						}
						cases = append(cases, authzCase{
							Schema:   schema,
							ID:       fmt.Sprintf("%s/%s:%s/%s:%s/%s:%s/context%d", s.Name, p["type"], p["id"], a["type"], a["id"], r["type"], r["id"], i),
							Policies: s.Policies,
							Request:  map[string]any{"principal": p, "action": a, "resource": r, "context": c},
							Entities: s.Entities,
						})
					}
				}
			}
		}
	}
	return cases
}

// goAuthorize decides c with this package; a failure is bad input.
func goAuthorize(c authzCase) authzResult {
	res := authzResult{ID: c.ID, Reasons: []string{}, Errors: []string{}}
	var schema *Schema
	if c.Schema != "" {
		var err error
		if schema, err = ParseSchema(c.Schema); err != nil {
			res.Failure = []string{err.Error()}
			return res
		}
	}
	ps, err := ParsePolicySet(strings.Join(c.Policies, "\n\n"))
	if err == nil {
		var q *Query
		if q, err = NewQuery(c.Request, c.Entities, schema); err == nil {
			a := ps.Authorize(q)
			res.Decision, res.Reasons = a.Decision, a.Reasons
			for _, e := range a.Errors {
				res.Errors = append(res.Errors, e.Policy)
			}
			slices.Sort(res.Reasons)
			slices.Sort(res.Errors)
			return res
		}
	}
	res.Failure = []string{err.Error()}
	return res
}

// wasmAuthorize decides the cases with cedar-wasm through authorize.mjs.
func wasmAuthorize(t *testing.T, cases []authzCase) []authzResult {
	t.Helper()
	if os.Getenv("JITSUDO_SKIP_DIFFTEST") == "1" {
		t.Skip("JITSUDO_SKIP_DIFFTEST=1: skipping the differential test against cedar-wasm")
	}
	pinned, err := pinnedCedarWasm()
	if err != nil {
		t.Fatal(err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("the differential test needs Node.js (node on PATH): %v; install Node.js >= 18 and run `make tools`, or set JITSUDO_SKIP_DIFFTEST=1", err)
	}
	if _, err := os.Stat(filepath.Join(difftestDir, "node_modules", "@cedar-policy", "cedar-wasm", "package.json")); err != nil {
		t.Fatalf("internal/cedar/difftest/node_modules is missing (%v): run `make tools` (or bash scripts/install-difftest.sh), or set JITSUDO_SKIP_DIFFTEST=1", err)
	}
	in, err := json.Marshal(map[string]any{"cases": cases})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, node, "authorize.mjs", "-")
	cmd.Dir = difftestDir
	cmd.Stdin = bytes.NewReader(in)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node authorize.mjs: %v\n%s", err, stderr.String())
	}
	var out struct {
		CedarVersion string        `json:"cedarVersion"`
		Results      []authzResult `json:"results"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("node authorize.mjs printed no valid JSON: %v\n%s", err, stderr.String())
	}
	if out.CedarVersion != pinned {
		t.Fatalf("the installed cedar-wasm is Cedar %s, difftest/package.json pins %s: run `make tools`", out.CedarVersion, pinned)
	}
	if len(out.Results) != len(cases) {
		t.Fatalf("node authorize.mjs returned %d results for %d cases", len(out.Results), len(cases))
	}
	return out.Results
}

func TestDifferentialAuthorize(t *testing.T) {
	cases := authzCases(t)
	if len(cases) < 300 {
		t.Fatalf("the scenarios give %d requests, want at least 300", len(cases))
	}
	want := wasmAuthorize(t, cases)
	counts := map[string]int{}
	for i, c := range cases {
		got, ref := goAuthorize(c), want[i]
		switch {
		case ref.ID != c.ID:
			t.Fatalf("result %d is for %q, want %q", i, ref.ID, c.ID)
		case (got.Failure == nil) != (ref.Failure == nil):
			t.Errorf("%s: bad input disagrees: internal/cedar %q, cedar-wasm %q", c.ID, got.Failure, ref.Failure)
		case got.Failure != nil:
			counts["failure"]++
		case got.Decision != ref.Decision || !slices.Equal(got.Reasons, ref.Reasons) || !slices.Equal(got.Errors, ref.Errors):
			t.Errorf("%s: internal/cedar %s reasons %q errors %q, cedar-wasm %s reasons %q errors %q",
				c.ID, got.Decision, got.Reasons, got.Errors, ref.Decision, ref.Reasons, ref.Errors)
		default:
			counts[got.Decision]++
			if len(got.Errors) > 0 {
				counts["with errors"]++
			}
		}
	}
	t.Logf("%d requests: %d allow, %d deny (%d with evaluation errors), %d bad input; all equal to cedar-wasm's",
		len(cases), counts[DecisionAllow], counts[DecisionDeny], counts["with errors"], counts["failure"])
	// The corpus must exercise every outcome, or it proves little.
	for _, k := range []string{DecisionAllow, DecisionDeny, "with errors"} {
		if counts[k] == 0 {
			t.Errorf("no request of the corpus ends in %q", k)
		}
	}
}
