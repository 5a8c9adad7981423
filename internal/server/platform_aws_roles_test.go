package server

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/cedar"
)

func TestAwsRoleMapping(t *testing.T) {
	e := newTestServer(t, serverConfig{fixedClock: true, rolesJSON: testRolesJSON})
	ids := e.roleIDs(asA)
	admin := e.awsRoleByARN(asA, "arn:aws:iam::123456789012:role/Admin")
	path := "/v1/aws/roles/" + admin.Id.String() + "/roles"

	r := e.do("GET", path, asA, "")
	r.want(200)
	empty := r.Header.Get("ETag")
	if want := fmt.Sprintf(`{"data":[],"etag":%q,"has_more":false,"next_cursor":null}`, empty); string(r.Body) != want || empty == "" {
		t.Errorf("empty mapping: %s (ETag %q)", r.Body, empty)
	}
	if admin.MappingEtag != empty {
		t.Errorf("mapping_etag in the list %q, want the mapping's ETag %q", admin.MappingEtag, empty)
	}

	// Duplicates collapse (ids compared case-insensitively); answer sorted by name.
	body := fmt.Sprintf(`[{"id":%q},{"id":%q},{"id":%q}]`, ids["sre"], strings.ToUpper(ids["sre"]), ids["developer"])
	r = e.do("PUT", path, asA, body, "If-Match", empty)
	r.want(200)
	var got api.RoleRefList
	r.into(&got)
	if len(got.Data) != 2 || got.Data[0].Name != "developer" || got.Data[1].Name != "sre" || got.HasMore {
		t.Fatalf("mapping after PUT: %s", r.Body)
	}
	tag := r.Header.Get("ETag")
	if got.Etag != tag || tag == empty {
		t.Errorf("mapping etag %q, ETag header %q (empty mapping's %q)", got.Etag, tag, empty)
	}
	if listed := e.awsRoleByARN(asA, admin.Arn); listed.MappingEtag != tag {
		t.Errorf("mapping_etag in the list %q after PUT, want %q", listed.MappingEtag, tag)
	}
	g := e.do("GET", path, asA, "")
	if g.Header.Get("ETag") != tag || string(g.Body) != string(r.Body) {
		t.Errorf("GET after PUT differs: %s %s vs %s %s", g.Header.Get("ETag"), g.Body, tag, r.Body)
	}
	one := e.do("GET", "/v1/aws/roles/"+admin.Id.String(), asA, "")
	one.want(200)
	var role api.AwsRole
	one.into(&role)
	if len(role.Roles) != 2 || role.Roles[0].Name != "developer" || role.Arn != admin.Arn || one.Header.Get("ETag") == "" || role.MappingEtag != tag {
		t.Errorf("AWS role: %s", one.Body)
	}
	if !role.Updated.Equal(e.clock.Now()) {
		t.Errorf("updated %v, want %v", role.Updated, e.clock.Now())
	}

	// A stale If-Match changes nothing.
	r = e.do("PUT", path, asA, "[]", "If-Match", empty)
	r.apiErr(412, "precondition_failed")
	if g := e.do("GET", path, asA, ""); g.Header.Get("ETag") != tag {
		t.Errorf("412 changed the mapping: %s", g.Body)
	}

	// Invalid and unknown ids: one finding each, nothing changes.
	unknown := uuid.NewString()
	body = fmt.Sprintf(`[{"id":%q},{"id":"not-a-uuid"},{"id":%q},{"role":"x"},{},"str",{"id":null}]`, ids["sre"], unknown)
	r = e.do("PUT", path, asA, body)
	r.apiErr(400, "invalid_request")
	wantLocs := []string{"[1].id", "[3].role", "[3].id", "[4].id", "[5]", "[6].id", "[2].id"}
	if got := r.locations(); !slices.Equal(got, wantLocs) {
		t.Errorf("locations %v, want %v; %s", got, wantLocs, r.Body)
	}
	if !strings.Contains(string(r.Body), unknown) || !strings.Contains(string(r.Body), "GET /v1/roles") {
		t.Errorf("unknown role message: %s", r.Body)
	}
	if g := e.do("GET", path, asA, ""); g.Header.Get("ETag") != tag {
		t.Errorf("400 changed the mapping")
	}

	// Bodies that are not arrays, or too long.
	for _, b := range []string{"null", `{"id":"x"}`, "", "[] []"} {
		e.do("PUT", path, asA, b).apiErr(400, "invalid_request")
	}
	many := "[" + strings.TrimSuffix(strings.Repeat(fmt.Sprintf(`{"id":%q},`, ids["sre"]), 1001), ",") + "]"
	r = e.do("PUT", path, asA, many)
	r.apiErr(400, "batch_too_large")
	if ae := r.errorBody(); ae.Details == nil || ae.Details.MaxBatchSize == nil || *ae.Details.MaxBatchSize != 1000 {
		t.Errorf("batch_too_large details: %s", r.Body)
	}
	many = "[" + strings.TrimSuffix(strings.Repeat(fmt.Sprintf(`{"id":%q},`, ids["sre"]), 1000), ",") + "]"
	e.do("PUT", path, asA, many).want(200)

	// If-Match * and the current tag pass; [] clears.
	e.do("PUT", path, asA, "[]", "If-Match", "*").want(200)
	r = e.do("GET", path, asA, "")
	if want := fmt.Sprintf(`{"data":[],"etag":%q,"has_more":false,"next_cursor":null}`, empty); string(r.Body) != want || r.Header.Get("ETag") != empty {
		t.Errorf("cleared mapping: %s", r.Body)
	}

	// Unknown AWS roles are 404 on every operation.
	missing := "/v1/aws/roles/" + uuid.NewString()
	e.do("GET", missing, asA, "").apiErr(404, "not_found")
	e.do("GET", missing+"/roles", asA, "").apiErr(404, "not_found")
	e.do("PUT", missing+"/roles", asA, "[]").apiErr(404, "not_found")
}

func TestAwsRoleTenantIsolation(t *testing.T) {
	e := newTestServer(t, serverConfig{fixedClock: true, rolesJSON: testRolesJSON})
	idsA, idsB := e.roleIDs(asA), e.roleIDs(asB)
	adminA := e.awsRoleByARN(asA, "arn:aws:iam::123456789012:role/Admin")
	adminB := e.awsRoleByARN(asB, "arn:aws:iam::123456789012:role/Admin")
	e.do("PUT", "/v1/aws/roles/"+adminA.Id.String()+"/roles", asA, fmt.Sprintf(`[{"id":%q}]`, idsA["sre"])).want(200)

	// B cannot see or map A's AWS role.
	e.do("GET", "/v1/aws/roles/"+adminA.Id.String(), asB, "").apiErr(404, "not_found")
	e.do("GET", "/v1/aws/roles/"+adminA.Id.String()+"/roles", asB, "").apiErr(404, "not_found")
	e.do("PUT", "/v1/aws/roles/"+adminA.Id.String()+"/roles", asB, "[]").apiErr(404, "not_found")
	for _, r := range e.awsRoles(asB, "") {
		if r.Id == adminA.Id {
			t.Errorf("tenant B lists tenant A's role")
		}
	}
	if n := len(e.awsRoles(asB, "&arn="+url.QueryEscape(adminA.Arn))); n != 1 {
		t.Errorf("B's own role with that ARN: %d", n)
	}
	// B cannot map its role to A's internal role.
	r := e.do("PUT", "/v1/aws/roles/"+adminB.Id.String()+"/roles", asB, fmt.Sprintf(`[{"id":%q},{"id":%q}]`, idsB["sre"], idsA["sre"]))
	r.apiErr(400, "invalid_request")
	if got := r.locations(); !slices.Equal(got, []string{"[1].id"}) {
		t.Errorf("locations %v", got)
	}
	// A's mapping is untouched and B's role has none.
	if got := e.awsRoleByARN(asA, adminA.Arn); len(got.Roles) != 1 {
		t.Errorf("A's mapping: %+v", got.Roles)
	}
	if got := e.awsRoleByARN(asB, adminB.Arn); len(got.Roles) != 0 {
		t.Errorf("B's mapping: %+v", got.Roles)
	}
}

func TestAwsRoleListFiltersAndPages(t *testing.T) {
	e := newTestServer(t, serverConfig{fixedClock: true, rolesJSON: testRolesJSON})
	all := e.awsRoles(asA, "")
	var walked []api.AwsRole
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("too many pages")
		}
		q := "/v1/aws/roles?limit=2"
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		r := e.do("GET", q, asA, "")
		r.want(200)
		var page api.AwsRoleList
		r.into(&page)
		walked = append(walked, page.Data...)
		if !page.HasMore {
			if !page.NextCursor.IsNull() {
				t.Errorf("last page has a cursor")
			}
			break
		}
		cursor = page.NextCursor.MustGet()
		// A cursor of this list is refused by another list.
		e.do("GET", "/v1/roles?cursor="+url.QueryEscape(cursor), asA, "").apiErr(400, "invalid_request")
	}
	if len(walked) != len(all) {
		t.Fatalf("walked %d roles, want %d", len(walked), len(all))
	}
	for i := range all {
		if walked[i].Id != all[i].Id {
			t.Errorf("page order differs at %d", i)
		}
	}
	for _, c := range []struct {
		query string
		n     int
	}{
		{"&name=Admin", 2},
		{"&name=admin", 0},
		{"&arn=" + url.QueryEscape("arn:aws:iam::210987654321:role/Developer"), 1},
		{"&source=11111111-1111-4111-8111-111111111111", 3},
		{"&source=22222222-2222-4222-8222-222222222222&name=Admin", 1},
		{"&status=OK", 5},
		{"&status=MISSING", 0},
	} {
		if got := len(e.awsRoles(asA, c.query)); got != c.n {
			t.Errorf("%s: %d roles, want %d", c.query, got, c.n)
		}
	}
}

func TestListRoles(t *testing.T) {
	e := newTestServer(t, serverConfig{fixedClock: true, rolesJSON: testRolesJSON})
	var names []string
	cursor := ""
	for {
		q := "/v1/roles?limit=1"
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		r := e.do("GET", q, asA, "")
		r.want(200)
		var page api.RoleList
		r.into(&page)
		for _, role := range page.Data {
			names = append(names, role.Name)
		}
		if !page.HasMore {
			break
		}
		cursor = page.NextCursor.MustGet()
	}
	if got := strings.Join(names, ","); got != "auditor,developer,sre" {
		t.Errorf("roles %s", got)
	}
	r := e.do("GET", "/v1/roles?name=sre", asA, "")
	var list api.RoleList
	r.into(&list)
	if len(list.Data) != 1 || list.Data[0].Description.MustGet() != "Site reliability" {
		t.Errorf("name filter: %s", r.Body)
	}
	r = e.do("GET", "/v1/roles?name=developer", asA, "")
	if !strings.Contains(string(r.Body), `"description":null`) {
		t.Errorf("null description not explicit: %s", r.Body)
	}
}

func TestCedarSchema(t *testing.T) {
	e := newTestServer(t, serverConfig{fixedClock: true})
	r := e.do("GET", "/v1/cedar/schema", asARO, "")
	r.want(200)
	var s api.CedarSchema
	r.into(&s)
	if s.Format != api.CedarSchemaFormatCedarschema || s.Schema != cedar.DefaultSchema() || r.Header.Get("ETag") == "" {
		t.Errorf("schema response: %s", r.Body)
	}

	custom := "entity User;\nentity AwsAccount;\naction request_access appliesTo { principal: User, resource: AwsAccount };\n"
	e2 := newTestServer(t, serverConfig{fixedClock: true, opts: Options{CedarSchema: custom}})
	e2.do("GET", "/v1/cedar/schema", asA, "").into(&s)
	if s.Schema != custom {
		t.Errorf("custom schema not served: %q", s.Schema)
	}
	if _, err := New(t.Context(), Options{CedarSchema: "entity {"}); err == nil || !strings.Contains(err.Error(), "cedar schema") {
		t.Errorf("New with a broken schema: %v", err)
	}
}
