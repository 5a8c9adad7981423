package provider

// Cedar helpers of the jitsudo_policy_rule resource: judging a rule at
// `terraform validate` exactly as jitsudo-local does on a write (through the
// shared internal/cedar package), mapping the API's flat field names to the
// resource's attribute paths, and deciding when two texts of a rule are the
// same rule, so that formatting never shows up as a diff.

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/cedar"
)

// policyRuleLocationPath maps a location of the API's details.validation
// (a flat field name of RuleCreate/RuleUpdate such as
// "principal_entity_id" or "action_ids[2]") to the attribute of
// jitsudo_policy_rule the user wrote it in (cedar.RuleAttribute).
func policyRuleLocationPath(location string) (path.Path, bool) {
	a, ok := cedar.RuleAttribute(location)
	if !ok {
		return path.Empty(), false
	}
	p := path.Root(a.Name)
	if a.Field != "" {
		p = p.AtName(a.Field)
	}
	if a.Index >= 0 {
		p = p.AtListIndex(a.Index)
	}
	return p, true
}

// policyRuleDiagnosticPath is the attribute that diagnostics about a
// location of the API (see policyRuleLocationPath) are shown on: the
// top-level attribute. Terraform cannot point into the object value of
// principal, action or resource (`principal = { ... }`): for a path such as
// principal.entity_type it would show the whole resource block instead of
// the line of the attribute. The messages name the field.
func policyRuleDiagnosticPath(location string) (path.Path, bool) {
	a, ok := cedar.RuleAttribute(location)
	if !ok {
		return path.Empty(), false
	}
	return path.Root(a.Name), true
}

// policyRuleParts is a structured rule taken from a configuration that may
// still hold unknown values: Rule has the known parts, and placeholders
// (permit, unconstrained scopes, no conditions) for the unknown ones, which
// the known flags mark.
type policyRuleParts struct {
	Rule                                cedar.Rule
	Effect, Principal, Action, Resource bool // part is known
	Conditions                          bool // conditions are known
}

// unknown is the set of the parts that are not known.
func (parts policyRuleParts) unknown() cedar.Parts {
	return cedar.Parts{Effect: !parts.Effect, Principal: !parts.Principal, Action: !parts.Action, Resource: !parts.Resource, Conditions: !parts.Conditions}
}

// policyRuleScopeSummaries are the summaries of the diagnostics about the
// shape of each part of a structured rule.
var policyRuleScopeSummaries = map[string]string{
	"effect": "Invalid Rule Effect", "principal": "Invalid Principal Scope",
	"action": "Invalid Action Scope", "resource": "Invalid Resource Scope",
}

// validatePolicyRuleStructured judges a rule written with effect, principal,
// action, resource and conditions as jitsudo-local would on create
// (cedar.JudgeRule): the shape of the scopes, on the part's attribute
// (see policyRuleDiagnosticPath; the message names the field), then the
// Cedar syntax of the assembled statement, whose errors are reported on
// `conditions` with the line and column within the conditions text.
// Unknown parts are skipped. Invalid effects and scope types are left to
// the attributes' enum validators, which report them already, and
// conditions over the length limit to the length validator.
func validatePolicyRuleStructured(parts policyRuleParts, diags *diag.Diagnostics) {
	for _, is := range cedar.JudgeRule(parts.Rule, parts.unknown()).Issues {
		switch {
		case is.Cause == cedar.CauseShape:
			if is.Code == cedar.CodeInvalidEffect || is.Code == cedar.CodeInvalidScopeType {
				continue // the enum validators of effect and *.scope report these
			}
			a, _ := cedar.RuleAttribute(is.Location)
			msg := cedar.RenameFields(is.Message) + "."
			if is.Type == cedar.FindingError {
				diags.AddAttributeError(path.Root(a.Name), policyRuleScopeSummaries[a.Name], msg)
			} else {
				diags.AddAttributeWarning(path.Root(a.Name), policyRuleScopeSummaries[a.Name], msg)
			}
		case is.Cause == cedar.CauseBounds:
			addPolicyRuleTooDeep(diags, is, "conditions")
		default:
			diags.AddAttributeError(path.Root("conditions"), "Invalid Cedar Conditions", policyRuleConditionsMessage(is))
		}
	}
}

// addPolicyRuleTooDeep reports an issue of cedar.CheckBounds about the
// text of the attribute name, which nothing parsed: too deep is an error
// that names the limit; over the length limit is left to the attribute's
// length validator.
func addPolicyRuleTooDeep(diags *diag.Diagnostics, is cedar.Issue, name string) {
	if is.Code != api.CodeCedarTooDeep {
		return
	}
	diags.AddAttributeError(path.Root(name), "Cedar Nested Too Deeply",
		fmt.Sprintf("%s nests deeper than the limit of %d levels (brackets, operators and namespaces) at line %d, column %d of %s. "+
			"Cedar text is checked against this limit before it is parsed, by the provider and by the JITSudo API.",
			name, cedar.MaxDepth, is.Line, is.Column, name))
}

// policyRuleConditionsProblem is what is wrong with the conditions of r
// (whose other parts must be well shaped), with the line and column
// relative to the conditions text as written, or "" when the statement
// assembled from r parses.
func policyRuleConditionsProblem(r cedar.Rule) string {
	for _, is := range cedar.JudgeRule(r, cedar.Parts{}).Issues {
		if is.Cause == cedar.CauseAssembled {
			return policyRuleConditionsMessage(is)
		}
	}
	return ""
}

// policyRuleConditionsMessage is the detail of the diagnostic on
// conditions for an issue of the statement assembled from a rule.
func policyRuleConditionsMessage(is cedar.Issue) string {
	switch {
	case is.Code == api.CodeTooLong || is.Code == api.CodeCedarTooDeep:
		return fmt.Sprintf("the statement assembled from the rule is refused before parsing: %v.", is.Err)
	case is.Code == api.CodeCedarSyntax && is.Line > 0:
		return fmt.Sprintf("Cedar syntax error at line %d, column %d of conditions: %s. Conditions are `when { ... }` and `unless { ... }` clauses.", is.Line, is.Column, is.Message)
	case is.Code == api.CodeCedarSyntax:
		return fmt.Sprintf("conditions do not form valid Cedar `when { ... }` / `unless { ... }` clauses: %s.", is.Message)
	case is.Line > 0:
		// Conditions that close the statement and start another one: the
		// rule would hold a second policy.
		return fmt.Sprintf("conditions may only hold Cedar `when { ... }` and `unless { ... }` clauses, but these end the statement early: "+
			"another statement starts at line %d, column %d of conditions (%v).", is.Line, is.Column, is.Err)
	}
	return fmt.Sprintf("conditions may only hold Cedar `when { ... }` and `unless { ... }` clauses, but these end the statement early: %v.", is.Err)
}

// validatePolicyRuleText judges policy_text as jitsudo-local would on
// create (cedar.JudgeText): exactly one Cedar statement that the rule
// model can hold (parsed, decomposed, shape-checked and assembled again).
// Annotations parse but are not stored, which is a warning.
func validatePolicyRuleText(text string, diags *diag.Diagnostics) {
	at := path.Root("policy_text")
	for _, is := range cedar.JudgeText(text, api.MaxPolicyTextLength).Issues {
		switch {
		case is.Cause == cedar.CauseBounds:
			addPolicyRuleTooDeep(diags, is, "policy_text")
		case is.Code == api.CodeCedarSyntax && is.Line > 0:
			diags.AddAttributeError(at, "Invalid Cedar Policy",
				fmt.Sprintf("Cedar syntax error at line %d, column %d of policy_text: %s.", is.Line, is.Column, is.Message))
		case is.Code == api.CodeCedarSyntax:
			diags.AddAttributeError(at, "Invalid Cedar Policy", fmt.Sprintf("Cedar syntax error in policy_text: %s.", is.Message))
		case is.Code == api.CodeCedarStatementCount && is.Line > 0:
			diags.AddAttributeError(at, "Invalid Cedar Policy",
				fmt.Sprintf("policy_text must hold exactly one Cedar statement (one permit or forbid policy), but the second one starts at line %d, column %d: %s. "+
					"Write one jitsudo_policy_rule per statement.", is.Line, is.Column, is.Message))
		case is.Code == api.CodeCedarStatementCount:
			diags.AddAttributeError(at, "Invalid Cedar Policy",
				fmt.Sprintf("policy_text must hold exactly one Cedar statement (one permit or forbid policy): %s. Write one jitsudo_policy_rule per statement.", is.Message))
		case is.Code == api.CodeAnnotationsDropped:
			diags.AddAttributeWarning(at, "Cedar Annotations Not Stored",
				fmt.Sprintf("The annotations of policy_text (%s) are valid Cedar, but a rule keeps only its effect, scopes and conditions, so the server drops them. Use notice for a message to requesters.", strings.Join(is.Annotations, ", ")))
		case is.Code == api.CodeCedarUnsupported && is.Cause == cedar.CauseDecompose:
			diags.AddAttributeError(at, "Unsupported Cedar Policy",
				fmt.Sprintf("policy_text is valid Cedar, but it cannot be stored as a rule: %s.", is.Message))
		case is.Code == api.CodeCedarUnsupported:
			diags.AddAttributeError(at, "Unsupported Cedar Policy", fmt.Sprintf("policy_text cannot be stored as a rule: %s.", is.Message))
		default:
			diags.AddAttributeWarning(at, "Cedar Policy Finding", is.Message+".")
		}
	}
}

// canonicalPolicyText is the text jitsudo-local stores for a rule sent as
// policy_text (cedar.JudgeText): decomposed and assembled again, so
// comments, layout, redundant parentheses and annotations are gone. ok is
// false when the server would reject the text.
func canonicalPolicyText(text string) (string, bool) {
	j := cedar.JudgeText(text, 0)
	return j.Text, j.OK()
}

// policyTextEquivalent reports whether two policy texts are stored as the
// same rule: a text the user wrote and the server's canonical text of it
// are equivalent, as are two layouts of the same statement.
func policyTextEquivalent(a, b string) bool {
	if a == b {
		return true
	}
	ca, okA := canonicalPolicyText(a)
	cb, okB := canonicalPolicyText(b)
	return okA && okB && ca == cb
}

// canonicalConditions is the normalized Cedar text of when/unless clauses
// (comments and layout gone); ok is false when they do not parse.
func canonicalConditions(conditions string) (string, bool) {
	r, err := cedar.Decompose(cedar.Assemble(cedar.Rule{
		Effect:          cedar.EffectPermit,
		Principal:       cedar.Scope{Type: cedar.ScopeAny},
		ActionScopeType: cedar.ScopeAny,
		Resource:        cedar.Scope{Type: cedar.ScopeAny},
		Conditions:      conditions,
	}))
	if err != nil {
		return "", false
	}
	return r.Conditions, true
}

// conditionsEquivalent reports whether two conditions texts mean the same
// clauses: they differ at most in whitespace, line breaks and comments.
func conditionsEquivalent(a, b string) bool {
	if a == b {
		return true
	}
	ca, okA := canonicalConditions(a)
	cb, okB := canonicalConditions(b)
	return okA && okB && ca == cb
}

// checkPlanSchema checks, at plan time, a rule that is created or whose
// statement changes against the provider's Cedar schema (see
// cedarSchemaSource), so that a rule the schema rejects fails the plan
// before anything is written. Each finding becomes an error
// (schema_findings = "error") or a warning on the attribute it is about:
// principal, action or resource for undeclared entity types and actions
// of the scopes, conditions for everything in the conditions (with the
// line and column within them when the finding names something they
// mention), policy_text in raw mode. cfg is the configuration, plan the
// planned values and state the prior state (nil on create). Rules with
// unknown values, unchanged rules and rules that are invalid without a
// schema (reported at validate time) are not checked.
func (r *policyRuleResource) checkPlanSchema(ctx context.Context, cfg, plan, state *policyRuleModel, diags *diag.Diagnostics) {
	if r.schema == nil {
		return // the provider is not configured yet
	}
	if r.schema.unknown != "" {
		tflog.Debug(ctx, "Not checking the policy rule against the Cedar schema: a provider setting is unknown", map[string]any{"setting": r.schema.unknown})
		return
	}
	var check func(*cedar.Schema) []cedar.Finding
	raw := !cfg.PolicyText.IsNull()
	if raw {
		if cfg.PolicyText.IsUnknown() {
			return
		}
		if state != nil && state.isRaw() && plan.PolicyText.Equal(state.PolicyText) {
			return // the same statement as stored
		}
		text := cfg.PolicyText.ValueString()
		if _, ok := canonicalPolicyText(text); !ok {
			return // ValidateConfig reports it
		}
		check = func(s *cedar.Schema) []cedar.Finding { return s.ValidatePolicy(text) }
	} else {
		if state != nil && !plan.statementChanged(state) {
			return // the same statement as stored
		}
		parts, d := cfg.ruleParts(ctx)
		if d.HasError() || !parts.Effect || !parts.Principal || !parts.Action || !parts.Resource || !parts.Conditions {
			return // unknown values: checked once they are known
		}
		rule := parts.Rule
		if !cedar.JudgeRule(rule, cedar.Parts{}).OK() {
			return // ValidateConfig reports it
		}
		check = func(s *cedar.Schema) []cedar.Finding { return s.ValidateRule(rule) }
	}

	schema, origin, warning := r.schema.get(ctx)
	if warning != "" {
		diags.AddWarning("Cedar Schema Not Available", warning)
	}
	if schema == nil {
		return
	}
	findings := check(schema)
	tflog.Debug(ctx, "Checked the policy rule against the Cedar schema", map[string]any{
		"policy_id": cfg.PolicyID.ValueString(), "schema": origin, "findings": len(findings),
	})
	for _, f := range findings {
		addPolicyRuleSchemaFinding(diags, f, origin, r.schema.asErrors, raw)
	}
}

// addPolicyRuleSchemaFinding adds one finding of the plan-time schema check
// (see checkPlanSchema) to diags.
func addPolicyRuleSchemaFinding(diags *diag.Diagnostics, f cedar.Finding, origin string, asError, raw bool) {
	at, field := path.Root("policy_text"), "policy_text"
	if !raw {
		var ok bool
		if at, ok = policyRuleDiagnosticPath(f.Location); !ok {
			at, f.Location = path.Root("conditions"), "conditions"
		}
		field = cedar.RenameFields(f.Location)
	}
	problem := f.Message
	switch {
	case f.Line > 0:
		problem = fmt.Sprintf("at line %d, column %d of %s: %s", f.Line, f.Column, field, f.Message)
	case field != "policy_text" && field != "conditions":
		problem = field + ": " + f.Message
	}
	detail := fmt.Sprintf("The rule does not match %s: %s.", origin, problem)
	if !asError {
		diags.AddAttributeWarning(at, "Cedar Schema Finding", detail+
			"\n\nThe rule is planned anyway because the provider's schema_findings is \"warning\"; the JITSudo API accepts it and reports the finding again.")
		return
	}
	diags.AddAttributeError(at, "Rule Does Not Match Cedar Schema", detail+
		"\n\nNothing was written. Fix the rule, or set schema_findings = \"warning\" in the provider block to plan rules with schema findings "+
		"anyway (the JITSudo API accepts them and returns the findings as warnings).")
}

// addPolicyRuleWriteFindings turns the findings of a successful create or
// update (schema warnings, dropped annotations) into warnings: on the
// attribute their location names when the user wrote it, else together in
// one warning. raw tells whether the rule is in raw mode, where the
// server's location policy_text is the user's attribute.
func addPolicyRuleWriteFindings(diags *diag.Diagnostics, out *api.Rule, raw bool) {
	if out.Validation == nil || len(*out.Validation) == 0 {
		addNotices(diags, "Policy Rule Notices", out.Notices)
		return
	}
	var rest []string
	for _, v := range *out.Validation {
		at, ok := policyRuleDiagnosticPath(v.Location)
		if !ok || v.Location == "policy_text" && !raw {
			rest = append(rest, v.Location+": "+v.Message)
			continue
		}
		msg := v.Message
		switch field := cedar.RenameFields(v.Location); {
		case v.Line != nil && v.Column != nil:
			msg = fmt.Sprintf("at line %d, column %d of %s: %s", *v.Line, *v.Column, field, v.Message)
		case field != at.String():
			msg = field + ": " + v.Message
		}
		diags.AddAttributeWarning(at, "Policy Rule Notice", fmt.Sprintf("The JITSudo API accepted the rule with this finding (%s): %s.", v.Code, msg))
	}
	addNotices(diags, "Policy Rule Notices", &rest)
}
