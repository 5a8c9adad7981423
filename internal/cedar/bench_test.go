package cedar

// Benchmarks of the Cedar work done per rule. They run only with -bench:
//
//	go test ./internal/cedar/ -run '^$' -bench . -benchmem -count 5
//
// The corpus below is a realistic mix of the rules of an access broker:
// structured rules (with and without conditions, every scope type) and raw
// policy texts (with comments and annotations). Each benchmark is per rule:
// "mix" sub-benchmarks take the corpus round-robin, so their ns/op is the
// average over the corpus; BenchmarkAssembleParseValidate also has one
// sub-benchmark per rule. See BENCHMARKS.md at the repository root.

import (
	"testing"
)

// benchRule is one rule of the corpus: structured (Rule set) or raw (Text
// set).
type benchRule struct {
	name string
	rule *Rule
	text string
}

var benchCorpus = []benchRule{
	{name: "structured/group-is_in-conditions", rule: &Rule{
		Effect:          EffectPermit,
		Principal:       Scope{Type: ScopeIn, EntityType: "Group", EntityID: "sre"},
		ActionScopeType: ScopeIn,
		ActionIDs:       []string{"request_access", "extend"},
		Resource:        Scope{Type: ScopeIsIn, EntityType: "AwsPermissionSet", EntityID: "123456789012", InEntityType: "AwsAccount"},
		Conditions:      "when { context.duration_seconds <= 3600 && context.mfa_authenticated }",
	}},
	{name: "structured/approvers-no-conditions", rule: &Rule{
		Effect:          EffectPermit,
		Principal:       Scope{Type: ScopeIn, EntityType: "Group", EntityID: "sre-leads"},
		ActionScopeType: ScopeIn,
		ActionIDs:       []string{"approve", "deny", "revoke"},
		Resource:        Scope{Type: ScopeAny},
	}},
	{name: "structured/forbid-unless", rule: &Rule{
		Effect:          EffectForbid,
		Principal:       Scope{Type: ScopeAny},
		ActionScopeType: ScopeAny,
		Resource:        Scope{Type: ScopeIs, EntityType: "AwsAccount"},
		Conditions:      "unless { context.mfa_authenticated }",
	}},
	{name: "structured/user-eq-multiline-conditions", rule: &Rule{
		Effect:          EffectPermit,
		Principal:       Scope{Type: ScopeEq, EntityType: "User", EntityID: "alice@example.com"},
		ActionScopeType: ScopeEq,
		ActionIDs:       []string{"request_access"},
		Resource:        Scope{Type: ScopeEq, EntityType: "AwsAccount", EntityID: "210987654321"},
		Conditions: "when {\n  context has ticket_id &&\n  context.ticket_id like \"INC-*\"\n}\n" +
			"unless { context.duration_seconds > 7200 }",
	}},
	{name: "raw/mfa-comment", text: "// Nobody gets production access without MFA.\n" +
		"forbid (principal, action, resource)\n" +
		"unless { context.mfa_authenticated };\n"},
	{name: "raw/annotated-oncall", text: "@id(\"oncall-prod\")\n" +
		"permit (\n" +
		"  principal in Group::\"oncall\",\n" +
		"  action in [Action::\"request_access\", Action::\"extend\"],\n" +
		"  resource in AwsAccount::\"210987654321\"\n" +
		")\n" +
		"when { context.duration_seconds <= 1800 && context.reason != \"\" }\n" +
		"unless { context has ticket_id && context.ticket_id == \"\" };\n"},
}

// benchText is the Cedar text of c as the server stores it: the assembled
// text of a structured rule, the text as written for a raw one.
func benchText(c benchRule) string {
	if c.rule != nil {
		return Assemble(*c.rule)
	}
	return c.text
}

// writeRule does the Cedar work of one rule write, as jitsudo-local does it
// (internal/server/rules.go): a structured rule is shape-checked,
// assembled and parsed; a raw text is parsed, decomposed, shape-checked,
// re-assembled and parsed again. Either way the resulting text is then
// validated against schemaText.
func writeRule(b *testing.B, c benchRule, schemaText string) {
	var r Rule
	if c.rule != nil {
		r = *c.rule
	} else {
		if _, err := ParseOne(c.text); err != nil {
			b.Fatalf("%s: %v", c.name, err)
		}
		var err error
		if r, err = Decompose(c.text); err != nil {
			b.Fatalf("%s: %v", c.name, err)
		}
	}
	if HasErrors(CheckShape(r)) {
		b.Fatalf("%s: shape errors: %v", c.name, CheckShape(r))
	}
	text := Assemble(r)
	if _, err := ParseOne(text); err != nil {
		b.Fatalf("%s: %v", c.name, err)
	}
	fs, err := ValidatePolicy(text, schemaText)
	if err != nil || len(fs) > 0 {
		b.Fatalf("%s: schema findings %v, error %v", c.name, fs, err)
	}
}

// BenchmarkAssembleParseValidate is the Cedar cost of one rule write:
// CheckShape + Assemble + ParseOne (+ Decompose for raw texts) +
// ValidatePolicy against DefaultSchema, which parses the schema on every
// call (see BenchmarkValidatePolicySchemaParse for that part).
func BenchmarkAssembleParseValidate(b *testing.B) {
	schemaText := DefaultSchema()
	for _, c := range benchCorpus {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				writeRule(b, c, schemaText)
			}
		})
	}
	b.Run("mix", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			writeRule(b, benchCorpus[i%len(benchCorpus)], schemaText)
			i++
		}
	})
}

// BenchmarkValidatePolicy is ValidatePolicy alone (schema parse + policy
// parse + validation) per rule of the corpus.
func BenchmarkValidatePolicy(b *testing.B) {
	texts := benchTexts()
	schemaText := DefaultSchema()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if fs, err := ValidatePolicy(texts[i%len(texts)], schemaText); err != nil || len(fs) > 0 {
			b.Fatalf("findings %v, error %v", fs, err)
		}
		i++
	}
}

// BenchmarkValidatePolicySchemaParse is the part of ValidatePolicy that
// does not depend on the policy: ParseSchema (parse and resolve) of
// DefaultSchema, which ValidatePolicy does on every call.
func BenchmarkValidatePolicySchemaParse(b *testing.B) {
	schemaText := DefaultSchema()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseSchema(schemaText); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidatePolicyPreresolved is the rest of ValidatePolicy:
// Schema.ValidatePolicy (ParseOne and strict validation) against a schema
// parsed once, outside the loop, as the provider checks rules at plan time.
func BenchmarkValidatePolicyPreresolved(b *testing.B) {
	texts := benchTexts()
	s, err := ParseSchema(DefaultSchema())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if fs := s.ValidatePolicy(texts[i%len(texts)]); len(fs) > 0 {
			b.Fatalf("findings %v", fs)
		}
		i++
	}
}

// BenchmarkParseOne is ParseOne alone per rule of the corpus.
func BenchmarkParseOne(b *testing.B) {
	texts := benchTexts()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := ParseOne(texts[i%len(texts)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkFormat is Format alone (parse + normalize) per rule of the
// corpus.
func BenchmarkFormat(b *testing.B) {
	texts := benchTexts()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := Format(texts[i%len(texts)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func benchTexts() []string {
	out := make([]string, len(benchCorpus))
	for i, c := range benchCorpus {
		out[i] = benchText(c)
	}
	return out
}
