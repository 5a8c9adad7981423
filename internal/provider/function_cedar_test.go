package provider

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
)

// cedarFunctionConstructors are the provider-defined Cedar functions.
var cedarFunctionConstructors = []func() function.Function{
	NewCedarDecomposeFunction,
	NewCedarFormatFunction,
	NewCedarValidateFunction,
}

// cedarFunctionsProvider is the real provider plus the Cedar functions,
// so that the function tests do not depend on provider.go registering
// them.
type cedarFunctionsProvider struct {
	*jitsudoProvider
}

var _ provider.ProviderWithFunctions = cedarFunctionsProvider{}

func (p cedarFunctionsProvider) Functions(_ context.Context) []func() function.Function {
	return cedarFunctionConstructors
}

// cedarFunctionsProviderFactories serves cedarFunctionsProvider in-process
// to Terraform.
var cedarFunctionsProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"jitsudo": providerserver.NewProtocol6WithError(cedarFunctionsProvider{New("test")().(*jitsudoProvider)}),
}

// TestFunctionCedar_definitions checks the definition of every Cedar
// function as the framework does when it serves them, and that every
// function and parameter is documented.
func TestFunctionCedar_definitions(t *testing.T) {
	ctx := context.Background()
	seen := map[string]bool{}
	for _, newFunc := range cedarFunctionConstructors {
		f := newFunc()
		var meta function.MetadataResponse
		f.Metadata(ctx, function.MetadataRequest{}, &meta)
		if meta.Name == "" || seen[meta.Name] {
			t.Fatalf("function name %q is empty or not unique", meta.Name)
		}
		seen[meta.Name] = true

		var def function.DefinitionResponse
		f.Definition(ctx, function.DefinitionRequest{}, &def)
		if def.Diagnostics.HasError() {
			t.Fatalf("%s: Definition: %v", meta.Name, def.Diagnostics)
		}
		var validate function.DefinitionValidateResponse
		def.Definition.ValidateImplementation(ctx, function.DefinitionValidateRequest{FuncName: meta.Name}, &validate)
		if validate.Diagnostics.HasError() {
			t.Errorf("%s: invalid definition: %v", meta.Name, validate.Diagnostics)
		}
		if def.Definition.Summary == "" || def.Definition.MarkdownDescription == "" {
			t.Errorf("%s: Summary and MarkdownDescription must be set", meta.Name)
		}
		for i, p := range def.Definition.Parameters {
			if p.GetName() == "" || p.GetMarkdownDescription() == "" {
				t.Errorf("%s: parameter %d must have a name and a MarkdownDescription", meta.Name, i)
			}
			if p.GetAllowUnknownValues() {
				t.Errorf("%s: parameter %q must not allow unknown values: Terraform then skips the call and the result is unknown", meta.Name, p.GetName())
			}
		}
	}
	want := []string{"cedar_decompose", "cedar_format", "cedar_validate"}
	for _, name := range want {
		if !seen[name] {
			t.Errorf("function %s is missing", name)
		}
	}
}

// TestFunctionCedar_registered checks that the provider itself serves the
// Cedar functions, once it implements provider.ProviderWithFunctions.
func TestFunctionCedar_registered(t *testing.T) {
	p, ok := New("test")().(provider.ProviderWithFunctions)
	if !ok {
		t.Skip("the provider does not implement provider.ProviderWithFunctions yet")
	}
	var names []string
	for _, newFunc := range p.Functions(context.Background()) {
		var meta function.MetadataResponse
		newFunc().Metadata(context.Background(), function.MetadataRequest{}, &meta)
		names = append(names, meta.Name)
	}
	for _, name := range []string{"cedar_decompose", "cedar_format", "cedar_validate"} {
		if !slices.Contains(names, name) {
			t.Errorf("the provider's Functions() lacks %s (it has %v)", name, names)
		}
	}
}

// runCedarFunction calls f.Run with string arguments (nil is a null
// string) and returns the result value and the function error.
func runCedarFunction(t *testing.T, f function.Function, args ...*string) (attr.Value, *function.FuncError) {
	t.Helper()
	ctx := context.Background()
	var def function.DefinitionResponse
	f.Definition(ctx, function.DefinitionRequest{}, &def)
	values := make([]attr.Value, len(args))
	for i, a := range args {
		values[i] = types.StringPointerValue(a)
	}
	resp := function.RunResponse{Result: function.NewResultData(cedarUnknownOf(t, def.Definition.Return.GetType()))}
	f.Run(ctx, function.RunRequest{Arguments: function.NewArgumentsData(values)}, &resp)
	return resp.Result.Value(), resp.Error
}

// runCedarFunctionOn runs f on text and checks its error: wantErr, about
// argument 0, or none when wantErr is "". ok tells whether there is a
// result to check.
func runCedarFunctionOn(t *testing.T, f function.Function, text, wantErr string) (got attr.Value, ok bool) {
	t.Helper()
	got, funcErr := runCedarFunction(t, f, cedarTestString(text))
	if wantErr == "" {
		if funcErr != nil {
			t.Fatalf("unexpected error: %s", funcErr.Text)
		}
		return got, true
	}
	if funcErr == nil {
		t.Fatalf("no error, result %v", got)
	}
	if funcErr.Text != wantErr {
		t.Errorf("error\n got: %s\nwant: %s", funcErr.Text, wantErr)
	}
	if funcErr.FunctionArgument == nil || *funcErr.FunctionArgument != 0 {
		t.Errorf("error is not about argument 0: %+v", funcErr)
	}
	return got, false
}

// cedarUnknownOf is an unknown value of the string or object type typ, as the
// framework hands to Run.
func cedarUnknownOf(t *testing.T, typ attr.Type) attr.Value {
	t.Helper()
	switch typ := typ.(type) {
	case basetypes.StringType:
		return types.StringUnknown()
	case basetypes.ObjectType:
		return types.ObjectUnknown(typ.AttrTypes)
	default:
		t.Fatalf("unexpected return type %T", typ)
		return nil
	}
}

func cedarTestString(s string) *string { return &s }

// cedarHCLString is s as an HCL string literal (ASCII text only).
func cedarHCLString(s string) string {
	return strings.NewReplacer("${", "$${", "%{", "%%{").Replace(strconv.Quote(s))
}

// cedarKnownFinding is the knownvalue.Check of one finding of cedar_validate;
// line and column < 0 mean null.
func cedarKnownFinding(code, message string, line, column int64) knownvalue.Check {
	pos := func(n int64) knownvalue.Check {
		if n < 0 {
			return knownvalue.Null()
		}
		return knownvalue.Int64Exact(n)
	}
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"code":    knownvalue.StringExact(code),
		"message": knownvalue.StringExact(message),
		"line":    pos(line),
		"column":  pos(column),
	})
}
