package cedar

// corpusParity: the classes of disagreement between cedar-go v1.9.0 and
// cedar-wasm 4.12.0 that issue 11 lists, closed by grammar.go,
// validate.go and position.go. Each class has cases on both sides of the
// line: what Cedar accepts and what it rejects, and errors after the text
// that grammar.go rewrites for cedar-go, so that their positions are
// checked too.
func corpusParity(b *corpusBuilder) {
	const head = "permit (principal, action, resource)"
	const when = head + " when { "
	const approve = `permit (principal, action == Action::"approve", resource) when { `
	grammar := []struct{ name, text string }{
		// Block comments: not Cedar.
		{"block-comment-in-scope", "permit (principal /* c */, action, resource);"},
		{"block-comment-after-scope", head + " /* c */;"},
		{"block-comment-in-when", when + "/* c */ true };"},
		{"block-comment-after-operand", when + "(true) /* c */ };"},
		{"block-comment-after-attribute", when + "context.mfa_authenticated /* c */ };"},
		{"block-comment-in-set", when + "[1 /* c */].contains(1) };"},
		{"block-comment-after-operator", when + "1 + /* c */ 2 == 3 };"},
		{"block-comment-after-policy", head + "; /* c */"},
		{"block-comment-in-annotation", "@id(\"x\" /* c */) " + head + ";"},
		{"block-comment-in-string", when + `context.reason like "/*" };`},
		{"block-comment-in-line-comment", head + " // /* c */\n;"},
		// Unary operators: at most four of one kind, no mix.
		{"unary-not-4", when + "!!!!context.mfa_authenticated };"},
		{"unary-not-5", when + "!!!!!context.mfa_authenticated };"},
		{"unary-not-8", when + "!!!!!!!!context.mfa_authenticated };"},
		{"unary-minus-4", when + "----1 == 1 };"},
		{"unary-minus-5", when + "-----1 == 1 };"},
		{"unary-minus-5-spaced", when + "- - - - - 1 == 1 };"},
		{"unary-minus-5-attribute", when + "-----context.duration_seconds == 1 };"},
		{"unary-mixed", when + "!-1 };"},
		{"unary-mixed-minus-first", when + "-!context.mfa_authenticated };"},
		{"unary-mixed-long", when + "!!!!-!!!!context.mfa_authenticated };"},
		{"unary-parenthesized", when + "!(-1 < 0) };"},
		{"unary-after-binary-minus", when + "1 - ----1 == 2 };"},
		{"unary-after-binary-minus-5", when + "1 - -----1 == 2 };"},
		// Raw newlines in strings, Unicode white space, CR ending a comment.
		{"newline-in-string-valid", when + "context.reason == \"two\nlines\" };"},
		{"newline-in-string-crlf", when + "context.reason == \"two\r\nlines\" };"},
		{"newlines-in-strings-then-error", when + "context.reason == \"a\nb\" && context.reason == \"c\nd\" +* 1 };"},
		{"newline-in-string-escaped-quote", when + "context.reason == \"a\\\"\nb\" };"},
		{"newline-in-entity-id-error-after", "permit (principal == User::\"a\nb\", action, resource) when { 1 + };"},
		{"nbsp-then-error", "permit\u00a0(principal,\u00a0action, resource) when { context.x +* 1 };"},
		{"ideographic-space", "permit\u3000(principal, action, resource);"},
		{"narrow-nbsp", "permit (principal,\u202faction, resource);"},
		{"paragraph-separator", "permit (principal, action, resource)\u2029;"},
		{"ogham-space", "permit (principal,\u1680action, resource);"},
		{"nbsp-in-string", when + "context.reason == \"a\u00a0b\" };"},
		{"zero-width-space", "permit (principal,\u200baction, resource);"},
		{"cr-ends-comment-then-error", head + " // c\rwhen { 1 + };"},
		{"crlf-comment", head + " // c\r\n;"},
		{"cr-in-string", when + "context.reason == \"a\rb\" };"},
		{"u2028-does-not-end-comment", head + " // c\u2028;"},
	}
	for _, c := range grammar {
		b.add("parity", c.name, c.text)
	}

	validation := map[string]string{
		// Clauses are one conjunction.
		"clauses-has-guards-next":        head + " when { context has ticket_id } when { context.ticket_id == \"x\" };",
		"clauses-has-guards-unless":      head + " when { context has ticket_id } unless { context.ticket_id == \"\" };",
		"clauses-guard-after-access":     head + " when { context.ticket_id == \"x\" } when { context has ticket_id };",
		"clauses-unless-has-no-guard":    head + " unless { context has ticket_id } when { context.ticket_id == \"x\" };",
		"clauses-false-skips-next":       head + " when { false } when { context.duration_seconds == \"x\" };",
		"clauses-false-still-names":      head + " when { false } when { principal in Team::\"x\" };",
		"clauses-unless-true-skips-next": head + " unless { true } when { context.duration_seconds == \"x\" };",
		"clauses-three":                  head + " when { context has ticket_id } when { context.mfa_authenticated } unless { context.ticket_id like \"x*\" };",
		"clauses-second-wrong-type":      head + " when { true } when { context.duration_seconds };",
		// action == literal folds to false.
		"action-eq-true":           approve + "action == true };",
		"action-eq-negative":       approve + "action == -1 };",
		"action-eq-user":           approve + "action == User::\"a\" };",
		"action-eq-principal":      approve + "action == principal };",
		"action-eq-context-attr":   approve + "action == context.reason };",
		"action-eq-set":            approve + "action == [1] };",
		"action-eq-record":         approve + "action == {a: 1} };",
		"action-eq-ip":             approve + "action == ip(\"10.0.0.1\") };",
		"action-ne-long":           approve + "action != 1 };",
		"action-eq-in-ite":         approve + "if action == 1 then 1 else \"a\" };",
		"action-eq-own":            approve + "action == Action::\"approve\" };",
		"action-paren-eq-long":     approve + "(action) == 1 };",
		"principal-eq-string":      approve + "principal == \"x\" };",
		"literal-eq-other-literal": approve + "\"a\" == 1 };",
		// Comparisons of different types.
		"datetime-lt-datetime":     when + "datetime(\"2024-01-01\") < datetime(\"2024-02-01\") };",
		"duration-lt-duration":     when + "duration(\"1h\") < duration(\"2h\") };",
		"long-lt-long":             when + "context.duration_seconds < 3600 };",
		"datetime-gt-long":         when + "datetime(\"2024-01-01\") > 1 };",
		"long-le-datetime":         when + "1 <= datetime(\"2024-01-01\") };",
		"duration-ge-datetime":     when + "duration(\"1h\") >= datetime(\"2024-01-01\") };",
		"offset-lt-long":           when + "datetime(\"2024-01-01\").offset(duration(\"1h\")) < 5 };",
		"duration-since-lt-dur":    when + "datetime(\"2024-01-01\").durationSince(datetime(\"2023-01-01\")) < duration(\"1d\") };",
		"to-millis-lt-long":        when + "duration(\"1h\").toMilliseconds() < 3600000 };",
		"mixed-comparison-in-or":   when + "context.mfa_authenticated || context.duration_seconds < duration(\"1h\") };",
		"mixed-comparison-guarded": when + "context has ticket_id && datetime(\"2024-01-01\") < context.duration_seconds };",
		// containsAll / containsAny across entity types.
		"containsall-same-type":     when + "[User::\"a\"].containsAll([User::\"b\"]) };",
		"containsany-other-type":    when + "[User::\"a\"].containsAny([Group::\"b\"]) };",
		"containsall-principal":     approve + "[principal].containsAll([User::\"a\"]) };",
		"containsall-longs":         when + "[1, 2].containsAll([1]) };",
		"containsall-long-string":   when + "[1].containsAll([\"a\"]) };",
		"containsany-resource-self": when + "[resource].containsAny([resource]) };",
		// is with an undeclared type.
		"is-declared":             when + "resource is AwsAccount };",
		"is-undeclared":           when + "principal is Robot };",
		"is-undeclared-in":        when + "principal is Robot in Group::\"sre\" };",
		"is-undeclared-or":        when + "resource is AwsAccount || resource is Bucket };",
		"is-action-type":          when + "action is Action };",
		"is-undeclared-dead-code": when + "false && principal is Robot };",
	}
	validation["is-in-false-skips-in"] = when + "principal is Group in \"sre\" };"
	validation["is-in-action-skips-in"] = when + "action is User in \"sre\" };"
	validation["is-in-true-checks-in"] = when + "principal is User in \"sre\" };"
	validation["is-in-false-skips-attribute"] = when + "resource is Group in context.nope };"
	validation["negated-literal-member-dead-code"] = head + " unless { true } when { -1.duration_seconds == \"x\" };"
	validation["negated-literal-member-valid-syntax"] = when + "-(1) < 0 };"
	for _, name := range sortedKeys(validation) {
		b.add("parity", name, validation[name])
	}

	schemas := map[string]string{
		"schema-boolean-declared":      "type Boolean = Long; entity User { b: Boolean }; action a appliesTo { principal: User, resource: User };",
		"schema-comment-in-string":     "entity User { \"/* x */\": Long }; action a appliesTo { principal: User, resource: User };",
		"schema-block-in-line-comment": "// /* x */\nentity User; action a appliesTo { principal: User, resource: User };",
		"schema-one-applicable-action": "entity User; action ping; action a appliesTo { principal: User, resource: User };",
	}
	for _, name := range sortedKeys(schemas) {
		b.addSchema("parity", name, schemas[name], head+";")
	}

	positions := []struct{ name, text string }{
		{"duration-at", when + "duration@\"1h\" };"},
		{"or-if", when + "context.mfa_authenticated || if true then true else false };"},
		{"and-if", when + "context.mfa_authenticated && if true then true else false };"},
		{"missing-semicolon-second-policy", head + "\n" + head + ";"},
		{"missing-semicolon-after-when", head + " when { true }\nforbid (principal, action, resource);"},
		{"name-then-string", when + "context \"x\" };"},
		{"name-then-paren", when + "principal (1) };"},
		{"principal-assign", `permit (principal = User::"a", action, resource);`},
		{"resource-assign", `permit (principal, action, resource = AwsAccount::"1");`},
		{"chained-less", when + "1 < 2 < 3 };"},
		{"chained-eq-in", when + "principal == principal in Group::\"a\" };"},
		{"chained-multiline", when + "\n  1 < 2\n  < 3\n};"},
		{"missing-resource", "permit (principal, action, );"},
		{"missing-action-multiline", "permit (\n  principal == User::\"a\",\n)\nwhen { true };"},
		{"scope-operand-division", "permit (principal == User/\"alice\", action, resource);"},
		{"scope-list-element-eq", "permit (principal, action in [Action::\"a\", Action==\"b\"], resource);"},
		{"path-as-variable", when + "principal in Team::action };"},
		{"path-member-access", when + "User::context.reason == \"x\" };"},
		{"call-of-set", when + "[User::\"a\"]() };"},
		{"call-of-string", when + "\"x\" (1) };"},
		{"is-then-minus", when + "resource is AwsAccount - 1 };"},
		{"grammar-error-after-duplicate-annotation", "@id(\"a\") @id(\"b\") permit (principal, action resource);"},
		{"grammar-error-after-template-slot", "permit (principal == ?principal, action, resource) when { 1 2 };"},
		{"grammar-error-after-bad-escape", "permit (principal == User::\"\\q\", action, resource) };"},
		{"recovered-at-semicolon", "permit (principal, action, resource in A;\"1\");"},
		{"recovered-at-semicolon-then-brace", when + "1 + ; };"},
		{"recovered-in-parentheses", when + "(1 + ) } when { 2 + };"},
		{"recovered-in-list", when + "[1 + , 2 +] };"},
		{"invalid-token", when + "true &&& false };"},
		{"integer-over-u64-then-error", when + "18446744073709551616 + };"},
		{"keyword-effect", "if (principal, action, resource);"},
		{"negated-literal-member", when + "-1.mfa_authenticated };"},
		{"negated-literal-index", when + "-1[\"a\"] == 1 };"},
	}
	for _, c := range positions {
		b.add("parity", c.name, c.text)
	}
}
