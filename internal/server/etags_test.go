package server

// Versions in bodies (etag, mapping_etag) and the preconditions of the bulk
// permission set requests.

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// etagOfGet returns the ETag header of GET path, checking it equals the
// body's etag field.
func (c *tenantClient) etagOfGet(path string) string {
	c.t.Helper()
	res := c.do(http.MethodGet, path, nil).want(http.StatusOK)
	var body struct {
		Etag string `json:"etag"`
	}
	res.into(&body)
	if tag := res.Header.Get("ETag"); tag == "" || tag != body.Etag {
		c.t.Fatalf("GET %s: ETag header %q, body etag %q", path, tag, body.Etag)
	}
	return body.Etag
}

// listPolicies returns every policy summary, paging with limit.
func (c *tenantClient) listPolicies(limit int) []api.PolicySummary {
	c.t.Helper()
	var out []api.PolicySummary
	cursor := ""
	for {
		var page api.PolicyList
		c.do(http.MethodGet, fmt.Sprintf("/v1/policies?limit=%d%s", limit, cursor), nil).want(http.StatusOK).into(&page)
		out = append(out, page.Data...)
		if !page.HasMore {
			return out
		}
		cursor = "&cursor=" + page.NextCursor.MustGet()
	}
}

func TestETagsOfPoliciesAndRules(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()

	// Writes: the header is the body's etag, and the GET's.
	res := c.do(http.MethodPost, "/v1/policies", map[string]any{"name": "a", "max_duration_seconds": 3600,
		"cedar_policy_set": "permit (principal, action, resource);\n@id(\"x\") forbid (principal, action, resource);"}).want(http.StatusCreated)
	var a api.Policy
	res.into(&a)
	aPath := "/v1/policies/" + a.Id.String()
	if a.Notices == nil {
		t.Fatalf("want notices on the create (dropped annotation): %s", res.Body)
	}
	if a.Etag == "" || res.Header.Get("ETag") != a.Etag || c.etagOfGet(aPath) != a.Etag {
		t.Fatalf("create etag %q, header %q, GET %q", a.Etag, res.Header.Get("ETag"), c.etagOfGet(aPath))
	}
	for _, r := range a.Rules {
		if got := c.etagOfGet(aPath + "/rules/" + r.Id.String()); r.Etag != got {
			t.Errorf("nested rule etag %q, GET %q", r.Etag, got)
		}
	}
	b := c.createPolicy(map[string]any{"name": "b", "max_duration_seconds": 3600, "priority": 5})
	bPath := "/v1/policies/" + b.Id.String()
	empty := c.createPolicy(map[string]any{"name": "c", "max_duration_seconds": 3600})
	emptyPath := "/v1/policies/" + empty.Id.String()

	// Lists: every summary's etag is the full policy's, on every page.
	checkSummaries := func() {
		t.Helper()
		list := c.listPolicies(2)
		if len(list) != 3 {
			t.Fatalf("%d policies", len(list))
		}
		for _, p := range list {
			if got := c.etagOfGet("/v1/policies/" + p.Id.String()); p.Etag != got {
				t.Errorf("summary %s etag %q, GET %q", p.Name, p.Etag, got)
			}
		}
	}
	checkSummaries()

	// A rule change moves the rule's and the policy's etag, in lists too.
	rule := c.createRule(bPath, structuredRule())
	rulePath := bPath + "/rules/" + rule.Id.String()
	if got := c.etagOfGet(rulePath); rule.Etag != got {
		t.Fatalf("created rule etag %q, GET %q", rule.Etag, got)
	}
	bAfterCreate := c.etagOfGet(bPath)
	if bAfterCreate == b.Etag {
		t.Fatal("adding a rule did not move the policy's etag")
	}
	checkSummaries()
	upd := c.do(http.MethodPatch, rulePath, map[string]any{"notice": "changed"}, "If-Match", rule.Etag).want(http.StatusOK)
	var changed api.Rule
	upd.into(&changed)
	if changed.Etag == rule.Etag || upd.Header.Get("ETag") != changed.Etag || c.etagOfGet(rulePath) != changed.Etag {
		t.Fatalf("rule etag after PATCH %q (was %q), header %q", changed.Etag, rule.Etag, upd.Header.Get("ETag"))
	}
	if c.etagOfGet(bPath) == bAfterCreate {
		t.Fatal("changing a rule did not move the policy's etag")
	}
	checkSummaries()
	c.do(http.MethodPatch, rulePath, map[string]any{"notice": "again"}, "If-Match", rule.Etag).apiErr(http.StatusPreconditionFailed, "precondition_failed")

	// Rule lists and the reorder answer carry the GET's etags.
	second := c.createRule(aPath, map[string]any{"policy_text": "permit (principal, action, resource);"})
	for _, r := range c.listRules(aPath) {
		if got := c.etagOfGet(aPath + "/rules/" + r.Id.String()); r.Etag != got {
			t.Errorf("listed rule etag %q, GET %q", r.Etag, got)
		}
	}
	var reordered api.RuleList
	c.do(http.MethodPatch, aPath+"/rules/reorder", map[string]any{"ids": []string{second.Id.String()}}).want(http.StatusOK).into(&reordered)
	for _, r := range reordered.Data {
		if got := c.etagOfGet(aPath + "/rules/" + r.Id.String()); r.Etag != got {
			t.Errorf("reordered rule etag %q, GET %q", r.Etag, got)
		}
	}

	// The body etag works as If-Match, "*" matches, a stale one does not.
	cur := c.etagOfGet(emptyPath)
	c.do(http.MethodPatch, emptyPath, map[string]any{"priority": 1}, "If-Match", `"stale"`).apiErr(http.StatusPreconditionFailed, "precondition_failed")
	pr := c.do(http.MethodPatch, emptyPath, map[string]any{"priority": 1}, "If-Match", cur).want(http.StatusOK)
	var patched api.Policy
	pr.into(&patched)
	if patched.Etag == cur || pr.Header.Get("ETag") != patched.Etag {
		t.Fatalf("PATCH etag %q (was %q), header %q", patched.Etag, cur, pr.Header.Get("ETag"))
	}
	c.do(http.MethodPatch, emptyPath, map[string]any{"priority": 2}, "If-Match", "*").want(http.StatusOK)
	checkSummaries()
}

func TestETagsOfPermissionSets(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()
	c.do(http.MethodPut, "/v1/aws/permission-sets", map[string]any{"resources": psItems(1, 4)}).want(http.StatusOK)
	list := c.listPermissionSets("")
	if len(list) != 3 {
		t.Fatalf("%d sets", len(list))
	}
	for _, ps := range list {
		if got := c.etagOfGet(psPath(ps.Id)); ps.Etag != got {
			t.Errorf("listed etag %q, GET %q", ps.Etag, got)
		}
	}
	before := list[0].Etag
	c.do(http.MethodPut, "/v1/aws/permission-sets", map[string]any{"resources": psItems(1, 2)}).want(http.StatusOK)
	if after := c.etagOfGet(psPath(psARN(1))); after == before {
		t.Error("an upsert did not move the etag")
	}
	if after := c.listPermissionSets("")[1].Etag; after != list[1].Etag {
		t.Error("an upsert of another set moved this one's etag")
	}
}

func TestPermissionSetUpsertPreconditions(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()
	c.do(http.MethodPut, "/v1/aws/permission-sets", map[string]any{"resources": psItems(1, 3)}).want(http.StatusOK)
	tag1, tag2 := c.etagOfGet(psPath(psARN(1))), c.etagOfGet(psPath(psARN(2)))
	item := func(n int, name string, extra ...any) map[string]any {
		m := map[string]any{"id": psARN(n), "name": name}
		for i := 0; i+1 < len(extra); i += 2 {
			m[extra[i].(string)] = extra[i+1]
		}
		return m
	}
	upsert := func(items ...map[string]any) *response {
		return c.do(http.MethodPut, "/v1/aws/permission-sets", map[string]any{"resources": items})
	}
	unchanged := func() {
		t.Helper()
		list := c.listPermissionSets("")
		if len(list) != 2 || list[0].Etag != tag1 || list[1].Etag != tag2 {
			t.Fatalf("a rejected batch changed the sets: %+v", list)
		}
	}

	// Every failing item is listed, nothing is written.
	e := upsert(
		item(1, "x", "if_match", `"stale"`),
		item(2, "x", "if_none_match", "*"),
		item(3, "x", "if_match", tag1),
		item(4, "x", "if_match", "*"),
		item(5, "new"),
	).apiErr(http.StatusPreconditionFailed, "precondition_failed")
	wantLocations(t, e, "resources[0].if_match", "resources[1].if_none_match", "resources[2].if_match", "resources[3].if_match")
	for loc, want := range map[string]string{
		"resources[0].if_match":      "has another current ETag " + tag1,
		"resources[1].if_none_match": "already exists",
		"resources[2].if_match":      "does not exist",
		"resources[3].if_match":      "does not exist",
	} {
		if f := findingAt(t, e, loc); f.Code != "precondition_failed" || !strings.Contains(f.Message, want) {
			t.Errorf("%s: %+v, want a message with %q", loc, f, want)
		}
	}
	unchanged()
	c.do(http.MethodGet, psPath(psARN(5)), nil).apiErr(http.StatusNotFound, "not_found")

	// Body validation comes first.
	e = upsert(
		item(1, "x", "if_match", `"stale"`),
		item(2, "x", "session_duration", "8 hours"),
		item(3, "x", "if_none_match", "yes"),
		item(4, "x", "if_none_match", "*", "if_match", "*"),
		item(5, "x", "if_match", ""),
	).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, "resources[1].session_duration", "resources[2].if_none_match", "resources[3].if_none_match", "resources[4].if_match")
	unchanged()

	// Passing preconditions: the batch applies; they are not stored.
	upsert(
		item(1, "one", "if_match", tag1),
		item(2, "two", "if_match", "*"),
		item(3, "three", "if_none_match", "*"),
		item(4, "four"),
	).want(http.StatusOK)
	var ps api.PermissionSet
	res := c.do(http.MethodGet, psPath(psARN(3)), nil).want(http.StatusOK)
	res.into(&ps)
	if ps.Name != "three" || strings.Contains(string(res.Body), "if_") {
		t.Errorf("created with if_none_match: %s", res.Body)
	}
	if got := c.listPermissionSets(""); len(got) != 4 || got[0].Name != "one" || got[0].Etag == tag1 || got[1].Name != "two" {
		t.Errorf("after the batch: %+v", got)
	}
	// A list of tags, as in If-Match.
	cur := c.etagOfGet(psPath(psARN(1)))
	upsert(item(1, "one again", "if_match", `"other", `+cur)).want(http.StatusOK)
}

func TestPermissionSetBulkDeletePreconditions(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()
	c.do(http.MethodPut, "/v1/aws/permission-sets", map[string]any{"resources": psItems(1, 5)}).want(http.StatusOK)
	tags := map[string]string{}
	for _, ps := range c.listPermissionSets("") {
		tags[ps.Id] = ps.Etag
	}
	del := func(body any) *response {
		return c.do(http.MethodPost, "/v1/aws/permission-sets/bulk-delete", body)
	}
	loc := func(n int) string { return `if_match["` + psARN(n) + `"]` }

	// One stale tag fails the whole batch; each failing id is named once.
	e := del(map[string]any{
		"ids":      []string{psARN(1), psARN(2), psARN(3), psARN(3), psARN(9)},
		"if_match": map[string]string{psARN(1): tags[psARN(1)], psARN(2): `"stale"`, psARN(3): `"old"`, psARN(9): `"gone"`},
	}).apiErr(http.StatusPreconditionFailed, "precondition_failed")
	wantLocations(t, e, loc(2), loc(3))
	if f := findingAt(t, e, loc(2)); f.Code != "precondition_failed" || !strings.Contains(f.Message, "has another current ETag "+tags[psARN(2)]) {
		t.Errorf("finding %+v", f)
	}
	if n := len(c.listPermissionSets("")); n != 4 {
		t.Fatalf("a rejected batch deleted sets: %d left", n)
	}

	// Body problems are 400s at the same locations, before preconditions.
	e = del(map[string]any{
		"ids":      []string{psARN(1)},
		"if_match": map[string]string{psARN(1): "", psARN(2): `"stale"`},
	}).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, loc(1), loc(2))
	if f := findingAt(t, e, loc(2)); f.Code != "not_listed" {
		t.Errorf("finding %+v", f)
	}

	// Matching tags (and "*") delete; a vanished set goes to missing.
	var out api.DeleteResult
	del(map[string]any{
		"ids":      []string{psARN(1), psARN(2), psARN(9), psARN(3)},
		"if_match": map[string]string{psARN(1): tags[psARN(1)], psARN(2): "*", psARN(9): `"gone"`},
	}).want(http.StatusOK).into(&out)
	if out.Deleted != 3 || len(out.Missing) != 1 || out.Missing[0] != psARN(9) {
		t.Fatalf("result %+v", out)
	}
	if left := c.listPermissionSets(""); len(left) != 1 || left[0].Id != psARN(4) {
		t.Fatalf("left %+v", left)
	}
}
