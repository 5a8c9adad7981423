package server

// Test helpers of the platform tests (auth, middleware, discovery, AWS
// roles, roles, meta, command) on the harness of harness_test.go: the
// discovery file of most tests and lookups of roles.

import (
	"bytes"
	"os"
	"sync"
	"testing"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// testRolesJSON is the discovery file of most tests: 3 internal roles, 2
// sources with 5 AWS roles (two named Admin).
const testRolesJSON = `{
  "roles": [
    {"name": "sre", "description": "Site reliability"},
    {"name": "developer"},
    {"name": "auditor", "description": "Auditors"}
  ],
  "sources": [
    {"id": "11111111-1111-4111-8111-111111111111", "name": "aws-prod", "aws_roles": [
      {"name": "Admin", "arn": "arn:aws:iam::123456789012:role/Admin", "description": "Prod admin"},
      {"arn": "arn:aws:iam::123456789012:role/ci/Deployer"},
      {"name": "ReadOnly", "arn": "arn:aws:iam::123456789012:role/ReadOnly"}
    ]},
    {"id": "22222222-2222-4222-8222-222222222222", "name": "aws-staging", "aws_roles": [
      {"name": "Admin", "arn": "arn:aws:iam::210987654321:role/Admin"},
      {"name": "Developer", "arn": "arn:aws:iam::210987654321:role/Developer", "description": "Staging dev"}
    ]}
  ]
}`

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// awsRoles lists all AWS roles of a tenant (one page of 250).
func (e *testServer) awsRoles(auth credentials, query string) []api.AwsRole {
	e.t.Helper()
	r := e.do("GET", "/v1/aws/roles?limit=250"+query, auth, "")
	r.want(200)
	var list api.AwsRoleList
	r.into(&list)
	return list.Data
}

// awsRoleByARN finds the AWS role with arn among a tenant's roles.
func (e *testServer) awsRoleByARN(auth credentials, arn string) api.AwsRole {
	e.t.Helper()
	for _, r := range e.awsRoles(auth, "") {
		if r.Arn == arn {
			return r
		}
	}
	e.t.Fatalf("no AWS role %s", arn)
	return api.AwsRole{}
}

// roleIDs maps the names of a tenant's internal roles to their ids.
func (e *testServer) roleIDs(auth credentials) map[string]string {
	e.t.Helper()
	r := e.do("GET", "/v1/roles?limit=250", auth, "")
	r.want(200)
	var list api.RoleList
	r.into(&list)
	out := map[string]string{}
	for _, role := range list.Data {
		out[role.Name] = role.Id.String()
	}
	return out
}
