package provider_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/function"
	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/acctest"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/provider"
)

// cedarExamplesProvider is the provider plus the Cedar functions, for as
// long as provider.go does not register them itself.
type cedarExamplesProvider struct {
	fwprovider.Provider
}

func (cedarExamplesProvider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{
		provider.NewCedarDecomposeFunction,
		provider.NewCedarFormatFunction,
		provider.NewCedarValidateFunction,
	}
}

// TestFunctionCedar_examples applies the documentation examples of the
// Cedar functions (examples/functions/*/function.tf) against jitsudo-local:
// they must apply cleanly and plan nothing afterwards. The precondition of
// the cedar_validate example must stop a rule that the schema rejects.
func TestFunctionCedar_examples(t *testing.T) {
	t.Parallel()
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		t.Skip("no Terraform binary: run `make tools` or set TF_ACC_TERRAFORM_PATH")
	}
	factories := map[string]func() (tfprotov6.ProviderServer, error){
		acctest.ProviderName: providerserver.NewProtocol6WithError(cedarExamplesProvider{provider.New("test")()}),
	}
	for _, name := range []string{"cedar_decompose", "cedar_format", "cedar_validate"} {
		t.Run(name, func(t *testing.T) {
			example, err := os.ReadFile(filepath.Join(acctest.RepoRoot(), "examples", "functions", name, "function.tf"))
			if err != nil {
				t.Fatal(err)
			}
			srv := acctest.NewServer(t)
			steps := []resource.TestStep{{Config: srv.Config(string(example))}}
			if name == "cedar_validate" {
				broken := strings.Replace(string(example), "context.mfa_authenticated", "context.mfa", 1)
				if broken == string(example) {
					t.Fatal("the cedar_validate example no longer uses context.mfa_authenticated; update this test")
				}
				steps = append(steps, resource.TestStep{
					Config:      srv.Config(broken),
					ExpectError: regexp.MustCompile("(?s)Resource precondition failed.*The SRE rule is invalid: attribute `mfa` in\\s+context"),
				})
			}
			resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: factories, Steps: steps})
		})
	}
}
