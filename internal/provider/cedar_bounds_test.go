package provider_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/acctest"
)

// testAccDeepParens is n nested parentheses around true, as an HCL string
// literal.
func testAccDeepParens(prefix string, n int, suffix string) string {
	return strconv.Quote(prefix + strings.Repeat("(", n) + "true" + strings.Repeat(")", n) + suffix)
}

// TestAccPolicyRule_deepNesting: conditions and policy_text nested too
// deeply are attribute errors that name the limit at plan (validate) time;
// text over the length limit gets the length validator's error. The
// provider does not crash.
func TestAccPolicyRule_deepNesting(t *testing.T) {
	srv := acctest.NewServer(t)
	step := func(body, wantErr string) resource.TestStep { return testAccPolicyRuleInvalidStep(srv, body, wantErr) }
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(fmt.Sprintf("  effect     = \"permit\"\n  conditions = %s\n", testAccDeepParens("when { ", 30000, " }")),
				`(?s)Cedar Nested Too Deeply.*conditions nests\s+deeper\s+than\s+the\s+limit\s+of\s+128\s+levels`),
			step(fmt.Sprintf("  policy_text = %s\n", testAccDeepParens("permit (principal, action, resource) when { ", 30000, " };")),
				`(?s)Cedar Nested Too Deeply.*policy_text nests\s+deeper\s+than\s+the\s+limit\s+of\s+128\s+levels`),
			step(fmt.Sprintf("  effect     = \"permit\"\n  conditions = %s\n", testAccDeepParens("when { ", 800000, " }")),
				`(?s)Invalid Attribute Value Length.*string\s+length\s+must\s+be\s+at\s+most\s+65536`),
		},
	})
}
