package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// psARN is a valid permission set ARN numbered n.
func psARN(n int) string {
	return fmt.Sprintf("arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-%016d", n)
}

// psPath is the URL path of a permission set: its ARN with "/" as %2F.
func psPath(arn string) string {
	return "/v1/aws/permission-sets/" + url.PathEscape(arn)
}

func psItems(from, to int) []map[string]any {
	var out []map[string]any
	for i := from; i < to; i++ {
		out = append(out, map[string]any{"id": psARN(i), "name": fmt.Sprintf("set-%d", i)})
	}
	return out
}

func (c *tenantClient) listPermissionSets(query string) []api.PermissionSet {
	c.t.Helper()
	var list api.PermissionSetList
	c.do(http.MethodGet, "/v1/aws/permission-sets?limit=250"+query, nil).want(http.StatusOK).into(&list)
	return list.Data
}

// canonicalJSON re-encodes JSON with sorted keys and exact numbers.
func canonicalJSON(t *testing.T, data []byte) string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestPermissionSetUpsertGetAndReplace(t *testing.T) {
	clock := newStepClock(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))
	rs := newTestServer(t, serverConfig{opts: Options{Now: clock.Now}})
	c := rs.tenant()
	metadata := `{"team": "platform", "cost": {"center": 42, "split": [0.5, 0.25, 1e3]}, "big": 12345678901234567890,
		"flags": {"prod": true, "legacy": false}, "owner": null, "tags": [], "nested": {"a": {"b": {"c": "d"}}}, "unicode": "ü ✓"}`
	body := fmt.Sprintf(`{"resources": [
		{"id": %q, "name": "ReadOnly", "account_id": "012345678901", "metadata": %s, "rank": 1,
		 "description": "Read-only access", "session_duration": "PT8H", "relay_state": "https://console.aws.amazon.com/"},
		{"id": %q, "name": "Admin"}
	]}`, psARN(1), metadata, psARN(2))
	var res api.UpsertResult
	c.do(http.MethodPut, "/v1/aws/permission-sets", body).want(http.StatusOK).into(&res)
	if res.Upserted != 2 {
		t.Fatalf("upserted %d", res.Upserted)
	}

	// GET by the URL-encoded ARN: the %2F survive the mux as one segment.
	get := c.do(http.MethodGet, psPath(psARN(1)), nil).want(http.StatusOK)
	if get.Header.Get("ETag") == "" {
		t.Error("no ETag")
	}
	var raw map[string]json.RawMessage
	get.into(&raw)
	if got, want := canonicalJSON(t, raw["metadata"]), canonicalJSON(t, []byte(metadata)); got != want {
		t.Errorf("metadata does not round-trip:\n got %s\nwant %s", got, want)
	}
	if !strings.Contains(string(raw["metadata"]), "12345678901234567890") {
		t.Errorf("a large integer lost precision: %s", raw["metadata"])
	}
	var ps api.PermissionSet
	get.into(&ps)
	if ps.Id != psARN(1) || ps.Name != "ReadOnly" || ps.AccountId.MustGet() != "012345678901" || ps.Rank.MustGet() != 1 ||
		ps.Description.MustGet() != "Read-only access" || ps.SessionDuration.MustGet() != "PT8H" ||
		ps.RelayState.MustGet() != "https://console.aws.amazon.com/" {
		t.Errorf("permission set: %s", get.Body)
	}
	if !ps.LastSyncedAt.Equal(clock.t) {
		t.Errorf("last_synced_at %v, want the time of the call %v", ps.LastSyncedAt, clock.t)
	}
	var admin api.PermissionSet
	c.do(http.MethodGet, psPath(psARN(2)), nil).want(http.StatusOK).into(&admin)
	if len(admin.Metadata) != 0 || !admin.AccountId.IsNull() || !admin.Rank.IsNull() || !admin.SessionDuration.IsNull() {
		t.Errorf("absent fields: %+v", admin)
	}

	// A replaced set takes exactly the fields sent.
	c.do(http.MethodPut, "/v1/aws/permission-sets", map[string]any{"resources": []any{
		map[string]any{"id": psARN(1), "name": "ReadOnly2", "metadata": map[string]any{"v": 2}},
	}}).want(http.StatusOK)
	var replaced api.PermissionSet
	c.do(http.MethodGet, psPath(psARN(1)), nil).want(http.StatusOK).into(&replaced)
	if replaced.Name != "ReadOnly2" || !replaced.Description.IsNull() || !replaced.AccountId.IsNull() ||
		fmt.Sprint(replaced.Metadata) != "map[v:2]" || !replaced.LastSyncedAt.After(ps.LastSyncedAt) {
		t.Errorf("replaced: %+v", replaced)
	}
	if n := len(c.listPermissionSets("")); n != 2 {
		t.Errorf("%d sets, want 2", n)
	}

	// Unencoded slashes are other paths; an unknown ARN is a 404.
	c.do(http.MethodGet, "/v1/aws/permission-sets/"+psARN(1), nil).apiErr(http.StatusNotFound, "not_found")
	e := c.do(http.MethodGet, psPath(psARN(3)), nil).apiErr(http.StatusNotFound, "not_found")
	if !strings.Contains(e.Message, psARN(3)) {
		t.Errorf("message should name the ARN: %s", e.Message)
	}
	// An empty batch is fine.
	c.do(http.MethodPut, "/v1/aws/permission-sets", `{"resources": []}`).want(http.StatusOK).into(&res)
	if res.Upserted != 0 {
		t.Errorf("upserted %d", res.Upserted)
	}
}

func TestPermissionSetPathEscaping(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()
	arns := []string{
		psARN(1),
		"arn:aws-us-gov:sso:::permissionSet/ssoins-a+b/ps-with%percent",
		"arn:aws:sso:::permissionSet/ssoins-ü/ps-?&#=",
	}
	var items []map[string]any
	for _, a := range arns {
		items = append(items, map[string]any{"id": a, "name": "n"})
	}
	c.do(http.MethodPut, "/v1/aws/permission-sets", map[string]any{"resources": items}).want(http.StatusOK)
	for _, a := range arns {
		var ps api.PermissionSet
		c.do(http.MethodGet, psPath(a), nil).want(http.StatusOK).into(&ps)
		if ps.Id != a {
			t.Errorf("GET %s returned %s", psPath(a), ps.Id)
		}
		// Lower-case escapes work as well (sent past the contract
		// validator, which only maps "%2F").
		req := httptest.NewRequest(http.MethodGet, strings.ReplaceAll(psPath(a), "%2F", "%2f"), nil)
		req.Header.Set("X-API-Key", c.as.key)
		req.Header.Set("X-Tenant-ID", c.as.tenant)
		rec := httptest.NewRecorder()
		rs.srv.Handler().ServeHTTP(rec, req)
		var lower api.PermissionSet
		if err := json.Unmarshal(rec.Body.Bytes(), &lower); rec.Code != http.StatusOK || err != nil || lower.Id != a {
			t.Errorf("lower-case escapes: %d %s", rec.Code, rec.Body)
		}
	}
	c.do(http.MethodDelete, psPath(arns[1]), nil).want(http.StatusNoContent)
	c.do(http.MethodGet, psPath(arns[1]), nil).apiErr(http.StatusNotFound, "not_found")
	c.do(http.MethodGet, psPath(arns[2]), nil).want(http.StatusOK)
}

func TestPermissionSetValidation(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()
	c.do(http.MethodPut, "/v1/aws/permission-sets", map[string]any{"resources": psItems(100, 101)}).want(http.StatusOK)

	long := strings.Repeat("x", 1025)
	e := c.do(http.MethodPut, "/v1/aws/permission-sets", map[string]any{"resources": []any{
		map[string]any{"id": psARN(1), "name": "ok"},
		map[string]any{"id": "example", "name": ""},
		map[string]any{"id": psARN(2), "name": "x", "account_id": "1234", "session_duration": "8 hours"},
		map[string]any{"id": psARN(1), "name": "dup"},
		map[string]any{"id": psARN(3), "name": "x", "metadata": []int{1}, "description": long, "relay_state": long[:241], "session_duration": ""},
		map[string]any{"id": psARN(4), "name": "x", "session_duration": "P" + strings.Repeat("1", 100) + "D"},
		map[string]any{"name": "no id"},
	}}).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e,
		"resources[1].id", "resources[1].name",
		"resources[2].account_id", "resources[2].session_duration",
		"resources[3].id",
		"resources[4].metadata", "resources[4].description", "resources[4].relay_state", "resources[4].session_duration",
		"resources[5].session_duration",
		"resources[6].id")
	if f := findingAt(t, e, "resources[2].session_duration"); f.Code != "invalid_duration" || !strings.Contains(f.Message, "PT8H") {
		t.Errorf("duration: %+v", f)
	}
	if f := findingAt(t, e, "resources[1].id"); f.Code != "invalid_arn" || !strings.Contains(f.Message, "arn:<partition>:sso:::permissionSet/") {
		t.Errorf("arn: %+v", f)
	}
	if f := findingAt(t, e, "resources[3].id"); f.Code != "duplicate" || !strings.Contains(f.Message, "resources[0]") {
		t.Errorf("duplicate: %+v", f)
	}

	// All or nothing: the valid items of the rejected batch were not written.
	got := c.listPermissionSets("")
	if len(got) != 1 || got[0].Id != psARN(100) {
		t.Errorf("a rejected batch wrote sets: %+v", got)
	}

	e = c.do(http.MethodPut, "/v1/aws/permission-sets", `{}`).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, "resources")
	// Malformed items are reported at their index, all of them.
	e = c.do(http.MethodPut, "/v1/aws/permission-sets", `{"resources": [
		{"id": "`+psARN(1)+`", "name": "x", "colour": "red"},
		{"id": "`+psARN(2)+`", "name": "x", "rank": "high"},
		{"id": "`+psARN(3)+`", "name": "x", "description": "bad \u0000 fine"},
		"not an object",
		{"id": "`+psARN(4)+`", "name": 7}
	]}`).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, "resources[0].colour", "resources[1].rank", "resources[3]", "resources[4].name")
	e = c.do(http.MethodPut, "/v1/aws/permission-sets", `{"resources": {}}`).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, e, "resources")
	if got := c.listPermissionSets(""); len(got) != 1 {
		t.Errorf("rejected batches wrote sets: %+v", got)
	}
}

func TestPermissionSetBatchBound(t *testing.T) {
	rs := newTestServer(t, serverConfig{opts: Options{MaxBatch: 3}})
	c := rs.tenant()
	e := c.do(http.MethodPut, "/v1/aws/permission-sets", map[string]any{"resources": psItems(0, 4)}).apiErr(http.StatusBadRequest, "batch_too_large")
	if e.Details == nil || e.Details.MaxBatchSize == nil || *e.Details.MaxBatchSize != 3 || !strings.Contains(e.Message, "4") {
		t.Errorf("batch_too_large: %+v %s", e.Details, e.Message)
	}
	var res api.UpsertResult
	c.do(http.MethodPut, "/v1/aws/permission-sets", map[string]any{"resources": psItems(0, 3)}).want(http.StatusOK).into(&res)
	if res.Upserted != 3 {
		t.Errorf("upserted %d", res.Upserted)
	}
	ids := []string{psARN(0), psARN(1), psARN(2), psARN(3)}
	e = c.do(http.MethodPost, "/v1/aws/permission-sets/bulk-delete", map[string]any{"ids": ids}).apiErr(http.StatusBadRequest, "batch_too_large")
	if *e.Details.MaxBatchSize != 3 {
		t.Errorf("max_batch_size %d", *e.Details.MaxBatchSize)
	}
	if n := len(c.listPermissionSets("")); n != 3 {
		t.Errorf("%d sets after a refused bulk delete", n)
	}
}

func TestPermissionSetBatchBoundDefault(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()
	e := c.do(http.MethodPut, "/v1/aws/permission-sets", map[string]any{"resources": psItems(0, 1001)}).apiErr(http.StatusBadRequest, "batch_too_large")
	if *e.Details.MaxBatchSize != 1000 {
		t.Errorf("max_batch_size %d", *e.Details.MaxBatchSize)
	}
	var res api.UpsertResult
	c.do(http.MethodPut, "/v1/aws/permission-sets", map[string]any{"resources": psItems(0, 1000)}).want(http.StatusOK).into(&res)
	if res.Upserted != 1000 {
		t.Errorf("upserted %d", res.Upserted)
	}
	var ids []string
	for i := range 1001 {
		ids = append(ids, psARN(i))
	}
	c.do(http.MethodPost, "/v1/aws/permission-sets/bulk-delete", map[string]any{"ids": ids}).apiErr(http.StatusBadRequest, "batch_too_large")
	var del api.DeleteResult
	c.do(http.MethodPost, "/v1/aws/permission-sets/bulk-delete", map[string]any{"ids": ids[1:]}).want(http.StatusOK).into(&del)
	if del.Deleted != 999 || len(del.Missing) != 1 || del.Missing[0] != psARN(1000) {
		t.Errorf("bulk delete: deleted %d, missing %v", del.Deleted, del.Missing)
	}
}

func TestPermissionSetListPagination(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()
	var items []map[string]any
	for i := 6; i >= 0; i-- { // sent out of order
		account := "111111111111"
		if i%2 == 1 {
			account = "222222222222"
		}
		items = append(items, map[string]any{"id": psARN(i), "name": "n", "account_id": account})
	}
	c.do(http.MethodPut, "/v1/aws/permission-sets", map[string]any{"resources": items}).want(http.StatusOK)

	walk := func(query string) []string {
		var ids []string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatal("pagination does not end")
			}
			path := "/v1/aws/permission-sets?limit=2" + query
			if cursor != "" {
				path += "&cursor=" + cursor
			}
			var page api.PermissionSetList
			c.do(http.MethodGet, path, nil).want(http.StatusOK).into(&page)
			for _, ps := range page.Data {
				ids = append(ids, ps.Id)
			}
			if !page.HasMore {
				return ids
			}
			cursor = page.NextCursor.MustGet()
		}
	}
	var want []string
	for i := range 7 {
		want = append(want, psARN(i))
	}
	if got := walk(""); !reflect.DeepEqual(got, want) {
		t.Errorf("walked %v, want %v", got, want)
	}
	if got := walk("&account_id=222222222222"); !reflect.DeepEqual(got, []string{psARN(1), psARN(3), psARN(5)}) {
		t.Errorf("account filter: %v", got)
	}
	wantLocations(t, c.do(http.MethodGet, "/v1/aws/permission-sets?account_id=12", nil).apiErr(http.StatusBadRequest, "invalid_request"), "account_id")
	wantLocations(t, c.do(http.MethodGet, "/v1/aws/permission-sets?cursor=abc", nil).apiErr(http.StatusBadRequest, "invalid_request"), "cursor")
	wantLocations(t, c.do(http.MethodGet, "/v1/aws/permission-sets?limit=0", nil).apiErr(http.StatusBadRequest, "invalid_request"), "limit")
}

func TestPermissionSetDelete(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()
	c.do(http.MethodPut, "/v1/aws/permission-sets", map[string]any{"resources": psItems(0, 2)}).want(http.StatusOK)
	path := psPath(psARN(0))
	old := c.do(http.MethodGet, path, nil).want(http.StatusOK).Header.Get("ETag")
	// A re-sync changes last_synced_at, hence the representation.
	c.do(http.MethodPut, "/v1/aws/permission-sets", map[string]any{"resources": psItems(0, 1)}).want(http.StatusOK)
	c.do(http.MethodDelete, path, nil, "If-Match", old).apiErr(http.StatusPreconditionFailed, "precondition_failed")
	c.do(http.MethodGet, path, nil).want(http.StatusOK)
	cur := c.do(http.MethodGet, path, nil).want(http.StatusOK).Header.Get("ETag")
	c.do(http.MethodDelete, path, nil, "If-Match", cur).want(http.StatusNoContent)
	c.do(http.MethodDelete, path, nil).apiErr(http.StatusNotFound, "not_found")
	if got := c.listPermissionSets(""); len(got) != 1 || got[0].Id != psARN(1) {
		t.Errorf("remaining: %+v", got)
	}
}

func TestPermissionSetBulkDelete(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	c := rs.tenant()
	c.do(http.MethodPut, "/v1/aws/permission-sets", map[string]any{"resources": psItems(0, 5)}).want(http.StatusOK)
	var del api.DeleteResult
	c.do(http.MethodPost, "/v1/aws/permission-sets/bulk-delete", map[string]any{
		"ids": []string{psARN(0), "arn:aws:sso:::permissionSet/ssoins-x/ps-gone", psARN(3), psARN(0), "not-even-an-arn"},
	}).want(http.StatusOK).into(&del)
	if del.Deleted != 2 || !reflect.DeepEqual(del.Missing, []string{"arn:aws:sso:::permissionSet/ssoins-x/ps-gone", "not-even-an-arn"}) {
		t.Errorf("deleted %d, missing %v", del.Deleted, del.Missing)
	}
	got := c.listPermissionSets("")
	if len(got) != 3 || got[0].Id != psARN(1) || got[1].Id != psARN(2) || got[2].Id != psARN(4) {
		t.Errorf("remaining: %+v", got)
	}
	c.do(http.MethodPost, "/v1/aws/permission-sets/bulk-delete", `{"ids": []}`).apiErr(http.StatusBadRequest, "invalid_request")
	wantLocations(t, c.do(http.MethodPost, "/v1/aws/permission-sets/bulk-delete", `{"ids": ["a", ""]}`).apiErr(http.StatusBadRequest, "invalid_request"), "ids[1]")
	c.do(http.MethodPost, "/v1/aws/permission-sets/bulk-delete", map[string]any{"ids": []string{psARN(1)}}).want(http.StatusOK).into(&del)
	if del.Deleted != 1 || len(del.Missing) != 0 || del.Missing == nil {
		t.Errorf("deleted %d, missing %#v", del.Deleted, del.Missing)
	}
}

func TestPermissionSetTenantIsolation(t *testing.T) {
	rs := newTestServer(t, serverConfig{})
	a, b := rs.tenant(), rs.tenant()
	a.do(http.MethodPut, "/v1/aws/permission-sets", map[string]any{"resources": psItems(0, 2)}).want(http.StatusOK)
	path := psPath(psARN(0))

	b.do(http.MethodGet, path, nil).apiErr(http.StatusNotFound, "not_found")
	b.do(http.MethodDelete, path, nil).apiErr(http.StatusNotFound, "not_found")
	if got := b.listPermissionSets(""); len(got) != 0 {
		t.Errorf("tenant B lists %d sets", len(got))
	}
	var del api.DeleteResult
	b.do(http.MethodPost, "/v1/aws/permission-sets/bulk-delete", map[string]any{"ids": []string{psARN(0)}}).want(http.StatusOK).into(&del)
	if del.Deleted != 0 || len(del.Missing) != 1 {
		t.Errorf("tenant B's bulk delete: %+v", del)
	}
	// The same ARN is independent per tenant.
	b.do(http.MethodPut, "/v1/aws/permission-sets", map[string]any{"resources": []any{map[string]any{"id": psARN(0), "name": "B's"}}}).want(http.StatusOK)
	var ps api.PermissionSet
	a.do(http.MethodGet, path, nil).want(http.StatusOK).into(&ps)
	if ps.Name != "set-0" {
		t.Errorf("tenant B overwrote A's set: %+v", ps)
	}
	if got := a.listPermissionSets(""); len(got) != 2 {
		t.Errorf("tenant A lists %d sets", len(got))
	}
}
