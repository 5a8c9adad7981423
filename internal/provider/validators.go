package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/validate"
)

// valueCheck is a validator.String for resource and data source attributes
// that runs one of the shared checks of internal/validate (the same ones
// jitsudo-local applies) on known values at `terraform validate`. Unknown
// values, from resources not created yet, are skipped.
type valueCheck struct {
	summary     string // title-case diagnostic summary
	description string // what a valid value is
	check       func(string) error
	hint        string // a further paragraph of the detail, if any
}

var _ validator.String = valueCheck{}

func (v valueCheck) Description(_ context.Context) string { return v.description }

func (v valueCheck) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v valueCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		detail := fmt.Sprintf("%s: %s.", req.Path, err)
		if v.hint != "" {
			detail += "\n\n" + v.hint
		}
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, detail)
	}
}

// uuidValue accepts a UUID such as 2489e9ad-2ee2-8e00-8ec9-32d5f69181c0.
func uuidValue() validator.String {
	return valueCheck{summary: "Invalid UUID", description: "value must be a UUID", check: validate.UUID}
}

// iso8601DurationValue accepts an ISO 8601 duration such as PT8H.
func iso8601DurationValue() validator.String {
	return valueCheck{summary: "Invalid ISO 8601 Duration", description: "value must be an ISO 8601 duration such as PT8H", check: validate.ISO8601Duration}
}

// permissionSetARNValue accepts arn:<partition>:sso:::permissionSet/<instance>/<id>.
func permissionSetARNValue() validator.String {
	return valueCheck{summary: "Invalid Permission Set ARN", description: "value must be a permission set ARN such as arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef", check: validate.PermissionSetARN}
}

// awsAccountIDValue accepts a 12-digit AWS account id.
func awsAccountIDValue() validator.String {
	return valueCheck{summary: "Invalid AWS Account ID", description: "value must be a 12-digit AWS account id", check: validate.AWSAccountID}
}

// regexpValue accepts a Go regular expression (RE2 syntax), so a broken
// name_regex fails at `terraform validate` instead of at read time.
func regexpValue() validator.String {
	return valueCheck{
		summary:     "Invalid Regular Expression",
		description: "value must be a Go regular expression (RE2 syntax, see https://golang.org/s/re2syntax)",
		check: func(s string) error {
			if _, err := regexp.Compile(s); err != nil {
				return fmt.Errorf("%q is not a valid Go regular expression (RE2 syntax, see https://golang.org/s/re2syntax): %s",
					s, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
			}
			return nil
		},
	}
}
