package server

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// deepParens is a condition of n nested parentheses.
func deepParens(n int) string {
	return strings.Repeat("(", n) + "true" + strings.Repeat(")", n)
}

// TestCedarDeepNesting: Cedar text nested deeper than cedar.MaxDepth, in a
// cedar_policy_set (up to its 1 MiB limit and past it), a policy_text or
// conditions (up to their limits), is a 400 with a JSON body naming the
// limit, before cedar-go parses it (once, a 1.6 MB cedar_policy_set of
// nested parentheses overflowed the goroutine stack and killed the
// server). The server keeps serving.
func TestCedarDeepNesting(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()
	start := time.Now()

	// Past the 1 MiB limit: too_long, not parsed.
	e := c.do(http.MethodPost, "/v1/policies", map[string]any{"name": "deep", "max_duration_seconds": 3600,
		"cedar_policy_set": strings.Repeat("(", 800000) + strings.Repeat(")", 800000)}).apiErr(http.StatusBadRequest, "invalid_request")
	if f := findingAt(t, e, "cedar_policy_set"); f.Code != "too_long" {
		t.Errorf("finding: %+v", f)
	}

	// Within the limit, as deep as it gets: parentheses, sets, negations,
	// operator chains and namespaces.
	const head, tail = "permit (principal, action, resource) when { ", " };"
	size := 1<<20 - len(head) - len(tail) - 16
	for name, body := range map[string]string{
		"parentheses": deepParens(size/2 - 4),
		"sets":        strings.Repeat("[", size/2-16) + strings.Repeat("]", size/2-16) + ".isEmpty()",
		"not":         strings.Repeat("!", size-8) + "true",
		"addition":    "1" + strings.Repeat("+1", size/2-8) + " == 1",
		"access":      "context" + strings.Repeat(".a", size/2-8),
		"namespace":   strings.Repeat("A::", size/3-8) + `"x" == principal`,
	} {
		e := c.do(http.MethodPost, "/v1/policies", map[string]any{"name": "deep", "max_duration_seconds": 3600,
			"cedar_policy_set": head + body + tail}).apiErr(http.StatusBadRequest, "invalid_cedar")
		f := findingAt(t, e, "cedar_policy_set")
		if f.Code != "cedar_too_deep" || !strings.Contains(f.Message, "limit of 128 levels") || f.Line == nil || *f.Line != 1 || f.Column == nil {
			t.Errorf("%s: finding %+v", name, f)
		}
	}

	// A rule's policy_text and conditions, within their 65,536-character
	// limits, in a create and an update.
	pp := c.newPolicyPath("p")
	e = c.do(http.MethodPost, pp+"/rules", map[string]any{"policy_text": head + deepParens(30000) + tail}).
		apiErr(http.StatusBadRequest, "invalid_cedar")
	if f := findingAt(t, e, "policy_text"); f.Code != "cedar_too_deep" || !strings.Contains(f.Message, "limit of 128 levels") {
		t.Errorf("policy_text: finding %+v", f)
	}
	rule := structuredRule()
	rule["conditions"] = "when {\n  " + deepParens(30000) + "\n}"
	e = c.do(http.MethodPost, pp+"/rules", rule).apiErr(http.StatusBadRequest, "invalid_cedar")
	f := findingAt(t, e, "conditions")
	if f.Code != "cedar_too_deep" || !strings.Contains(f.Message, "limit of 128 levels") ||
		f.Line == nil || *f.Line != 2 || f.Column == nil || *f.Column != 2+128 { // the 128th "(", at depth 129 (with the braces)
		t.Errorf("conditions: finding %+v (line %v, column %v)", f, f.Line, f.Column)
	}
	r := c.createRule(pp, structuredRule())
	rp := pp + "/rules/" + r.Id.String()
	c.do(http.MethodPatch, rp, map[string]any{"conditions": "when { " + deepParens(30000) + " }"}, "If-Match", r.Etag).
		apiErr(http.StatusBadRequest, "invalid_cedar")
	c.do(http.MethodPatch, rp, map[string]any{"policy_text": head + deepParens(30000) + tail}, "If-Match", r.Etag).
		apiErr(http.StatusBadRequest, "invalid_cedar")
	// Past the rule limits: too_long, not parsed.
	e = c.do(http.MethodPost, pp+"/rules", map[string]any{"policy_text": head + deepParens(400000) + tail}).
		apiErr(http.StatusBadRequest, "invalid_request")
	if f := findingAt(t, e, "policy_text"); f.Code != "too_long" {
		t.Errorf("policy_text: finding %+v", f)
	}

	// Still serving, and quickly so.
	if n := len(c.listRules(pp)); n != 1 {
		t.Errorf("%d rules, want 1", n)
	}
	c.createPolicy(map[string]any{"name": "after", "max_duration_seconds": 3600,
		"cedar_policy_set": head + deepParens(100) + tail})
	if d := time.Since(start); d > 60*time.Second {
		t.Errorf("took %v", d)
	}
}
