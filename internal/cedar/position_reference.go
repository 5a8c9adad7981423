package cedar

// Where Cedar's reference implementation (Rust) reports an error that its
// grammar lets through and a later check rejects (errors its grammar
// rejects are placed by refgrammar.go). Cedar's grammar parses a scope
// clause with its expression grammar and accepts chained relations
// (`1 < 2 < 3`), `=`, `/`, `%` and an empty `when { }`; it then rejects the
// construct as a whole, pointing at its start. referenceOffset moves
// cedar-go's error (already at the token it is about, see position.go) to
// where Cedar reports it; the differential test
// (TestDifferentialPositions) checks the result.

// referenceOffset is where Cedar reports the parser error msg (cedar-go's
// raw message) that position.go places at toks[k].
func referenceOffset(toks []token, k int, msg string) int {
	if k < 0 || k >= len(toks) {
		return -1
	}
	t := toks[k]
	gotWant := exactGotWant.FindStringSubmatch(msg)
	switch open := enclosingOpener(toks, k); {
	case open > 0 && toks[open].is("(") && isEffect(toks[open-1]) && inScopeError(toks, k, gotWant):
		return scopeClauseOffset(toks, k, gotWant)
	case open > 0 && toks[open].is("[") && inScope(toks, open) && !toks[k-1].is(",") && !toks[k-1].is("["):
		// An action list element that is not an entity: its start.
		j := k - 1
		for !toks[j-1].is(",") && !toks[j-1].is("[") {
			j--
		}
		return toks[j].offset
	case k >= 3 && inCondition(toks, k) && toks[k-1].kind == tokIdent && toks[k-2].is("::") && !t.is("("):
		// A path that is neither an entity nor a function (`Team::action`,
		// `User::context.reason`): Cedar rejects the name.
		return toks[pathStart(toks, k-1)].offset
	case k >= 2 && inCondition(toks, k) && t.is("(") && (isCloser(toks[k-1]) || toks[k-1].kind == tokString || toks[k-1].kind == tokInt):
		// A call of something that is not a name: its callee.
		return toks[memberStart(toks, k-1)].offset
	case k >= 3 && inCondition(toks, k) && toks[k-1].kind == tokIdent && toks[k-2].is("is") && (t.is("+") || t.is("-") || t.is("*")):
		// `x is T - ...`: Cedar reads an `Add` after `is` and rejects it.
		return toks[k-1].offset
	case k == 0 || !endsOperand(toks[k-1]) || !inCondition(toks, k):
	case isRelational(t) && hasRelationBefore(toks, k):
		return toks[expressionStart(toks, k, false)].offset // chained relation
	case t.is("="):
		return toks[expressionStart(toks, k, false)].offset
	case t.is("/") || t.is("%"):
		return toks[expressionStart(toks, k, true)].offset
	}
	switch {
	case gotWant != nil && isScopeVariable(gotWant[2]) && t.is(")") && k >= 2 && (toks[k-1].is("(") || toks[k-1].is(",")):
		return toks[k-2].end // a missing scope variable: Cedar's empty span after the last clause (or the effect)
	case gotWant != nil && gotWant[2] == "," && t.is(")") && inScope(toks, k) && k >= 1:
		return toks[k-1].end // the same without a trailing comma
	case msg == "invalid primary" && t.is("}") && k >= 2 && toks[k-1].is("{") && isConditionKeyword(toks[k-2]):
		return toks[k-2].offset // an empty condition
	}
	return -1
}

func isEffect(t token) bool {
	return t.kind == tokIdent && (t.text == EffectPermit || t.text == EffectForbid)
}

func isScopeVariable(s string) bool {
	return s == "principal" || s == "action" || s == "resource"
}

func isConditionKeyword(t token) bool {
	return t.kind == tokIdent && (t.text == "when" || t.text == "unless")
}

// isRelational reports whether t is a relational operator of Cedar's
// grammar.
func isRelational(t token) bool {
	for _, op := range []string{"<", "<=", ">", ">=", "==", "!=", "in"} {
		if t.is(op) {
			return true
		}
	}
	return false
}

// enclosingOpener is the index of the innermost bracket open at toks[k],
// or -1.
func enclosingOpener(toks []token, k int) int {
	for j := k - 1; j >= 0; j-- {
		switch {
		case isCloser(toks[j]):
			if j = matchingOpener(toks, j); j < 0 {
				return -1
			}
		case isOpener(toks[j]):
			return j
		}
	}
	return -1
}

// inScopeError reports whether the error at toks[k], inside a policy's
// scope, is one that Cedar reports for the whole clause or its operand:
// a misused operator, or (since errors of Cedar's grammar are placed by
// refgrammar.go) anything after the operator of `==` or `in`.
func inScopeError(toks []token, k int, gotWant []string) bool {
	t := toks[k]
	switch {
	case t.is("=") || t.is("!=") || t.is("is") || t.is("<") || t.is("<=") || t.is(">") || t.is(">="):
		return true
	case gotWant != nil && gotWant[2] == "::" && (t.is(",") || t.is(")")):
		return true // the operand ended without being an entity
	}
	return scopeOperator(toks, k) >= 0
}

// inScope reports whether toks[i] is directly inside a policy's scope.
func inScope(toks []token, i int) bool {
	open := enclosingOpener(toks, i)
	return open > 0 && toks[open].is("(") && isEffect(toks[open-1])
}

// scopeOperator is the index of the `==` or `in` of the scope clause
// holding toks[k] when it comes before k and is not toks[k-1], or -1.
func scopeOperator(toks []token, k int) int {
	for j := k - 1; j > 0 && !toks[j].is(",") && !toks[j].is("("); j-- {
		if isCloser(toks[j]) {
			if j = matchingOpener(toks, j); j <= 0 {
				return -1
			}
			continue
		}
		if (toks[j].is("==") || toks[j].is("in")) && j < k-1 {
			return j
		}
	}
	return -1
}

// scopeClauseOffset is where Cedar reports an error in the scope clause
// holding toks[k]: at the operand of `==` or `in` for an operand that is
// not an entity, else at the start of the clause.
func scopeClauseOffset(toks []token, k int, gotWant []string) int {
	start := k
	for start > 0 && !toks[start-1].is(",") && !toks[start-1].is("(") {
		start--
	}
	t := toks[k]
	misused := t.is("=") || t.is("!=") || t.is("is") || t.is("<") || t.is("<=") || t.is(">") || t.is(">=")
	if gotWant != nil && gotWant[2] == "::" || !misused {
		for j := k - 1; j >= start; j-- {
			if toks[j].is("==") || toks[j].is("in") {
				return toks[j+1].offset
			}
		}
	}
	return toks[start].offset
}

// hasRelationBefore reports whether the relation that the relational
// operator toks[k] would continue already has one.
func hasRelationBefore(toks []token, k int) bool {
	start := expressionStart(toks, k, false)
	for j := start; j < k; j++ {
		if isCloser(toks[j]) {
			continue
		}
		if isOpener(toks[j]) {
			if m := matchingCloser(toks, j); m > j && m < k {
				j = m
				continue
			}
		}
		if isRelational(toks[j]) {
			return true
		}
	}
	return false
}

// matchingCloser is the index of the bracket closing the one opened at j,
// or -1.
func matchingCloser(toks []token, j int) int {
	depth := 0
	for i := j; i < len(toks); i++ {
		switch {
		case isOpener(toks[i]):
			depth++
		case isCloser(toks[i]):
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// expressionStart is the index of the first token of the relation (or,
// with mult, of the product) that toks[k] is inside of: scanning back
// over whole bracketed groups to the token after the nearest `&&`, `||`,
// `,`, `:`, open bracket, `if`, `then` or `else` (and, with mult, binary
// `+`, `-` or a relational operator).
func expressionStart(toks []token, k int, mult bool) int {
	for j := k - 1; j >= 0; j-- {
		t := toks[j]
		switch {
		case isCloser(t):
			if j = matchingOpener(toks, j); j < 0 {
				return 0
			}
		case isOpener(t), t.is("&&"), t.is("||"), t.is(","), t.is(":"), t.is("if"), t.is("then"), t.is("else"):
			return j + 1
		case mult && (isRelational(t) || t.is("=") || ((t.is("+") || t.is("-")) && !isUnary(toks, j))):
			return j + 1
		}
	}
	return 0
}
