package scale_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/acctest"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/server"
)

// BenchmarkPlanMappings applies N jitsudo_aws_role_mapping resources, one
// per discovered AWS role (a discovery file of N AWS roles written for
// the run), then times the no-change plan, like BenchmarkPlanRules. The
// apply's requests (apply-req) are the N PUTs plus the pages of the one
// list of AWS roles that serves every Create; req/op is the plan's, the
// pages of that list. Targets (issue 7): a plan at most 10 requests, an
// apply at most N writes and 10 reads.
func BenchmarkPlanMappings(b *testing.B) {
	n, parallelisms := scaleSettings(b)
	tf := terraformPath(b)
	providerDir := buildProvider(b)
	for _, p := range parallelisms {
		b.Run(fmt.Sprintf("n=%d/parallelism=%d", n, p), func(b *testing.B) {
			rolesFile := filepath.Join(b.TempDir(), "roles.json")
			writeScaleRoles(b, rolesFile, n)
			srv := acctest.NewServer(b, func(o *server.Options) { o.RolesFile = rolesFile })
			config := mappingsConfig(b, srv, n)
			w := newWorkspace(b, tf, map[string]string{"jitsudo-community/jitsudo": providerDir}, config, p,
				"JITSUDO_ENDPOINT="+srv.URL, "JITSUDO_API_KEY="+srv.APIKey, "JITSUDO_TENANT_ID="+srv.TenantID)
			applyAndPlan(b, w, serverCounts(b, srv))
		})
	}
}

// BenchmarkPlanRulesRateLimited is BenchmarkPlanRules against a
// jitsudo-local that allows 20 requests a second per tenant (-rate-limit
// 20, answering 429 with Retry-After beyond it), as AWS Identity Center
// does. Target (issue 7): the no-change plan at most 1.3x the plan of
// BenchmarkPlanRules in the same run.
func BenchmarkPlanRulesRateLimited(b *testing.B) {
	n, parallelisms := scaleSettings(b)
	tf := terraformPath(b)
	providerDir := buildProvider(b)
	config := rulesConfig(n)
	for _, p := range parallelisms {
		b.Run(fmt.Sprintf("n=%d/parallelism=%d/rate-limit=20", n, p), func(b *testing.B) {
			srv := acctest.NewServer(b, func(o *server.Options) { o.RateLimit = 20 })
			w := newWorkspace(b, tf, map[string]string{"jitsudo-community/jitsudo": providerDir}, config, p,
				"JITSUDO_ENDPOINT="+srv.URL, "JITSUDO_API_KEY="+srv.APIKey, "JITSUDO_TENANT_ID="+srv.TenantID)
			applyAndPlan(b, w, serverCounts(b, srv))
		})
	}
}

// serverCounts reads srv's request counts.
func serverCounts(b *testing.B, srv *acctest.Server) func() requestCounts {
	return func() requestCounts {
		c, err := srv.Client.GetDebugRequests(b.Context())
		if err != nil {
			b.Fatalf("read /debug/requests: %v", err)
		}
		return requestCounts{total: c.Total, routes: c.Routes, statuses: c.Statuses}
	}
}

// writeScaleRoles writes a discovery file (cmd/jitsudo-local/README.md)
// with the example's internal roles and n AWS roles in one source.
func writeScaleRoles(b *testing.B, file string, n int) {
	b.Helper()
	type awsRole struct {
		Name        string `json:"name"`
		ARN         string `json:"arn"`
		Description string `json:"description"`
	}
	roles := make([]awsRole, n)
	for i := range roles {
		roles[i] = awsRole{
			Name:        fmt.Sprintf("Scale%05d", i),
			ARN:         fmt.Sprintf("arn:aws:iam::%012d:role/Scale%05d", 100000000000+i%100, i),
			Description: "Scale benchmark role",
		}
	}
	doc := map[string]any{
		"roles": []map[string]string{
			{"name": "sre", "description": "Site reliability engineers"},
			{"name": "developer", "description": "Application developers"},
			{"name": "auditor", "description": "Auditors"},
		},
		"sources": []map[string]any{{"id": "0b6f3a52-8f57-4c1e-9d1a-2f4b7c0e9a11", "name": "aws-scale", "aws_roles": roles}},
	}
	data, err := json.Marshal(doc)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(file, data, 0o600); err != nil {
		b.Fatal(err)
	}
}

// mappingsConfig maps each AWS role of srv to one or two internal roles,
// by literal ids (no data source, so that the requests counted are the
// resources' own).
func mappingsConfig(b *testing.B, srv *acctest.Server, n int) string {
	b.Helper()
	internal := map[string]string{}
	for r, err := range srv.Client.AllRoles(b.Context(), api.ListRolesParams{}) {
		if err != nil {
			b.Fatal(err)
		}
		internal[r.Name] = r.Id.String()
	}
	var ids []string
	for r, err := range srv.Client.AllAwsRoles(b.Context(), api.ListAwsRolesParams{}) {
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, r.Id.String())
	}
	if len(ids) != n {
		b.Fatalf("%d AWS roles discovered, want %d", len(ids), n)
	}
	var c strings.Builder
	c.WriteString(`terraform {
  required_providers {
    jitsudo = {
      source = "jitsudo-community/jitsudo"
    }
  }
}

provider "jitsudo" {}
`)
	for i, id := range ids {
		roles := fmt.Sprintf("%q", internal["sre"])
		if i%2 == 1 {
			roles += fmt.Sprintf(", %q", internal["auditor"])
		}
		fmt.Fprintf(&c, "\nresource \"jitsudo_aws_role_mapping\" \"m%d\" {\n  aws_role_id = %q\n  role_ids    = [%s]\n}\n", i, id, roles)
	}
	return c.String()
}
