package server

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/cedar"
)

// createPolicy creates a policy from body (a map or a JSON string) and
// returns it.
func (c *tenantClient) createPolicy(body any) api.Policy {
	c.t.Helper()
	var p api.Policy
	c.do(http.MethodPost, "/v1/policies", body).want(http.StatusCreated).into(&p)
	return p
}

func TestPolicyCreateDefaultsAndGet(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()

	res := c.do(http.MethodPost, "/v1/policies", map[string]any{"name": "prod", "max_duration_seconds": 3600}).want(http.StatusCreated)
	var p api.Policy
	res.into(&p)
	if got, want := res.Header.Get("Location"), "/v1/policies/"+p.Id.String(); got != want {
		t.Errorf("Location %q, want %q", got, want)
	}
	if !p.Enabled || p.Priority != 0 || p.MaxDurationSeconds != 3600 || p.Name != "prod" {
		t.Errorf("defaults: %+v", p)
	}
	if !p.Description.IsNull() || !p.DefaultDurationSeconds.IsNull() || !p.NotificationChannel.IsNull() {
		t.Errorf("optional fields must be null: %s", res.Body)
	}
	if len(p.Rules) != 0 || p.CedarPolicySet != "" || p.Notices != nil {
		t.Errorf("rules: %s", res.Body)
	}
	if !p.CreatedAt.Equal(p.UpdatedAt) || p.CreatedAt.IsZero() {
		t.Errorf("timestamps: %v %v", p.CreatedAt, p.UpdatedAt)
	}
	get := c.do(http.MethodGet, "/v1/policies/"+p.Id.String(), nil).want(http.StatusOK)
	if get.Header.Get("ETag") == "" || get.Header.Get("ETag") != res.Header.Get("ETag") {
		t.Errorf("ETag of GET %q differs from the create's %q", get.Header.Get("ETag"), res.Header.Get("ETag"))
	}
	if string(get.Body) != string(res.Body) {
		t.Errorf("GET body differs from the create's:\n%s\n%s", get.Body, res.Body)
	}

	full := c.createPolicy(map[string]any{
		"name": "full", "description": "d", "enabled": false, "priority": -5,
		"max_duration_seconds": 7200, "default_duration_seconds": 60, "notification_channel": "#ops",
	})
	if full.Enabled || full.Priority != -5 || full.DefaultDurationSeconds.MustGet() != 60 ||
		full.Description.MustGet() != "d" || full.NotificationChannel.MustGet() != "#ops" {
		t.Errorf("full: %+v", full)
	}
}

func TestPolicyCreateValidation(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()

	e := c.do(http.MethodPost, "/v1/policies", map[string]any{}).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, "name", "max_duration_seconds")
	if f := findingAt(t, e, "name"); f.Code != "required" || f.Type != api.ValidationDetailTypeERROR {
		t.Errorf("name finding: %+v", f)
	}

	e = c.do(http.MethodPost, "/v1/policies", map[string]any{
		"name":                     strings.Repeat("n", 129),
		"description":              strings.Repeat("d", 1025),
		"priority":                 1000001,
		"max_duration_seconds":     59,
		"default_duration_seconds": 604801,
		"notification_channel":     "",
		"enabled":                  nil,
	}).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, "name", "description", "priority", "max_duration_seconds", "default_duration_seconds",
		"notification_channel", "enabled")
	if f := findingAt(t, e, "name"); f.Code != "too_long" || !strings.Contains(f.Message, "128") {
		t.Errorf("name: %+v", f)
	}
	if f := findingAt(t, e, "max_duration_seconds"); f.Code != "out_of_range" || !strings.Contains(f.Message, "60 and 604800") {
		t.Errorf("max: %+v", f)
	}

	e = c.do(http.MethodPost, "/v1/policies", map[string]any{
		"name": "p", "max_duration_seconds": 600, "default_duration_seconds": 601,
	}).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, "default_duration_seconds")
	if f := findingAt(t, e, "default_duration_seconds"); !strings.Contains(f.Message, "must not exceed max_duration_seconds (600)") {
		t.Errorf("default > max: %+v", f)
	}

	// Strict decoding: unknown fields and wrong types name the field.
	e = c.do(http.MethodPost, "/v1/policies", `{"name": "p", "max_duration_seconds": 600, "color": "red"}`).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, "color")
	e = c.do(http.MethodPost, "/v1/policies", `{"name": "p", "max_duration_seconds": "600"}`).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, "max_duration_seconds")

	// Nothing was written.
	var list api.PolicyList
	c.do(http.MethodGet, "/v1/policies", nil).want(http.StatusOK).into(&list)
	if len(list.Data) != 0 {
		t.Errorf("invalid creates wrote %d policies", len(list.Data))
	}
}

func TestPolicyNameConflict(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()
	first := c.createPolicy(map[string]any{"name": "prod", "max_duration_seconds": 3600})
	other := c.createPolicy(map[string]any{"name": "dev", "max_duration_seconds": 3600})

	e := c.do(http.MethodPost, "/v1/policies", map[string]any{"name": "prod", "max_duration_seconds": 60}).apiErr(http.StatusConflict, "conflict")
	if e.Details == nil || e.Details.ExistingId == nil || *e.Details.ExistingId != first.Id.String() {
		t.Fatalf("details.existing_id: %+v", e.Details)
	}
	if !strings.Contains(e.Message, "terraform import") || !strings.Contains(e.Message, first.Id.String()) {
		t.Errorf("message should suggest terraform import with the id: %s", e.Message)
	}

	// Renaming onto a taken name is the same conflict; renaming to itself is fine.
	e = c.do(http.MethodPatch, "/v1/policies/"+other.Id.String(), map[string]any{"name": "prod"}).apiErr(http.StatusConflict, "conflict")
	if *e.Details.ExistingId != first.Id.String() {
		t.Errorf("existing_id %s", *e.Details.ExistingId)
	}
	c.do(http.MethodPatch, "/v1/policies/"+first.Id.String(), map[string]any{"name": "prod"}).want(http.StatusOK)

	// Names are unique per tenant only.
	rs.tenant().createPolicy(map[string]any{"name": "prod", "max_duration_seconds": 3600})
}

func TestPolicyPatch(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()
	p := c.createPolicy(map[string]any{
		"name": "prod", "description": "desc", "priority": 3, "max_duration_seconds": 3600,
		"default_duration_seconds": 1800, "notification_channel": "#ops",
	})
	path := "/v1/policies/" + p.Id.String()

	// Explicit null clears; absent fields stay.
	var got api.Policy
	c.do(http.MethodPatch, path, `{"notification_channel": null, "priority": 7}`).want(http.StatusOK).into(&got)
	if !got.NotificationChannel.IsNull() || got.Priority != 7 {
		t.Errorf("patched: %+v", got)
	}
	if got.Description.MustGet() != "desc" || got.DefaultDurationSeconds.MustGet() != 1800 || got.Name != "prod" ||
		got.MaxDurationSeconds != 3600 || !got.Enabled {
		t.Errorf("absent fields changed: %+v", got)
	}
	if !got.UpdatedAt.After(p.UpdatedAt) || !got.CreatedAt.Equal(p.CreatedAt) {
		t.Errorf("updated_at %v not after %v (created_at %v -> %v)", got.UpdatedAt, p.UpdatedAt, p.CreatedAt, got.CreatedAt)
	}
	c.do(http.MethodPatch, path, `{"description": null, "default_duration_seconds": null}`).want(http.StatusOK).into(&got)
	if !got.Description.IsNull() || !got.DefaultDurationSeconds.IsNull() {
		t.Errorf("not cleared: %+v", got)
	}

	// A PATCH that changes nothing keeps updated_at (and the ETag).
	before := c.do(http.MethodGet, path, nil).want(http.StatusOK)
	var same api.Policy
	after := c.do(http.MethodPatch, path, map[string]any{"name": "prod", "priority": 7}).want(http.StatusOK)
	after.into(&same)
	if !same.UpdatedAt.Equal(got.UpdatedAt) || before.Header.Get("ETag") != after.Header.Get("ETag") {
		t.Errorf("no-op PATCH moved updated_at %v -> %v", got.UpdatedAt, same.UpdatedAt)
	}

	// default <= max is checked against the merged result.
	c.do(http.MethodPatch, path, map[string]any{"default_duration_seconds": 1200}).want(http.StatusOK)
	e := c.do(http.MethodPatch, path, map[string]any{"max_duration_seconds": 600}).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, "max_duration_seconds")
	e = c.do(http.MethodPatch, path, map[string]any{"default_duration_seconds": 7200}).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, "default_duration_seconds")
	c.do(http.MethodPatch, path, map[string]any{"max_duration_seconds": 600, "default_duration_seconds": 300}).want(http.StatusOK)

	// Non-nullable fields cannot be null; ranges apply.
	e = c.do(http.MethodPatch, path, `{"name": null, "enabled": null, "priority": -1000001}`).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, "name", "enabled", "priority")
	e = c.do(http.MethodPatch, path, `{"cedar_policy_set": "permit (principal, action, resource);"}`).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, "cedar_policy_set")

	c.do(http.MethodPatch, "/v1/policies/2489e9ad-2ee2-4e00-8ec9-32d5f69181c0", map[string]any{"priority": 1}).apiErr(http.StatusNotFound, "not_found")
}

func TestPolicyIfMatch(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()
	created := c.do(http.MethodPost, "/v1/policies", map[string]any{"name": "prod", "max_duration_seconds": 3600}).want(http.StatusCreated)
	var p api.Policy
	created.into(&p)
	path := "/v1/policies/" + p.Id.String()
	tag := created.Header.Get("ETag")

	patched := c.do(http.MethodPatch, path, map[string]any{"priority": 1}, "If-Match", tag).want(http.StatusOK)
	newTag := patched.Header.Get("ETag")
	if newTag == tag {
		t.Fatal("ETag did not change with the representation")
	}
	// The old tag is stale now: 412 and nothing changes.
	c.do(http.MethodPatch, path, map[string]any{"priority": 2}, "If-Match", tag).apiErr(http.StatusPreconditionFailed, "precondition_failed")
	c.do(http.MethodDelete, path, nil, "If-Match", tag).apiErr(http.StatusPreconditionFailed, "precondition_failed")
	var cur api.Policy
	c.do(http.MethodGet, path, nil).want(http.StatusOK).into(&cur)
	if cur.Priority != 1 {
		t.Errorf("a stale If-Match changed the policy: priority %d", cur.Priority)
	}
	// A rule change changes the policy's representation, hence its tag.
	c.do(http.MethodPost, path+"/rules", map[string]any{"policy_text": "permit (principal, action, resource);"}).want(http.StatusCreated)
	c.do(http.MethodPatch, path, map[string]any{"priority": 2}, "If-Match", newTag).apiErr(http.StatusPreconditionFailed, "precondition_failed")

	cur2 := c.do(http.MethodGet, path, nil).want(http.StatusOK)
	c.do(http.MethodPatch, path, map[string]any{"priority": 3}, "If-Match", "*").want(http.StatusOK)
	cur3 := c.do(http.MethodGet, path, nil).want(http.StatusOK)
	if cur2.Header.Get("ETag") == cur3.Header.Get("ETag") {
		t.Error("ETag unchanged after PATCH")
	}
	c.do(http.MethodDelete, path, nil, "If-Match", cur3.Header.Get("ETag")).want(http.StatusNoContent)
	c.do(http.MethodGet, path, nil).apiErr(http.StatusNotFound, "not_found")
	c.do(http.MethodDelete, path, nil).apiErr(http.StatusNotFound, "not_found")
}

func TestPolicyListPagination(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()
	type key struct {
		priority int
		name     string
	}
	var keys []key
	for i, pr := range []int{0, 5, 5, -1, 10, 0, 5} {
		name := fmt.Sprintf("p%d", (i*3)%7)
		keys = append(keys, key{pr, name})
		p := c.createPolicy(map[string]any{"name": name, "priority": pr, "max_duration_seconds": 3600})
		if i == 0 {
			c.do(http.MethodPost, "/v1/policies/"+p.Id.String()+"/rules", map[string]any{"policy_text": "permit (principal, action, resource);"}).want(http.StatusCreated)
			c.do(http.MethodPost, "/v1/policies/"+p.Id.String()+"/rules", map[string]any{"policy_text": "forbid (principal, action, resource);"}).want(http.StatusCreated)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].priority != keys[j].priority {
			return keys[i].priority > keys[j].priority
		}
		return keys[i].name < keys[j].name
	})

	var got []api.PolicySummary
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
		path := "/v1/policies?limit=2"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		var page api.PolicyList
		c.do(http.MethodGet, path, nil).want(http.StatusOK).into(&page)
		got = append(got, page.Data...)
		if !page.HasMore {
			if !page.NextCursor.IsNull() {
				t.Errorf("last page has a next_cursor")
			}
			break
		}
		if len(page.Data) != 2 {
			t.Fatalf("a page that has_more holds %d items", len(page.Data))
		}
		cursor = page.NextCursor.MustGet()
	}
	if len(got) != len(keys) {
		t.Fatalf("walked %d policies, want %d", len(got), len(keys))
	}
	for i, p := range got {
		if p.Priority != keys[i].priority || p.Name != keys[i].name {
			t.Errorf("item %d: %d %s, want %d %s", i, p.Priority, p.Name, keys[i].priority, keys[i].name)
		}
		want := 0
		if p.Name == "p0" {
			want = 2
		}
		if p.RuleCount != want {
			t.Errorf("%s: rule_count %d, want %d", p.Name, p.RuleCount, want)
		}
	}

	var one api.PolicyList
	c.do(http.MethodGet, "/v1/policies?name=p3", nil).want(http.StatusOK).into(&one)
	if len(one.Data) != 1 || one.Data[0].Name != "p3" || one.HasMore {
		t.Errorf("name filter: %+v", one)
	}
	c.do(http.MethodGet, "/v1/policies?name=nope", nil).want(http.StatusOK).into(&one)
	if len(one.Data) != 0 {
		t.Errorf("name filter matched %d", len(one.Data))
	}

	e := c.do(http.MethodGet, "/v1/policies?cursor=garbage!", nil).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, "cursor")
	e = c.do(http.MethodGet, "/v1/policies?limit=0", nil).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, "limit")
	e = c.do(http.MethodGet, "/v1/policies?limit=251&cursor=x", nil).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, "limit", "cursor")
	c.do(http.MethodGet, "/v1/policies?limit=250", nil).want(http.StatusOK)
	// A cursor of another list is not accepted.
	e = c.do(http.MethodGet, "/v1/policies?cursor="+encodeCursor(pageKey{List: "permission-sets", ID: "x"}), nil).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, "cursor")
}

func TestPolicyCedarPolicySet(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()
	set := `// Break-glass access for SRE.
permit (principal in Group::"sre", action == Action::"request_access", resource in AwsAccount::"123456789012")
when { context.duration_seconds <= 3600 };

@id("no-mfa")
forbid (principal, action, resource) unless { context.mfa_authenticated };

permit (principal is User in Group::"dba", action in [Action::"approve", Action::"deny"], resource is AwsPermissionSet);
`
	res := c.do(http.MethodPost, "/v1/policies", map[string]any{"name": "set", "max_duration_seconds": 3600, "cedar_policy_set": set}).want(http.StatusCreated)
	var p api.Policy
	res.into(&p)
	if len(p.Rules) != 3 {
		t.Fatalf("%d rules, want 3: %s", len(p.Rules), res.Body)
	}
	var texts []string
	for i, r := range p.Rules {
		if r.Ordinal != i+1 || r.PolicyId != p.Id || !r.AuditSession {
			t.Errorf("rule %d: ordinal %d policy %s audit %v", i, r.Ordinal, r.PolicyId, r.AuditSession)
		}
		texts = append(texts, r.PolicyText)
	}
	if p.CedarPolicySet != strings.Join(texts, "\n\n") {
		t.Errorf("cedar_policy_set is not the rules' texts joined:\n%s", p.CedarPolicySet)
	}
	r0, r1, r2 := p.Rules[0], p.Rules[1], p.Rules[2]
	if r0.Effect != api.EffectPermit || r0.PrincipalScopeType != api.ScopeTypeIn || r0.PrincipalEntityType.MustGet() != "Group" ||
		r0.PrincipalEntityId.MustGet() != "sre" || r0.ActionScopeType != api.ActionScopeTypeEq || r0.ActionIds[0] != "request_access" ||
		r0.ResourceEntityId.MustGet() != "123456789012" || !strings.Contains(r0.Conditions.MustGet(), "context.duration_seconds <= 3600") {
		t.Errorf("rule 1: %+v", r0)
	}
	if r1.Effect != api.EffectForbid || r1.PrincipalScopeType != api.ScopeTypeAny || !r1.PrincipalEntityType.IsNull() ||
		r1.ActionScopeType != api.ActionScopeTypeAny || len(r1.ActionIds) != 0 || !strings.HasPrefix(r1.Conditions.MustGet(), "unless") {
		t.Errorf("rule 2: %+v", r1)
	}
	if r2.PrincipalScopeType != api.ScopeTypeIsIn || r2.PrincipalEntityType.MustGet() != "User" || r2.PrincipalInEntityType.MustGet() != "Group" ||
		r2.ActionScopeType != api.ActionScopeTypeIn || len(r2.ActionIds) != 2 || r2.ResourceScopeType != api.ScopeTypeIs || !r2.Conditions.IsNull() {
		t.Errorf("rule 3: %+v", r2)
	}
	// Each stored text is the assembled form of its fields.
	for i, r := range p.Rules {
		cr, err := cedar.Decompose(r.PolicyText)
		if err != nil || cedar.Assemble(cr) != r.PolicyText {
			t.Errorf("rule %d text is not canonical: %v\n%s", i, err, r.PolicyText)
		}
	}
	// The dropped annotation is a notice of the write (not of GET).
	if p.Notices == nil || !strings.Contains(strings.Join(*p.Notices, "\n"), "statement 2: annotations (@id)") {
		t.Errorf("notices: %v", p.Notices)
	}
	get := c.do(http.MethodGet, "/v1/policies/"+p.Id.String(), nil).want(http.StatusOK)
	if get.Header.Get("ETag") != res.Header.Get("ETag") {
		t.Error("the write's ETag must be the representation's, without notices")
	}
	if strings.Contains(string(get.Body), "notices") {
		t.Errorf("GET carries notices: %s", get.Body)
	}
	var rules api.RuleList
	c.do(http.MethodGet, "/v1/policies/"+p.Id.String()+"/rules", nil).want(http.StatusOK).into(&rules)
	if len(rules.Data) != 3 || rules.Data[2].Id != r2.Id {
		t.Errorf("rules list: %+v", rules.Data)
	}

	// Re-creating from the assembled set gives the same rules.
	again := c.createPolicy(map[string]any{"name": "again", "max_duration_seconds": 3600, "cedar_policy_set": p.CedarPolicySet})
	if again.CedarPolicySet != p.CedarPolicySet {
		t.Errorf("cedar_policy_set does not round-trip:\n%s\n---\n%s", again.CedarPolicySet, p.CedarPolicySet)
	}
}

func TestPolicyCedarPolicySetInvalid(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()
	set := "permit (principal, action, resource);\n\nforbid (principal, action, resource)\nwhen { context.duration_seconds > };\n"
	e := c.do(http.MethodPost, "/v1/policies", map[string]any{"name": "bad", "max_duration_seconds": 3600, "cedar_policy_set": set}).
		apiErr(http.StatusBadRequest, "invalid_cedar")
	wantLocations(t, e, "cedar_policy_set")
	f := findingAt(t, e, "cedar_policy_set")
	if f.Line == nil || *f.Line != 4 || f.Column == nil || *f.Column < 1 || f.Code != "cedar_syntax" {
		t.Errorf("finding: %+v (line %v column %v)", f, f.Line, f.Column)
	}

	// A statement that is valid Cedar but that the rule model cannot hold
	// (an empty entity id).
	e = c.do(http.MethodPost, "/v1/policies", map[string]any{"name": "bad", "max_duration_seconds": 3600,
		"cedar_policy_set": "permit (principal, action, resource);\npermit (principal == User::\"\", action, resource);"}).
		apiErr(http.StatusBadRequest, "invalid_cedar")
	if f := findingAt(t, e, "cedar_policy_set"); !strings.Contains(f.Message, "statement 2") || f.Code != "cedar_unsupported" {
		t.Errorf("finding: %+v", f)
	}
	// Field problems and Cedar problems together are invalid_request.
	e = c.do(http.MethodPost, "/v1/policies", map[string]any{"name": "", "max_duration_seconds": 3600, "cedar_policy_set": "nonsense"}).
		apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, "name", "cedar_policy_set")

	var list api.PolicyList
	c.do(http.MethodGet, "/v1/policies", nil).want(http.StatusOK).into(&list)
	if len(list.Data) != 0 {
		t.Errorf("invalid creates wrote %d policies", len(list.Data))
	}
}

func TestPolicyDeleteCascadesRules(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()
	p := c.createPolicy(map[string]any{"name": "p", "max_duration_seconds": 3600,
		"cedar_policy_set": "permit (principal, action, resource);\nforbid (principal, action, resource);"})
	keep := c.createPolicy(map[string]any{"name": "keep", "max_duration_seconds": 3600,
		"cedar_policy_set": "permit (principal, action, resource);"})
	c.do(http.MethodDelete, "/v1/policies/"+p.Id.String(), nil).want(http.StatusNoContent)
	count := func(policyID string) int {
		var n int
		if err := rs.srv.db.QueryRowContext(t.Context(), `SELECT count(*) FROM rules WHERE policy_id = ?`, policyID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(p.Id.String()); n != 0 {
		t.Errorf("%d rules of the deleted policy remain", n)
	}
	if n := count(keep.Id.String()); n != 1 {
		t.Errorf("the other policy has %d rules, want 1", n)
	}
	c.do(http.MethodGet, "/v1/policies/"+p.Id.String()+"/rules", nil).apiErr(http.StatusNotFound, "not_found")
}

func TestPolicyTenantIsolation(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	a, b := rs.tenant(), rs.tenant()
	p := a.createPolicy(map[string]any{"name": "prod", "max_duration_seconds": 3600,
		"cedar_policy_set": "permit (principal, action, resource);"})
	path := "/v1/policies/" + p.Id.String()
	rulePath := path + "/rules/" + p.Rules[0].Id.String()

	b.do(http.MethodGet, path, nil).apiErr(http.StatusNotFound, "not_found")
	b.do(http.MethodPatch, path, map[string]any{"priority": 1}).apiErr(http.StatusNotFound, "not_found")
	b.do(http.MethodDelete, path, nil).apiErr(http.StatusNotFound, "not_found")
	b.do(http.MethodGet, path+"/rules", nil).apiErr(http.StatusNotFound, "not_found")
	b.do(http.MethodPost, path+"/rules", map[string]any{"policy_text": "permit (principal, action, resource);"}).apiErr(http.StatusNotFound, "not_found")
	b.do(http.MethodGet, rulePath, nil).apiErr(http.StatusNotFound, "not_found")
	b.do(http.MethodPatch, rulePath, map[string]any{"notice": "x"}).apiErr(http.StatusNotFound, "not_found")
	b.do(http.MethodDelete, rulePath, nil).apiErr(http.StatusNotFound, "not_found")
	b.do(http.MethodPatch, path+"/rules/reorder", map[string]any{"ids": []string{p.Rules[0].Id.String()}}).apiErr(http.StatusNotFound, "not_found")

	var list api.PolicyList
	b.do(http.MethodGet, "/v1/policies", nil).want(http.StatusOK).into(&list)
	if len(list.Data) != 0 {
		t.Errorf("tenant B lists %d policies", len(list.Data))
	}
	b.do(http.MethodGet, "/v1/policies?name=prod", nil).want(http.StatusOK).into(&list)
	if len(list.Data) != 0 {
		t.Errorf("tenant B finds A's policy by name")
	}
	// B's own policy of the same name is independent.
	bp := b.createPolicy(map[string]any{"name": "prod", "max_duration_seconds": 60})
	// A rule of B's policy cannot be reached through A's policy, and vice versa.
	a.do(http.MethodGet, "/v1/policies/"+bp.Id.String(), nil).apiErr(http.StatusNotFound, "not_found")

	var still api.Policy
	a.do(http.MethodGet, path, nil).want(http.StatusOK).into(&still)
	if still.Priority != 0 || len(still.Rules) != 1 {
		t.Errorf("tenant B changed A's policy: %+v", still)
	}
}
