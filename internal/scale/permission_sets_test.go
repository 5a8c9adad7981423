package scale_test

import (
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/acctest"
)

// envPermissionSetsN is the number of sets of BenchmarkPlanPermissionSets;
// default 10000.
const envPermissionSetsN = "JITSUDO_SCALE_PS_N"

// BenchmarkPlanPermissionSets applies one jitsudo_permission_sets of N
// permission sets (JITSUDO_SCALE_PS_N, default 10000) against a fresh
// jitsudo-local, then times `terraform plan` (a refresh of every set, no
// changes; a plan that is not empty fails the benchmark) per op, with the
// figures of BenchmarkPlanRules (apply-*, s/op, req/op, tf-maxrss-MB,
// provider-maxrss-MB, ...). Like the other scale benchmarks it runs only
// with JITSUDO_SCALE=1:
//
//	JITSUDO_SCALE=1 go test ./internal/scale/ -run '^$' -bench PlanPermissionSets -benchtime 1x -timeout 30m
func BenchmarkPlanPermissionSets(b *testing.B) {
	if os.Getenv(envScale) != "1" {
		b.Skipf("set %s=1 to run the scale benchmarks (see BENCHMARKS.md)", envScale)
	}
	n := 10000
	if v := os.Getenv(envPermissionSetsN); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 100 || n%100 != 0 {
			b.Fatalf("%s=%q: want a multiple of 100", envPermissionSetsN, v)
		}
	}
	tf := terraformPath(b)
	providerDir := buildProvider(b)
	b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
		srv := acctest.NewServer(b)
		w := newWorkspace(b, tf, map[string]string{"jitsudo-community/jitsudo": providerDir}, permissionSetsConfig(n), 10,
			"JITSUDO_ENDPOINT="+srv.URL, "JITSUDO_API_KEY="+srv.APIKey, "JITSUDO_TENANT_ID="+srv.TenantID)
		applyAndPlan(b, w, serverCounts(b, srv))
	})
}

// permissionSetsConfig is one jitsudo_permission_sets of n sets (n a
// multiple of 100; range() is limited to 1024 values, hence the two
// nested ranges), each with four attributes set and three left null.
func permissionSetsConfig(n int) string {
	return fmt.Sprintf(`
terraform {
  required_providers {
    jitsudo = { source = "jitsudo-community/jitsudo" }
  }
}

locals {
  indexes = flatten([for a in range(%d) : [for b in range(100) : a * 100 + b]])
}

resource "jitsudo_permission_sets" "scale" {
  permission_sets = {
    for i in local.indexes : format("arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-%%016d", i) => {
      name             = format("Set%%d", i)
      account_id       = "123456789012"
      metadata         = jsonencode({ index = i, team = "platform" })
      session_duration = "PT8H"
    }
  }
}
`, n/100)
}
