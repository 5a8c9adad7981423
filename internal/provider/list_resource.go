package provider

// What the list resources (Terraform 1.14 `list` blocks in .tfquery.hcl
// files, run by `terraform query`) share: the API client, filters checked
// at validate time, and the stream of results, each with the identity of
// the managed resource, a display name and, when Terraform asks for it
// (include_resource, or -generate-config-out), the resource's value, shaped
// so that the configuration Terraform generates from it imports with an
// empty plan.

import (
	"context"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// listFilters maps the string filters of a list resource to the checks
// the matching attribute of a resource or data source has as validators
// (list schemas have no validators of their own).
type listFilters map[string]validator.String

// validate runs the checks on the known filter values of cfg, reporting
// each finding at its attribute.
func (f listFilters) validate(ctx context.Context, cfg tfsdk.Config, diags *diag.Diagnostics) {
	for name, v := range f {
		var s types.String
		d := cfg.GetAttribute(ctx, path.Root(name), &s)
		diags.Append(d...)
		if d.HasError() {
			continue
		}
		var resp validator.StringResponse
		v.ValidateString(ctx, validator.StringRequest{Path: path.Root(name), PathExpression: path.MatchRoot(name), ConfigValue: s, Config: cfg}, &resp)
		diags.Append(resp.Diagnostics...)
	}
}

// optionalRegexp compiles a validated regular expression filter; nil when
// unset.
func optionalRegexp(s types.String) *regexp.Regexp {
	if s.IsNull() || s.IsUnknown() {
		return nil
	}
	return regexp.MustCompile(s.ValueString()) // checked by regexpValue at validate time
}

// listStream emits the results of one List call, stopping at the limit
// Terraform sets (100 unless the list block says otherwise) or when
// Terraform wants no more.
type listStream struct {
	ctx   context.Context
	req   list.ListRequest
	push  func(list.ListResult) bool
	attrs []identityAttribute
	n     int64
	done  bool
}

// emit pushes one result: the object with identity values and display
// name, and its resource value from resourceValue when Terraform asked for
// it. It returns false when the listing should stop.
func (s *listStream) emit(display string, identity []string, resourceValue func(*tfsdk.Resource) diag.Diagnostics) bool {
	if s.done {
		return false
	}
	r := s.req.NewListResult(s.ctx)
	r.DisplayName = display
	setIdentity(s.ctx, r.Identity, s.attrs, &r.Diagnostics, identity...)
	if s.req.IncludeResource && !r.Diagnostics.HasError() {
		r.Diagnostics.Append(resourceValue(r.Resource)...)
	}
	s.n++
	if !s.push(r) || r.Diagnostics.HasError() || (s.req.Limit > 0 && s.n >= s.req.Limit) {
		s.done = true
	}
	return !s.done
}

// listResourceBase is embedded by every list resource: the API client
// from the provider's Configure (resourceBase), and the checks of its
// string filters at validate time.
type listResourceBase struct {
	resourceBase
	filters listFilters
}

func (b *listResourceBase) ValidateListResourceConfig(ctx context.Context, req list.ValidateConfigRequest, resp *list.ValidateConfigResponse) {
	b.filters.validate(ctx, req.Config, &resp.Diagnostics)
}

// runList sets resp to a stream of the results run emits for the list
// block's configuration, decoded into a C; an error run returns ends the
// stream as a result of its own.
func runList[C any](ctx context.Context, b *listResourceBase, req list.ListRequest, resp *list.ListResultsStream, attrs []identityAttribute,
	run func(s *listStream, cfg C) diag.Diagnostics) {
	resp.Results = func(push func(list.ListResult) bool) {
		s := &listStream{ctx: ctx, req: req, push: push, attrs: attrs}
		var diags diag.Diagnostics
		var cfg C
		if b.configured(&diags) {
			if diags.Append(req.Config.Get(ctx, &cfg)...); !diags.HasError() {
				diags = run(s, cfg)
			}
		}
		if diags.HasError() && !s.done {
			push(list.ListResult{Diagnostics: diags})
		}
	}
}

// listResourceServer is a provider server with the list resource RPCs
// (ValidateListResourceConfig, ListResource) of another: tf6server serves
// them only from a server that has them, and a wrapper such as
// rawPlanServer, which embeds tfprotov6.ProviderServer, hides them.
type listResourceServer struct {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
}

// withListResources adds the list resource RPCs of framework, the
// framework's server, to s.
func withListResources(s tfprotov6.ProviderServer, framework tfprotov6.ProviderServer) tfprotov6.ProviderServer {
	lr, ok := framework.(tfprotov6.ListResourceServer)
	if !ok {
		return s
	}
	return &listResourceServer{ProviderServer: s, ListResourceServer: lr}
}
