package scale_test

import (
	"fmt"
	"strings"
)

// ruleAttributes is the body of rule i of the benchmark configuration, a
// realistic mix in four kinds (i%4): 0 structured with conditions and an
// is_in resource, 1 structured approvers without conditions, 2 raw Cedar
// with a comment, 3 structured with multi-line conditions and a notice.
// Half of the rules (kinds 0 and 2) set ordinal; the others are appended.
// policyID is the expression of the policy id.
func ruleAttributes(i int, policyID string) string {
	account := fmt.Sprintf("%012d", 100000000000+i)
	switch i % 4 {
	case 0:
		return fmt.Sprintf(`policy_id  = %s
ordinal    = %d
effect     = "permit"
principal  = { scope = "in", entity_type = "Group", entity_id = "team-%d" }
action     = { scope = "in", ids = ["request_access", "extend"] }
resource   = { scope = "is_in", entity_type = "AwsPermissionSet", in_entity_type = "AwsAccount", entity_id = %q }
conditions = "when { context.duration_seconds <= 3600 && context.mfa_authenticated }"
`, policyID, i, i, account)
	case 1:
		return fmt.Sprintf(`policy_id = %s
effect    = "permit"
principal = { scope = "in", entity_type = "Group", entity_id = "leads-%d" }
action    = { scope = "in", ids = ["approve", "deny", "revoke"] }
`, policyID, i)
	case 2:
		return fmt.Sprintf(`policy_id   = %s
ordinal     = %d
policy_text = <<-EOT
  // Rule %d: user-%d never gets access without MFA.
  forbid (principal == User::"user-%d", action, resource)
  unless { context.mfa_authenticated };
EOT
`, policyID, i, i, i, i)
	default:
		return fmt.Sprintf(`policy_id  = %s
effect     = "permit"
principal  = { scope = "eq", entity_type = "User", entity_id = "user-%d@example.com" }
action     = { scope = "eq", ids = ["request_access"] }
resource   = { scope = "eq", entity_type = "AwsAccount", entity_id = %q }
conditions = <<-EOT
  when {
    context has ticket_id &&
    context.ticket_id like "INC-*"
  }
  unless { context.duration_seconds > 7200 }
EOT
notice     = "Access to account %s is audited."
`, policyID, i, account, account)
	}
}

// indent indents every non-empty line of s by prefix.
func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// rulesConfig is one jitsudo_policy and n jitsudo_policy_rule resources in
// it. The provider reads JITSUDO_ENDPOINT, JITSUDO_API_KEY and
// JITSUDO_TENANT_ID.
func rulesConfig(n int) string {
	var b strings.Builder
	b.WriteString(`terraform {
  required_providers {
    jitsudo = {
      source = "jitsudo-community/jitsudo"
    }
  }
}

provider "jitsudo" {}

resource "jitsudo_policy" "scale" {
  name                 = "scale"
  description          = "Scale benchmark (internal/scale)"
  max_duration_seconds = 14400
}
`)
	for i := range n {
		fmt.Fprintf(&b, "\nresource \"jitsudo_policy_rule\" \"r%d\" {\n%s}\n", i, indent(ruleAttributes(i, "jitsudo_policy.scale.id"), "  "))
	}
	return b.String()
}

// terraformDataConfig is the baseline of rulesConfig: the same graph and
// the same values as terraform_data resources (terraform's built-in
// provider, no plugin process, no network). The values go in
// triggers_replace, which the state holds once, as it holds a rule's
// attributes once; input would be stored twice (input and output).
func terraformDataConfig(n int) string {
	var b strings.Builder
	b.WriteString(`resource "terraform_data" "policy" {
  triggers_replace = {
    name                 = "scale"
    description          = "Scale benchmark (internal/scale)"
    max_duration_seconds = 14400
  }
}
`)
	for i := range n {
		fmt.Fprintf(&b, "\nresource \"terraform_data\" \"r%d\" {\n  triggers_replace = {\n%s  }\n}\n", i, indent(ruleAttributes(i, "terraform_data.policy.id"), "    "))
	}
	return b.String()
}

// timeStaticConfig is the baseline of rulesConfig on a peer plugin
// framework provider: the same graph as time_static resources
// (hashicorp/time), each with its rule's attributes as one string in
// triggers (a map of strings), next to the id of the root.
func timeStaticConfig(n int) string {
	var b strings.Builder
	b.WriteString(`terraform {
  required_providers {
    time = {
      source = "hashicorp/time"
    }
  }
}

resource "time_static" "policy" {
  triggers = {
    name                 = "scale"
    description          = "Scale benchmark (internal/scale)"
    max_duration_seconds = "14400"
  }
}
`)
	for i := range n {
		fmt.Fprintf(&b, "\nresource \"time_static\" \"r%d\" {\n  triggers = {\n    policy_id = time_static.policy.id\n    rule      = <<-RULE\n%s    RULE\n  }\n}\n",
			i, indent(ruleAttributes(i, "policy"), "      "))
	}
	return b.String()
}
