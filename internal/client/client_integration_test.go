package client_test

// Integration tests: the client against jitsudo-local (internal/server)
// in-process on a loopback port, behind the contract validator where the
// traffic is meant to conform.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oapi-codegen/nullable"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/apitest"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/client"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/server"
)

const rolesJSON = `{
  "roles": [
    {"name": "sre", "description": "Site reliability"},
    {"name": "dev"},
    {"name": "ops"}
  ],
  "sources": [
    {"name": "aws-prod", "aws_roles": [
      {"arn": "arn:aws:iam::123456789012:role/Admin", "description": "Administrator"},
      {"arn": "arn:aws:iam::123456789012:role/ReadOnly"},
      {"arn": "arn:aws:iam::123456789012:role/deploy/Deployer"}
    ]}
  ]
}`

// env is a running jitsudo-local with one tenant and a client of it.
type env struct {
	t         *testing.T
	srv       *server.Server
	http      *httptest.Server
	validator *apitest.Validator // nil unless validated
	requests  atomic.Int64       // requests that reached the server
	rolesFile string
	tenant    string
	key       string
	c         *client.Client
}

type envOptions struct {
	validate  bool
	rateLimit float64
	cfg       func(*client.Config)
}

func newEnv(t *testing.T, o envOptions) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, tenant: uuid.NewString(), key: "jsk_" + strings.ReplaceAll(uuid.NewString(), "-", "")}
	e.rolesFile = filepath.Join(t.TempDir(), "roles.json")
	if err := os.WriteFile(e.rolesFile, []byte(rolesJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(ctx, server.Options{DBPath: ":memory:", RolesFile: e.rolesFile, RateLimit: o.rateLimit})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	t.Cleanup(func() { _ = srv.Close() })
	if err := srv.EnsureTenant(ctx, e.tenant); err != nil {
		t.Fatal(err)
	}
	if err := srv.AddKey(ctx, e.tenant, e.key, false); err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	if o.validate {
		if e.validator, err = apitest.New(h); err != nil {
			t.Fatal(err)
		}
		h = e.validator
	}
	inner := h
	h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.requests.Add(1)
		inner.ServeHTTP(w, r)
	})
	e.http = httptest.NewServer(h)
	t.Cleanup(e.http.Close)
	if e.validator != nil {
		t.Cleanup(func() {
			for _, p := range e.validator.Problems() {
				t.Errorf("contract: %s", p)
			}
		})
	}
	e.c = e.client(func(c *client.Config) {
		if o.cfg != nil {
			o.cfg(c)
		}
	})
	return e
}

// client returns a client of the server with fast retries, modified by mod.
func (e *env) client(mod func(*client.Config)) *client.Client {
	e.t.Helper()
	cfg := client.Config{
		Endpoint: e.http.URL, APIKey: e.key, TenantID: e.tenant, UserAgent: "terraform-provider-jitsudo/test",
		RetryWaitMin: time.Millisecond, RetryWaitMax: 20 * time.Millisecond,
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := client.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *env) faults(spec string) {
	e.t.Helper()
	if err := e.srv.SetFaults(spec); err != nil {
		e.t.Fatalf("SetFaults(%q): %v", spec, err)
	}
}

// policyNames lists every policy name, sorted.
func (e *env) policyNames(ctx context.Context) []string {
	e.t.Helper()
	var names []string
	for p, err := range e.c.AllPolicies(ctx, api.ListPoliciesParams{Limit: new(250)}) {
		if err != nil {
			e.t.Fatal(err)
		}
		names = append(names, p.Name)
	}
	sort.Strings(names)
	return names
}

// must(f())(t) is f's value; f's error fails the test.
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func wantErr(t *testing.T, err error, target error) *client.APIError {
	t.Helper()
	var ae *client.APIError
	if !errors.Is(err, target) || !errors.As(err, &ae) {
		t.Fatalf("err = %v, want %v", err, target)
	}
	return ae
}

// TestIntegrationContract drives every operation of the contract through
// the client, with the contract validator checking each request and
// response, and then checks that no operation was left out.
func TestIntegrationContract(t *testing.T) {
	e := newEnv(t, envOptions{validate: true})
	c := e.c
	ctx := context.Background()

	t.Run("meta", func(t *testing.T) {
		if h := must(c.GetHealth(ctx))(t); h.Status != api.HealthStatusOk {
			t.Fatalf("health %+v", h)
		}
		if s := must(c.GetCedarSchema(ctx))(t); s.Format != api.CedarSchemaFormatCedarschema || !strings.Contains(s.Schema, "AwsAccount") {
			t.Fatalf("schema %+v", s)
		}
		counts := must(c.GetDebugRequests(ctx))(t)
		if counts.Total < 2 || counts.Routes["GET /v1/cedar/schema"] < 1 {
			t.Fatalf("debug counts %+v", counts)
		}
	})

	t.Run("policies", func(t *testing.T) {
		var created client.Response
		p := must(c.CreatePolicy(ctx, api.PolicyCreate{
			Name: "prod-breakglass", Description: nullable.NewNullableWithValue("Emergency access"),
			Priority: new(10), MaxDurationSeconds: 3600, DefaultDurationSeconds: nullable.NewNullableWithValue(1800),
			NotificationChannel: nullable.NewNullableWithValue("#sre-oncall"),
		}, client.WithResponse(&created)))(t)
		if created.StatusCode != http.StatusCreated || created.ETag == "" || created.RequestID == "" || created.Replayed {
			t.Fatalf("create response %+v", created)
		}
		if p.Name != "prod-breakglass" || !p.Enabled || p.Priority != 10 || p.Description.MustGet() != "Emergency access" || len(p.Rules) != 0 {
			t.Fatalf("created %+v", p)
		}
		id := p.Id.String()

		var read client.Response
		got := must(c.GetPolicy(ctx, id, client.WithResponse(&read)))(t)
		if got.Id != p.Id || read.ETag == "" {
			t.Fatalf("get %+v %+v", got, read)
		}

		_, err := c.CreatePolicy(ctx, api.PolicyCreate{Name: "prod-breakglass", MaxDurationSeconds: 60})
		if ae := wantErr(t, err, client.ErrConflict); ae.ExistingID() != id {
			t.Fatalf("conflict names %q, want %s", ae.ExistingID(), id)
		}
		_, err = c.CreatePolicy(ctx, api.PolicyCreate{Name: "bad", MaxDurationSeconds: 600, DefaultDurationSeconds: nullable.NewNullableWithValue(1200)})
		if ae := wantErr(t, err, client.ErrInvalidRequest); len(ae.Validation()) == 0 || ae.Validation()[0].Location != "default_duration_seconds" {
			t.Fatalf("validation %+v", ae.Validation())
		}

		var updated client.Response
		up := must(c.UpdatePolicy(ctx, id, api.PolicyUpdate{Priority: new(20), Description: nullable.NewNullNullable[string]()},
			client.IfMatch(read.ETag), client.WithResponse(&updated)))(t)
		if up.Priority != 20 || !up.Description.IsNull() || up.NotificationChannel.MustGet() != "#sre-oncall" {
			t.Fatalf("updated %+v", up)
		}
		_, err = c.UpdatePolicy(ctx, id, api.PolicyUpdate{Priority: new(30)}, client.IfMatch(read.ETag))
		wantErr(t, err, client.ErrPreconditionFailed)

		list := must(c.ListPolicies(ctx, api.ListPoliciesParams{Name: new("prod-breakglass")}))(t)
		if len(list.Data) != 1 || list.Data[0].Id != p.Id || list.HasMore {
			t.Fatalf("list by name %+v", list)
		}

		err = c.DeletePolicy(ctx, id, client.IfMatch(`"stale"`))
		wantErr(t, err, client.ErrPreconditionFailed)
		if err := c.DeletePolicy(ctx, id, client.IfMatch(updated.ETag)); err != nil {
			t.Fatal(err)
		}
		_, err = c.GetPolicy(ctx, id)
		wantErr(t, err, client.ErrNotFound)
		wantErr(t, c.DeletePolicy(ctx, id), client.ErrNotFound)
	})

	t.Run("rules", func(t *testing.T) {
		p := must(c.CreatePolicy(ctx, api.PolicyCreate{Name: "rules", MaxDurationSeconds: 3600}))(t)
		pid := p.Id.String()
		r1 := must(c.CreateRule(ctx, pid, api.RuleCreate{
			Effect:              new(api.EffectPermit),
			PrincipalScopeType:  new(api.ScopeTypeIn),
			PrincipalEntityType: nullable.NewNullableWithValue("Group"),
			PrincipalEntityId:   nullable.NewNullableWithValue("sre"),
			ActionScopeType:     new(api.ActionScopeTypeEq),
			ActionIds:           &[]string{"request_access"},
			ResourceScopeType:   new(api.ScopeTypeIn),
			ResourceEntityType:  nullable.NewNullableWithValue("AwsAccount"),
			ResourceEntityId:    nullable.NewNullableWithValue("123456789012"),
			Conditions:          nullable.NewNullableWithValue("when { context.duration_seconds <= 3600 }"),
			Notice:              nullable.NewNullableWithValue("Break-glass access is audited."),
		}))(t)
		if r1.PolicyId != p.Id || !strings.Contains(r1.PolicyText, `Group::"sre"`) || !r1.AuditSession {
			t.Fatalf("structured rule %+v", r1)
		}
		r2 := must(c.CreateRule(ctx, pid, api.RuleCreate{PolicyText: new(`forbid (principal, action, resource) unless { context.mfa_authenticated };`)}))(t)
		if r2.Effect != api.EffectForbid || r2.Ordinal <= r1.Ordinal {
			t.Fatalf("cedar rule %+v (first ordinal %d)", r2, r1.Ordinal)
		}
		_, err := c.CreateRule(ctx, pid, api.RuleCreate{PolicyText: new(`permit (principal, action, resource) when { nope`)})
		if ae := wantErr(t, err, client.ErrInvalidCedar); len(ae.Validation()) == 0 {
			t.Fatalf("invalid Cedar without validation details: %v", ae)
		}

		var read client.Response
		got := must(c.GetRule(ctx, pid, r1.Id.String(), client.WithResponse(&read)))(t)
		if got.Id != r1.Id || read.ETag == "" {
			t.Fatalf("get rule %+v", got)
		}
		up := must(c.UpdateRule(ctx, pid, r1.Id.String(), api.RuleUpdate{Notice: nullable.NewNullNullable[string]()}, client.IfMatch(read.ETag)))(t)
		if !up.Notice.IsNull() || up.Ordinal != r1.Ordinal {
			t.Fatalf("updated rule %+v", up)
		}
		_, err = c.UpdateRule(ctx, pid, r1.Id.String(), api.RuleUpdate{AuditSession: new(false)}, client.IfMatch(read.ETag))
		wantErr(t, err, client.ErrPreconditionFailed)

		list := must(c.ListRules(ctx, pid, api.ListRulesParams{}))(t)
		if len(list.Data) != 2 || list.Data[0].Id != r1.Id {
			t.Fatalf("rules %+v", list.Data)
		}
		re := must(c.ReorderRules(ctx, pid, []string{r2.Id.String(), r1.Id.String()}))(t)
		if len(re.Data) != 2 || re.Data[0].Id != r2.Id || re.Data[1].Id != r1.Id {
			t.Fatalf("reordered %+v", re.Data)
		}
		pol := must(c.GetPolicy(ctx, pid))(t)
		if len(pol.Rules) != 2 || !strings.HasPrefix(pol.CedarPolicySet, "forbid") {
			t.Fatalf("policy after reorder: %+v", pol)
		}

		if err := c.DeleteRule(ctx, pid, r2.Id.String()); err != nil {
			t.Fatal(err)
		}
		_, err = c.GetRule(ctx, pid, r2.Id.String())
		wantErr(t, err, client.ErrNotFound)
		if r := must(c.GetRule(ctx, pid, r1.Id.String()))(t); r.Ordinal != r2.Ordinal {
			// r1 took r2's ordinal in the reorder and keeps it after the delete.
			t.Fatalf("ordinal of the remaining rule %d, want %d", r.Ordinal, r2.Ordinal)
		}
	})

	t.Run("permission sets", func(t *testing.T) {
		arn1 := "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1111111111111111"
		arn2 := "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-2222222222222222"
		n := must(c.UpsertPermissionSets(ctx, []api.PermissionSetInput{
			{Id: arn1, Name: "ReadOnly", AccountId: nullable.NewNullableWithValue("123456789012"),
				Metadata: &map[string]any{"team": "platform"}, Rank: nullable.NewNullableWithValue(1),
				Description: nullable.NewNullableWithValue("Read-only access"), SessionDuration: nullable.NewNullableWithValue("PT8H"),
				RelayState: nullable.NewNullableWithValue("https://console.aws.amazon.com/")},
			{Id: arn2, Name: "Admin", AccountId: nullable.NewNullableWithValue("210987654321")},
		}))(t)
		if n != 2 {
			t.Fatalf("upserted %d", n)
		}
		var read client.Response
		ps := must(c.GetPermissionSet(ctx, arn1, client.WithResponse(&read)))(t)
		if ps.Id != arn1 || ps.SessionDuration.MustGet() != "PT8H" || ps.Metadata["team"] != "platform" || read.ETag == "" {
			t.Fatalf("permission set %+v", ps)
		}
		list := must(c.ListPermissionSets(ctx, api.ListPermissionSetsParams{AccountId: new("210987654321")}))(t)
		if len(list.Data) != 1 || list.Data[0].Id != arn2 {
			t.Fatalf("by account: %+v", list.Data)
		}
		_, err := c.UpsertPermissionSets(ctx, []api.PermissionSetInput{
			{Id: arn1, Name: "ok"}, {Id: arn2, Name: "bad", SessionDuration: nullable.NewNullableWithValue("8 hours")},
		})
		ae := wantErr(t, err, client.ErrInvalidRequest)
		if !slices.ContainsFunc(ae.Validation(), func(v api.ValidationDetail) bool { return v.Location == "resources[1].session_duration" }) {
			t.Fatalf("validation %+v", ae.Validation())
		}
		if ps := must(c.GetPermissionSet(ctx, arn1))(t); ps.Name != "ReadOnly" {
			t.Fatalf("a rejected batch changed %s: %+v", arn1, ps)
		}

		// Versions in the body: the list's etag is the GET's ETag.
		if ps.Etag != read.ETag {
			t.Fatalf("etag %q, ETag header %q", ps.Etag, read.ETag)
		}
		all := must(c.ListPermissionSets(ctx, api.ListPermissionSetsParams{}))(t)
		if len(all.Data) != 2 || all.Data[0].Etag != read.ETag || all.Data[1].Etag == "" {
			t.Fatalf("etags in the list %+v", all.Data)
		}
		// Bulk preconditions: one failing item rejects the batch with details.
		_, err = c.UpsertPermissionSets(ctx, []api.PermissionSetInput{
			{Id: arn1, Name: "ReadOnly2", IfMatch: new(read.ETag)},
			{Id: arn2, Name: "Admin2", IfNoneMatch: new(api.PermissionSetInputIfNoneMatchAsterisk)},
		})
		ae = wantErr(t, err, client.ErrPreconditionFailed)
		if v := ae.Validation(); len(v) != 1 || v[0].Location != "resources[1].if_none_match" || v[0].Code != "precondition_failed" {
			t.Fatalf("validation %+v", v)
		}
		if n := must(c.UpsertPermissionSets(ctx, []api.PermissionSetInput{{Id: arn1, Name: "ReadOnly", IfMatch: new(read.ETag),
			AccountId: nullable.NewNullableWithValue("123456789012"), Metadata: &map[string]any{"team": "platform"}, Rank: nullable.NewNullableWithValue(1),
			Description: nullable.NewNullableWithValue("Read-only access"), SessionDuration: nullable.NewNullableWithValue("PT8H"),
			RelayState: nullable.NewNullableWithValue("https://console.aws.amazon.com/")}}))(t); n != 1 {
			t.Fatalf("upserted %d", n)
		}
		ps = must(c.GetPermissionSet(ctx, arn1, client.WithResponse(&read)))(t)
		_, err = c.DeletePermissionSets(ctx, []string{arn1}, map[string]string{arn1: `"stale"`})
		ae = wantErr(t, err, client.ErrPreconditionFailed)
		if v := ae.Validation(); len(v) != 1 || v[0].Location != `if_match["`+arn1+`"]` {
			t.Fatalf("validation %+v", v)
		}

		wantErr(t, c.DeletePermissionSet(ctx, arn1, client.IfMatch(`"stale"`)), client.ErrPreconditionFailed)
		if err := c.DeletePermissionSet(ctx, arn1, client.IfMatch(read.ETag)); err != nil {
			t.Fatal(err)
		}
		_, err = c.GetPermissionSet(ctx, arn1)
		wantErr(t, err, client.ErrNotFound)
		res := must(c.DeletePermissionSets(ctx, []string{arn2, arn1}, map[string]string{arn1: ps.Etag}))(t)
		if res.Deleted != 1 || !slices.Equal(res.Missing, []string{arn1}) {
			t.Fatalf("bulk delete %+v", res)
		}
	})

	t.Run("roles and AWS roles", func(t *testing.T) {
		roles := map[string]string{}
		for r, err := range c.AllRoles(ctx, api.ListRolesParams{}) {
			if err != nil {
				t.Fatal(err)
			}
			roles[r.Name] = r.Id.String()
		}
		if len(roles) != 3 {
			t.Fatalf("roles %v", roles)
		}
		if l := must(c.ListRoles(ctx, api.ListRolesParams{Name: new("sre")}))(t); len(l.Data) != 1 || l.Data[0].Description.MustGet() != "Site reliability" {
			t.Fatalf("role by name %+v", l.Data)
		}
		aws := must(c.ListAwsRoles(ctx, api.ListAwsRolesParams{Arn: new("arn:aws:iam::123456789012:role/Admin")}))(t)
		if len(aws.Data) != 1 || aws.Data[0].Name != "Admin" || aws.Data[0].Status != api.AwsRoleStatusOK {
			t.Fatalf("AWS role by ARN %+v", aws.Data)
		}
		admin := aws.Data[0].Id.String()
		if r := must(c.GetAwsRole(ctx, admin))(t); r.Arn != "arn:aws:iam::123456789012:role/Admin" || len(r.Roles) != 0 {
			t.Fatalf("AWS role %+v", r)
		}

		var read client.Response
		must(c.GetAwsRoleMapping(ctx, admin, client.WithResponse(&read)))(t)
		m := must(c.SetAwsRoleMapping(ctx, admin, []string{roles["sre"], roles["ops"], roles["sre"]}, client.IfMatch(read.ETag)))(t)
		if len(m.Data) != 2 || m.Data[0].Name != "ops" || m.Data[1].Name != "sre" || m.HasMore {
			t.Fatalf("mapping %+v", m.Data)
		}
		_, err := c.SetAwsRoleMapping(ctx, admin, nil, client.IfMatch(read.ETag))
		wantErr(t, err, client.ErrPreconditionFailed)
		unknown := uuid.NewString()
		_, err = c.SetAwsRoleMapping(ctx, admin, []string{roles["dev"], unknown})
		if ae := wantErr(t, err, client.ErrInvalidRequest); !strings.Contains(ae.Error(), unknown) {
			t.Fatalf("unknown role not named: %v", ae)
		}
		if r := must(c.GetAwsRole(ctx, admin))(t); len(r.Roles) != 2 {
			t.Fatalf("AWS role after a rejected mapping %+v", r.Roles)
		}
		if m := must(c.SetAwsRoleMapping(ctx, admin, []string{}))(t); len(m.Data) != 0 {
			t.Fatalf("cleared mapping %+v", m.Data)
		}

		// A rescan marks vanished roles MISSING.
		if err := os.WriteFile(e.rolesFile, []byte(strings.Replace(rolesJSON, `,
      {"arn": "arn:aws:iam::123456789012:role/deploy/Deployer"}`, "", 1)), 0o600); err != nil {
			t.Fatal(err)
		}
		missing := must(c.ListAwsRoles(ctx, api.ListAwsRolesParams{Refresh: new(true), Status: new(api.AwsRoleStatusMISSING)}))(t)
		if len(missing.Data) != 1 || missing.Data[0].Name != "Deployer" {
			t.Fatalf("MISSING after a rescan: %+v", missing.Data)
		}
	})

	t.Run("auth", func(t *testing.T) {
		_, err := e.client(func(c *client.Config) { c.APIKey = "jsk_unknown" }).ListPolicies(ctx, api.ListPoliciesParams{})
		wantErr(t, err, client.ErrUnauthenticated)

		other := uuid.NewString()
		if err := e.srv.EnsureTenant(ctx, other); err != nil {
			t.Fatal(err)
		}
		_, err = e.client(func(c *client.Config) { c.TenantID = other }).ListPolicies(ctx, api.ListPoliciesParams{})
		wantErr(t, err, client.ErrTenantMismatch)

		if err := e.srv.AddKey(ctx, e.tenant, "jsk_read_only", true); err != nil {
			t.Fatal(err)
		}
		ro := e.client(func(c *client.Config) { c.APIKey = "jsk_read_only" })
		must(ro.ListPolicies(ctx, api.ListPoliciesParams{}))(t)
		_, err = ro.CreatePolicy(ctx, api.PolicyCreate{Name: "ro", MaxDurationSeconds: 60})
		if wantErr(t, err, client.ErrForbidden); errors.Is(err, client.ErrTenantMismatch) {
			t.Fatalf("read-only write reported as a tenant mismatch: %v", err)
		}
	})

	// Every operation of the contract went through the client.
	seen := e.validator.Seen()
	for op, route := range e.validator.Operations() {
		if len(seen[op]) == 0 {
			t.Errorf("operation %s (%s) was not exercised", op, route)
		}
	}
}

func TestIntegrationPagination(t *testing.T) {
	e := newEnv(t, envOptions{validate: true})
	c := e.c
	ctx := context.Background()

	var want []string
	for i := range 7 {
		name := fmt.Sprintf("policy-%02d", i)
		want = append(want, name)
		must(c.CreatePolicy(ctx, api.PolicyCreate{Name: name, MaxDurationSeconds: 60}))(t)
	}
	before := e.requests.Load()
	var got []string
	for p, err := range c.AllPolicies(ctx, api.ListPoliciesParams{Limit: new(3)}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p.Name)
	}
	if !slices.Equal(got, want) { // same priority: by name
		t.Fatalf("policies %q, want %q", got, want)
	}
	if pages := e.requests.Load() - before; pages != 3 {
		t.Fatalf("%d page requests for 7 policies by 3, want 3", pages)
	}

	// Breaking out of the loop stops fetching.
	before = e.requests.Load()
	for range c.AllPolicies(ctx, api.ListPoliciesParams{Limit: new(3)}) {
		break
	}
	if n := e.requests.Load() - before; n != 1 {
		t.Fatalf("%d requests after an early break, want 1", n)
	}

	pid := must(c.CreatePolicy(ctx, api.PolicyCreate{Name: "with-rules", MaxDurationSeconds: 60}))(t).Id.String()
	for i := range 5 {
		must(c.CreateRule(ctx, pid, api.RuleCreate{PolicyText: new(fmt.Sprintf(`permit (principal == User::"u%d", action, resource);`, i))}))(t)
	}
	var ordinals []int
	for r, err := range c.AllRules(ctx, pid, api.ListRulesParams{Limit: new(2)}) {
		if err != nil {
			t.Fatal(err)
		}
		ordinals = append(ordinals, r.Ordinal)
	}
	if len(ordinals) != 5 || !slices.IsSorted(ordinals) {
		t.Fatalf("rule ordinals %v", ordinals)
	}

	var sets []api.PermissionSetInput
	for i := range 5 {
		sets = append(sets, api.PermissionSetInput{Id: fmt.Sprintf("arn:aws:sso:::permissionSet/ssoins-1/ps-%d", i), Name: fmt.Sprint(i)})
	}
	must(c.UpsertPermissionSets(ctx, sets))(t)
	n := 0
	for ps, err := range c.AllPermissionSets(ctx, api.ListPermissionSetsParams{Limit: new(2)}) {
		if err != nil {
			t.Fatal(err)
		}
		if ps.Id != sets[n].Id {
			t.Fatalf("set %d is %s, want %s", n, ps.Id, sets[n].Id)
		}
		n++
	}
	if n != 5 {
		t.Fatalf("%d permission sets", n)
	}

	count := func(seq func(func(string, error) bool)) int {
		n := 0
		for _, err := range seq {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		return n
	}
	awsRoles := count(func(yield func(string, error) bool) {
		for r, err := range c.AllAwsRoles(ctx, api.ListAwsRolesParams{Limit: new(1), Refresh: new(true)}) {
			if !yield(r.Name, err) {
				return
			}
		}
	})
	roles := count(func(yield func(string, error) bool) {
		for r, err := range c.AllRoles(ctx, api.ListRolesParams{Limit: new(1)}) {
			if !yield(r.Name, err) {
				return
			}
		}
	})
	if awsRoles != 3 || roles != 3 {
		t.Fatalf("%d AWS roles, %d roles; want 3 and 3", awsRoles, roles)
	}
}

func TestIntegrationRetriesConvergeUnderFaults(t *testing.T) {
	var attempts atomic.Int64
	e := newEnv(t, envOptions{cfg: func(c *client.Config) {
		c.MaxRetries = 10
		c.Logger = loggerFunc(func(context.Context, string, map[string]any) { attempts.Add(1) })
	}})
	ctx := context.Background()
	e.faults("rate=0.5,codes=429:503,seed=1")
	var want []string
	for i := range 20 {
		name := fmt.Sprintf("faulty-%02d", i)
		want = append(want, name)
		if _, err := e.c.CreatePolicy(ctx, api.PolicyCreate{Name: name, MaxDurationSeconds: 60}); err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
	}
	if attempts.Load() <= 20 {
		t.Fatalf("%d attempts for 20 creates: no fault was injected", attempts.Load())
	}
	e.faults("")
	if got := e.policyNames(ctx); !slices.Equal(got, want) {
		t.Fatalf("policies %q, want each of %q exactly once", got, want)
	}
}

func TestIntegrationRetryAfter(t *testing.T) {
	e := newEnv(t, envOptions{cfg: func(c *client.Config) { c.RetryWaitMax = 5 * time.Second }})
	ctx := context.Background()
	e.faults("rate=1,codes=429,retry-after=1,count=1")
	var resp client.Response
	start := time.Now()
	if _, err := e.c.ListPolicies(ctx, api.ListPoliciesParams{}, client.WithResponse(&resp)); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < time.Second || d > 4*time.Second {
		t.Fatalf("took %s, want >= Retry-After 1s", d)
	}
	if resp.Attempts != 2 || resp.StatusCode != http.StatusOK {
		t.Fatalf("response %+v, want success on attempt 2", resp)
	}
}

func TestIntegrationRateLimit(t *testing.T) {
	e := newEnv(t, envOptions{rateLimit: 20, cfg: func(c *client.Config) { c.MaxRetries = 20; c.RetryWaitMax = 200 * time.Millisecond }})
	ctx := context.Background()
	for i := range 60 {
		if _, err := e.c.GetCedarSchema(ctx); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	counts := must(e.c.GetDebugRequests(ctx))(t)
	if counts.Statuses["429"] == 0 {
		t.Fatalf("the rate limit never answered 429: %+v", counts.Statuses)
	}
}

func TestIntegrationNoDuplicateWhenResponseLost(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()

	e.faults("rate=1,codes=502,phase=after,methods=POST,count=1")
	var resp client.Response
	p, err := e.c.CreatePolicy(ctx, api.PolicyCreate{Name: "once", MaxDurationSeconds: 60}, client.WithResponse(&resp))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated || !resp.Replayed || resp.Attempts != 2 {
		t.Fatalf("response %+v, want a replayed 201 on attempt 2", resp)
	}
	if got := e.policyNames(ctx); !slices.Equal(got, []string{"once"}) {
		t.Fatalf("policies %q, want exactly one", got)
	}
	pid := p.Id.String()

	e.faults("rate=1,codes=503,phase=after,methods=POST,count=1")
	must(e.c.CreateRule(ctx, pid, api.RuleCreate{PolicyText: new(`permit (principal, action, resource);`)}))(t)
	if rules := must(e.c.ListRules(ctx, pid, api.ListRulesParams{}))(t); len(rules.Data) != 1 {
		t.Fatalf("%d rules after a lost create response, want 1", len(rules.Data))
	}

	// Idempotent by contract: a PUT whose response is lost is simply retried.
	e.faults("rate=1,codes=504,phase=after,methods=PUT,count=1")
	if n := must(e.c.UpsertPermissionSets(ctx, []api.PermissionSetInput{{Id: "arn:aws:sso:::permissionSet/i/ps-1", Name: "a"}}))(t); n != 1 {
		t.Fatalf("upserted %d", n)
	}
	e.faults("rate=1,codes=502,phase=after,methods=POST,count=1")
	res := must(e.c.DeletePermissionSets(ctx, []string{"arn:aws:sso:::permissionSet/i/ps-1"}, nil))(t)
	if res.Deleted != 1 || len(res.Missing) != 0 {
		t.Fatalf("bulk delete replay %+v, want the first result", res)
	}
}

func TestIntegrationCancelStopsRetries(t *testing.T) {
	e := newEnv(t, envOptions{cfg: func(c *client.Config) { c.RetryWaitMax = time.Minute }})
	e.faults("rate=1,codes=503,retry-after=30")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := e.c.ListPolicies(ctx, api.ListPoliciesParams{})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("err %v after %s, want DeadlineExceeded promptly", err, time.Since(start))
	}
}

type loggerFunc func(ctx context.Context, msg string, fields map[string]any)

func (f loggerFunc) Debug(ctx context.Context, msg string, fields map[string]any) {
	f(ctx, msg, fields)
}
