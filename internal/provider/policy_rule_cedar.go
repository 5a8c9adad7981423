package provider

// Cedar helpers of the jitsudo_policy_rule resource: judging a rule at
// `terraform validate` exactly as jitsudo-local does on a write (through the
// shared internal/cedar package), mapping the API's flat field names to the
// resource's attribute paths, and deciding when two texts of a rule are the
// same rule, so that formatting never shows up as a diff.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/cedar"
)

// policyRuleLocationPath maps a location of the API's details.validation
// (a flat field name of RuleCreate/RuleUpdate such as
// "principal_entity_id" or "action_ids[2]") to the attribute of
// jitsudo_policy_rule the user wrote it in.
func policyRuleLocationPath(location string) (path.Path, bool) {
	switch location {
	case "ordinal", "policy_text", "effect", "conditions", "notice", "audit_session":
		return path.Root(location), true
	case "action_scope_type":
		return path.Root("action").AtName("scope"), true
	case "action_ids":
		return path.Root("action").AtName("ids"), true
	}
	for _, group := range []string{"principal", "resource"} {
		field, ok := strings.CutPrefix(location, group+"_")
		if !ok {
			continue
		}
		switch field {
		case "scope_type":
			return path.Root(group).AtName("scope"), true
		case "entity_type", "entity_id", "in_entity_type":
			return path.Root(group).AtName(field), true
		}
	}
	if rest, ok := strings.CutPrefix(location, "action_ids["); ok {
		if i, err := strconv.Atoi(strings.TrimSuffix(rest, "]")); err == nil && strings.HasSuffix(rest, "]") && i >= 0 {
			return path.Root("action").AtName("ids").AtListIndex(i), true
		}
	}
	return path.Empty(), false
}

// policyRuleDiagnosticPath is the attribute that diagnostics about a
// location of the API (see policyRuleLocationPath) are shown on: the
// top-level attribute. Terraform cannot point into the object value of
// principal, action or resource (`principal = { ... }`): for a path such as
// principal.entity_type it would show the whole resource block instead of
// the line of the attribute. The messages name the field.
func policyRuleDiagnosticPath(location string) (path.Path, bool) {
	p, ok := policyRuleLocationPath(location)
	if !ok {
		return p, false
	}
	if step, isName := p.Steps()[0].(path.PathStepAttributeName); isName {
		return path.Root(string(step)), true
	}
	return p, true
}

// policyRuleHCLNames rewrites the flat API field names in the messages of
// cedar.CheckShape to the attribute names of the resource.
var policyRuleHCLNames = strings.NewReplacer(
	"principal_scope_type", "principal.scope",
	"principal_entity_type", "principal.entity_type",
	"principal_entity_id", "principal.entity_id",
	"resource_scope_type", "resource.scope",
	"resource_entity_type", "resource.entity_type",
	"resource_entity_id", "resource.entity_id",
	"action_scope_type", "action.scope",
	"action_ids", "action.ids",
	"the `in` entity type", "in_entity_type",
	"`in` entity type", "in_entity_type",
)

// policyRuleParts is a structured rule taken from a configuration that may
// still hold unknown values: Rule has the known parts, and placeholders
// (permit, unconstrained scopes, no conditions) for the unknown ones, which
// the known flags mark.
type policyRuleParts struct {
	Rule                                cedar.Rule
	Effect, Principal, Action, Resource bool // part is known
	Conditions                          bool // conditions are known
}

// policyRuleGroup is the part of a rule ("effect", "principal", "action",
// "resource") a flat API location belongs to.
func policyRuleGroup(location string) string {
	for _, g := range []string{"principal", "action", "resource"} {
		if strings.HasPrefix(location, g+"_") {
			return g
		}
	}
	return location
}

// validatePolicyRuleStructured judges a rule written with effect, principal,
// action, resource and conditions as jitsudo-local would on create: the
// shape of the scopes (cedar.CheckShape), then the Cedar syntax of the
// assembled statement, whose errors are reported on `conditions` with the
// line and column within the conditions text. Unknown parts are skipped.
// Invalid effects and scope types are left to the attributes' enum
// validators, which report them already.
func validatePolicyRuleStructured(parts policyRuleParts, diags *diag.Diagnostics) {
	known := map[string]bool{"effect": parts.Effect, "principal": parts.Principal, "action": parts.Action, "resource": parts.Resource}
	findings := cedar.CheckShape(parts.Rule)

	broken := map[string]bool{} // parts with shape errors
	for _, f := range findings {
		group := policyRuleGroup(f.Location)
		if !known[group] {
			continue
		}
		if f.Type == cedar.FindingError {
			broken[group] = true
		}
		if f.Code == cedar.CodeInvalidEffect || f.Code == cedar.CodeInvalidScopeType {
			continue // the enum validators of effect and *.scope report these
		}
		// On the attribute (see policyRuleDiagnosticPath); the message
		// names the field.
		p := path.Root(group)
		summary := map[string]string{
			"effect": "Invalid Rule Effect", "principal": "Invalid Principal Scope",
			"action": "Invalid Action Scope", "resource": "Invalid Resource Scope",
		}[group]
		msg := policyRuleHCLNames.Replace(f.Message) + "."
		if f.Type == cedar.FindingError {
			diags.AddAttributeError(p, summary, msg)
		} else {
			diags.AddAttributeWarning(p, summary, msg)
		}
	}

	if !parts.Conditions || strings.TrimSpace(parts.Rule.Conditions) == "" {
		return
	}
	// Bounded before any parse: over the length limit is reported by the
	// attribute's length validator; too deep here, naming the limit.
	if !policyRuleBoundsOK(parts.Rule.Conditions, api.MaxConditionsLength, "conditions", diags) {
		return
	}
	// Parse the statement with the known, well-shaped parts and
	// placeholders for the others: only the conditions can break it then.
	r := parts.Rule
	if !parts.Effect || broken["effect"] {
		r.Effect = cedar.EffectPermit
	}
	if !parts.Principal || broken["principal"] {
		r.Principal = cedar.Scope{Type: cedar.ScopeAny}
	}
	if !parts.Action || broken["action"] {
		r.ActionScopeType, r.ActionIDs = cedar.ScopeAny, nil
	}
	if !parts.Resource || broken["resource"] {
		r.Resource = cedar.Scope{Type: cedar.ScopeAny}
	}
	if problem := policyRuleConditionsProblem(r); problem != "" {
		diags.AddAttributeError(path.Root("conditions"), "Invalid Cedar Conditions", problem)
	}
}

// policyRuleBoundsOK checks text, the value of the attribute name, against
// cedar.CheckBounds with the attribute's length limit, before anything
// parses it. A text over the length limit is not parsed, and not reported
// here either: the attribute's length validator reports it. A text nested
// too deeply is an error on the attribute that names the limit.
func policyRuleBoundsOK(text string, maxLength int, name string, diags *diag.Diagnostics) bool {
	err := cedar.CheckBounds(text, maxLength)
	var le *cedar.LimitError
	switch {
	case err == nil:
		return true
	case errors.As(err, &le) && le.Limit == cedar.LimitDepth:
		diags.AddAttributeError(path.Root(name), "Cedar Nested Too Deeply",
			fmt.Sprintf("%s nests deeper than the limit of %d levels (brackets, operators and namespaces) at line %d, column %d of %s. "+
				"Cedar text is checked against this limit before it is parsed, by the provider and by the JITSudo API.",
				name, le.Max, le.Line, le.Column, name))
	}
	return false
}

// policyRuleConditionsProblem assembles r (whose other parts must be well
// shaped) and parses it. It returns "" when the statement parses, else what
// is wrong with r.Conditions, with the line and column relative to the
// conditions text as written.
func policyRuleConditionsProblem(r cedar.Rule) string {
	text := cedar.Assemble(r)
	_, err := cedar.ParseOne(text)
	if err == nil {
		return ""
	}
	bare := r
	bare.Conditions = ""
	start := len(cedar.Assemble(bare)) // the trimmed conditions start after "\n)" and a newline
	var se *cedar.SyntaxError
	var ce *cedar.CountError
	var le *cedar.LimitError
	switch {
	case errors.As(err, &le):
		return fmt.Sprintf("the statement assembled from the rule is refused before parsing: %v.", err)
	case errors.As(err, &se):
		if line, col, ok := policyRuleConditionsPosition(text, start, r.Conditions, se.Line, se.Column); ok {
			return fmt.Sprintf("Cedar syntax error at line %d, column %d of conditions: %s. Conditions are `when { ... }` and `unless { ... }` clauses.", line, col, se.Message)
		}
		return fmt.Sprintf("conditions do not form valid Cedar `when { ... }` / `unless { ... }` clauses: %s.", se.Message)
	case errors.As(err, &ce) && ce.Line > 0:
		// Conditions that close the statement and start another one: the
		// rule would hold a second policy.
		if line, col, ok := policyRuleConditionsPosition(text, start, r.Conditions, ce.Line, ce.Column); ok {
			return fmt.Sprintf("conditions may only hold Cedar `when { ... }` and `unless { ... }` clauses, but these end the statement early: "+
				"another statement starts at line %d, column %d of conditions (%v).", line, col, err)
		}
	}
	return fmt.Sprintf("conditions may only hold Cedar `when { ... }` and `unless { ... }` clauses, but these end the statement early: %v.", err)
}

// policyRuleConditionsPosition maps a 1-based line and column (in runes) of
// the assembled statement, in which the trimmed conditions start at byte
// start (at the beginning of a line), to the same position in conditions as
// written, leading blank lines and indentation included. Positions after
// the conditions (errors about the statement's closing ";", which
// Assemble adds) map to just past their last token; positions before them
// do not map.
func policyRuleConditionsPosition(assembled string, start int, conditions string, line, col int) (int, int, bool) {
	if line <= 0 || col <= 0 || start > len(assembled) {
		return 0, 0, false
	}
	first := 1 + strings.Count(assembled[:start], "\n") // line of the conditions' first character
	if line < first {
		return 0, 0, false
	}
	lines := strings.Split(strings.TrimSpace(conditions), "\n")
	i := line - first
	if i >= len(lines) {
		// After a trailing line comment, Assemble puts the closing ";"
		// on a line of its own.
		line, col := cedar.EndPosition(conditions)
		return line, col, true
	}
	col = min(col, utf8.RuneCountInString(lines[i])+1)

	lead := conditions[:len(conditions)-len(strings.TrimLeftFunc(conditions, unicode.IsSpace))]
	leadLines := strings.Count(lead, "\n")
	if i > 0 {
		return 1 + leadLines + i, col, true
	}
	indent := utf8.RuneCountInString(lead[strings.LastIndexByte(lead, '\n')+1:])
	return 1 + leadLines, indent + col, true
}

// validatePolicyRuleText judges policy_text as jitsudo-local would on
// create: exactly one Cedar statement that the rule model can hold
// (parsed, decomposed, shape-checked and assembled again). Annotations
// parse but are not stored, which is a warning.
func validatePolicyRuleText(text string, diags *diag.Diagnostics) {
	at := path.Root("policy_text")
	if !policyRuleBoundsOK(text, api.MaxPolicyTextLength, "policy_text", diags) {
		return
	}
	p, err := cedar.ParseOne(text)
	if err != nil {
		var se *cedar.SyntaxError
		var ce *cedar.CountError
		switch {
		case errors.As(err, &se) && se.Line > 0:
			diags.AddAttributeError(at, "Invalid Cedar Policy",
				fmt.Sprintf("Cedar syntax error at line %d, column %d of policy_text: %s.", se.Line, se.Column, se.Message))
		case errors.As(err, &se):
			diags.AddAttributeError(at, "Invalid Cedar Policy", fmt.Sprintf("Cedar syntax error in policy_text: %s.", se.Message))
		case errors.As(err, &ce) && ce.Line > 0:
			diags.AddAttributeError(at, "Invalid Cedar Policy",
				fmt.Sprintf("policy_text must hold exactly one Cedar statement (one permit or forbid policy), but the second one starts at line %d, column %d: %v. "+
					"Write one jitsudo_policy_rule per statement.", ce.Line, ce.Column, err))
		default:
			diags.AddAttributeError(at, "Invalid Cedar Policy",
				fmt.Sprintf("policy_text must hold exactly one Cedar statement (one permit or forbid policy): %v. Write one jitsudo_policy_rule per statement.", err))
		}
		return
	}
	if anns := p.Annotations(); len(anns) > 0 {
		names := make([]string, 0, len(anns))
		for k := range anns {
			names = append(names, "@"+string(k))
		}
		slices.Sort(names)
		diags.AddAttributeWarning(at, "Cedar Annotations Not Stored",
			fmt.Sprintf("The annotations of policy_text (%s) are valid Cedar, but a rule keeps only its effect, scopes and conditions, so the server drops them. Use notice for a message to requesters.", strings.Join(names, ", ")))
	}
	r, err := cedar.Decompose(text)
	if err != nil {
		diags.AddAttributeError(at, "Unsupported Cedar Policy",
			fmt.Sprintf("policy_text is valid Cedar, but it cannot be stored as a rule: %v.", err))
		return
	}
	failed := false
	for _, f := range cedar.CheckShape(r) {
		if f.Type == cedar.FindingError {
			failed = true
			diags.AddAttributeError(at, "Unsupported Cedar Policy",
				fmt.Sprintf("policy_text cannot be stored as a rule: %s.", f.Message))
			continue
		}
		diags.AddAttributeWarning(at, "Cedar Policy Finding", f.Message+".")
	}
	if failed {
		return
	}
	if _, err := cedar.ParseOne(cedar.Assemble(r)); err != nil {
		diags.AddAttributeError(at, "Unsupported Cedar Policy",
			fmt.Sprintf("policy_text cannot be stored as a rule: assembled again it does not parse: %v.", err))
	}
}

// canonicalPolicyText is the text jitsudo-local stores for a rule sent as
// policy_text: decomposed and assembled again, so comments, layout,
// redundant parentheses and annotations are gone. ok is false when the
// server would reject the text.
func canonicalPolicyText(text string) (string, bool) {
	r, err := cedar.Decompose(text)
	if err != nil || cedar.HasErrors(cedar.CheckShape(r)) {
		return "", false
	}
	return cedar.Assemble(r), true
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
		if cedar.HasErrors(cedar.CheckShape(rule)) {
			return // ValidateConfig reports it
		}
		if _, err := cedar.ParseOne(cedar.Assemble(rule)); err != nil {
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
		field = policyRuleHCLNames.Replace(f.Location)
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
		switch field := policyRuleHCLNames.Replace(v.Location); {
		case v.Line != nil && v.Column != nil:
			msg = fmt.Sprintf("at line %d, column %d of %s: %s", *v.Line, *v.Column, field, v.Message)
		case field != at.String():
			msg = field + ": " + v.Message
		}
		diags.AddAttributeWarning(at, "Policy Rule Notice", fmt.Sprintf("The JITSudo API accepted the rule with this finding (%s): %s.", v.Code, msg))
	}
	addNotices(diags, "Policy Rule Notices", &rest)
}
