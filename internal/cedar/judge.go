package cedar

// The judgement of a rule: whether a Cedar text (JudgeText) or a
// structured rule (JudgeRule) can be stored as a JITSudo rule, its
// canonical form, and what is wrong with it. jitsudo-local judges a write
// with it, the provider a configuration at validate and plan time, and the
// provider's Cedar functions their argument; each of them only phrases the
// issues in its own error shape (validation details, diagnostics on
// attribute paths, function results and errors).

import (
	"errors"
	"slices"
	"strings"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// Causes of issues (Issue.Cause): the step of the judgement that found
// them.
const (
	CauseBounds    = "bounds"    // CheckBounds, before anything parses the text
	CauseParse     = "parse"     // parsing the text as written
	CauseDecompose = "decompose" // turning the parsed policy into a Rule
	CauseShape     = "shape"     // CheckShape
	CauseAssembled = "assembled" // parsing the statement assembled from the rule
)

// Issue is one finding of a judgement. Its Finding has the type, the code
// (one of CheckShape's or of the Code constants above), the location (the
// API's flat field name; see RuleAttribute for the attribute it names),
// the message, and the line and column (1-based, in characters, relative
// to the text the user wrote at Location: policy_text or conditions as
// written, leading blank lines and indentation included), 0 when the
// issue has no position.
//
// Messages are those of the JITSudo API's details.validation, without the
// field name where the callers phrase it themselves: for a parse error
// the bare Cedar message (the SyntaxError's Message, a CountError's or
// LimitError's text), for cedar_unsupported the reason.
type Issue struct {
	Finding
	// Cause is the step of the judgement that found the issue.
	Cause string `json:"-"`
	// Err is the error behind an issue of a failed step (a *SyntaxError,
	// *CountError or *LimitError, or the error of Decompose), else nil.
	Err error `json:"-"`
	// Annotations are the annotations an annotations_dropped issue is
	// about ("@id", sorted).
	Annotations []string `json:"-"`
}

// Judgement is the result of JudgeText and JudgeRule.
type Judgement struct {
	// Rule and Text are the canonical rule and its text (Assemble(Rule)),
	// as jitsudo-local stores them. They are set only when the judgement
	// found no error and (JudgeRule) knew every part.
	Rule Rule
	Text string
	// Issues are the findings, errors and non-fatal ones, in the order
	// the judgement found them.
	Issues []Issue
}

// OK reports whether the judgement found no error.
func (j Judgement) OK() bool {
	return !slices.ContainsFunc(j.Issues, func(is Issue) bool { return is.Type == FindingError })
}

func (j *Judgement) add(is Issue) { j.Issues = append(j.Issues, is) }

// locPolicyText and locConditions are the API fields of a rule's texts.
const (
	locPolicyText = "policy_text"
	locConditions = "conditions"
)

// JudgeText judges text, a rule's policy_text, as jitsudo-local does on a
// write: at most maxLength characters (<= 0: MaxTextLength) and MaxDepth
// levels deep (too_long, cedar_too_deep), exactly one Cedar statement
// (cedar_syntax with its position, cedar_statement_count with where the
// second statement starts), which decomposes into a Rule that passes
// CheckShape and assembles again into a statement that parses
// (cedar_unsupported otherwise, with Cause decompose, shape or assembled).
// Annotations are an INFO issue (annotations_dropped), since a rule does
// not keep them; CheckShape's warnings (an action id listed twice) keep
// their code. Every issue is at location policy_text.
func JudgeText(text string, maxLength int) Judgement {
	var j Judgement
	if err := CheckBounds(text, maxLength); err != nil {
		j.add(IssueOf(err, locPolicyText))
		return j
	}
	p, err := ParseOne(text)
	if err != nil {
		j.add(IssueOf(err, locPolicyText))
		return j
	}
	if anns := p.Annotations(); len(anns) > 0 {
		names := make([]string, 0, len(anns))
		for k := range anns {
			names = append(names, "@"+string(k))
		}
		slices.Sort(names)
		j.add(Issue{
			Finding: Finding{Type: FindingInfo, Code: api.CodeAnnotationsDropped, Location: locPolicyText,
				Message: "annotations (" + strings.Join(names, ", ") + ") are not stored: a rule keeps only its effect, scopes and conditions; use notice for a message"},
			Cause: CauseParse, Annotations: names,
		})
	}
	r, err := Decompose(text)
	if err != nil {
		j.add(unsupported(CauseDecompose, err.Error(), err))
		return j
	}
	for _, f := range CheckShape(r) {
		if f.Type == FindingError {
			j.add(unsupported(CauseShape, f.Message, nil))
			continue
		}
		f.Location = locPolicyText
		j.add(Issue{Finding: f, Cause: CauseShape})
	}
	if !j.OK() {
		return j
	}
	canonical := Assemble(r)
	if _, err := ParseOne(canonical); err != nil {
		j.add(unsupported(CauseAssembled, "assembled again it does not parse: "+err.Error(), err))
		return j
	}
	j.Rule, j.Text = r, canonical
	return j
}

// unsupported is a cedar_unsupported issue at policy_text.
func unsupported(cause, reason string, err error) Issue {
	return Issue{Finding: Finding{Type: FindingError, Code: api.CodeCedarUnsupported, Location: locPolicyText, Message: reason}, Cause: cause, Err: err}
}

// IssueOf is the issue for an error of CheckBounds or of parsing (ParseOne,
// Format, Decompose, SplitPolicySet) about the text at location: too_long
// or cedar_too_deep (with the position of the depth) for a *LimitError,
// cedar_syntax (with its position, when known) for a *SyntaxError, and
// cedar_statement_count (with where the second statement starts, if any)
// otherwise.
func IssueOf(err error, location string) Issue {
	is := Issue{Finding: Finding{Type: FindingError, Code: api.CodeCedarStatementCount, Location: location, Message: err.Error()}, Cause: CauseParse, Err: err}
	var (
		le *LimitError
		se *SyntaxError
		ce *CountError
	)
	switch {
	case errors.As(err, &le):
		is.Cause, is.Code = CauseBounds, api.CodeCedarTooDeep
		if le.Limit == LimitLength {
			is.Code = api.CodeTooLong
		}
		is.Line, is.Column = le.Line, le.Column
	case errors.As(err, &se):
		is.Code, is.Message = api.CodeCedarSyntax, se.Message
		is.Line, is.Column = se.Line, se.Column
	case errors.As(err, &ce):
		is.Line, is.Column = ce.Line, ce.Column
	}
	return is
}

// Parts is a set of the parts of a structured rule.
type Parts struct {
	Effect, Principal, Action, Resource, Conditions bool
}

// has reports whether the part that the CheckShape location loc belongs
// to is in ps.
func (ps Parts) has(loc string) bool {
	switch rulePart(loc) {
	case "effect":
		return ps.Effect
	case "principal":
		return ps.Principal
	case "action":
		return ps.Action
	case "resource":
		return ps.Resource
	}
	return false
}

// add adds the part that the CheckShape location loc belongs to.
func (ps *Parts) add(loc string) {
	switch rulePart(loc) {
	case "effect":
		ps.Effect = true
	case "principal":
		ps.Principal = true
	case "action":
		ps.Action = true
	case "resource":
		ps.Resource = true
	}
}

// rulePart is the part of a rule ("effect", "principal", "action",
// "resource", "conditions") an API location belongs to.
func rulePart(loc string) string {
	if a, ok := RuleAttribute(loc); ok {
		return a.Name
	}
	return loc
}

// JudgeRule judges the structured rule r as jitsudo-local does on a write:
// the shape of its parts (CheckShape's findings, at their fields), the
// conditions' bounds (MaxConditionsLength, MaxDepth: too_long,
// cedar_too_deep), and the Cedar syntax of the statement assembled from
// r. A statement that does not parse is the conditions' fault, since the
// other parts are well shaped: cedar_syntax, or cedar_statement_count for
// conditions that end the statement early, at conditions with the line
// and column within the conditions as written (at location "" when r has
// no conditions, which should not happen). A statement refused by the
// bounds of Cedar texts is too_long or cedar_too_deep at location "".
// The issues of the assembled statement have Cause assembled.
//
// unknown are the parts whose values are not known yet (a Terraform plan):
// they are not judged, and the conditions are parsed with a placeholder
// (permit, an unconstrained scope) for each unknown part, and each part
// with a shape error, so that only the conditions can break the
// statement.
func JudgeRule(r Rule, unknown Parts) Judgement {
	var j Judgement
	placeholders := unknown
	for _, f := range CheckShape(r) {
		if unknown.has(f.Location) {
			continue
		}
		if f.Type == FindingError {
			placeholders.add(f.Location)
		}
		j.add(Issue{Finding: f, Cause: CauseShape})
	}
	if unknown.Conditions {
		return j
	}
	if strings.TrimSpace(r.Conditions) != "" {
		if err := CheckBounds(r.Conditions, api.MaxConditionsLength); err != nil {
			j.add(IssueOf(err, locConditions))
			return j
		}
	}
	p := withPlaceholders(r, placeholders)
	text := Assemble(p)
	if _, err := ParseOne(text); err != nil {
		j.add(assembledIssue(p, text, err))
		return j
	}
	if j.OK() && unknown == (Parts{}) {
		j.Rule, j.Text = r, text
	}
	return j
}

// withPlaceholders is r with each part in ps replaced by a placeholder:
// permit, or an unconstrained scope.
func withPlaceholders(r Rule, ps Parts) Rule {
	anyScope := Scope{Type: ScopeAny}
	if ps.Effect {
		r.Effect = EffectPermit
	}
	if ps.Principal {
		r.Principal = anyScope
	}
	if ps.Action {
		r.ActionScopeType, r.ActionIDs = ScopeAny, nil
	}
	if ps.Resource {
		r.Resource = anyScope
	}
	return r
}

// assembledIssue is the issue for err, the error of parsing text, the
// statement assembled from r.
func assembledIssue(r Rule, text string, err error) Issue {
	is := IssueOf(err, locConditions)
	is.Cause = CauseAssembled
	switch {
	case is.Code == api.CodeTooLong || is.Code == api.CodeCedarTooDeep:
		is.Location, is.Line, is.Column = "", 0, 0
	case strings.TrimSpace(r.Conditions) == "":
		is.Code, is.Location, is.Message, is.Line, is.Column = api.CodeCedarSyntax, "", err.Error(), 0, 0
	default:
		bare := r
		bare.Conditions = ""
		start := len(Assemble(bare)) // the trimmed conditions start after "\n)" and a newline
		var ok bool
		is.Line, is.Column, ok = ConditionsPosition(text, start, r.Conditions, is.Line, is.Column)
		if !ok {
			is.Line, is.Column = 0, 0
		}
	}
	return is
}
