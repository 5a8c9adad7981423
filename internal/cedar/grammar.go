package cedar

// Pre-checks that bring cedar-go v1.9.0's parser in line with the grammar
// of Cedar's reference implementation (Rust, 4.12), found by the
// differential test (difftest_test.go):
//
//   - Cedar has no block comments; cedar-go skips `/* ... */`.
//   - Cedar allows at most four repeated unary operators of one kind
//     (`!!!!x`, `----1`) and no mix of `!` and `-` in one run; cedar-go
//     allows any sequence.
//   - Cedar rejects a raw carriage return inside a string literal (as an
//     invalid escape); cedar-go keeps it.
//   - Cedar reads `-1.attr` as `-(1.attr)`; cedar-go reads the literal
//     `-1` and fails at the `.`.
//   - Cedar allows raw newlines inside string literals, every Unicode
//     White_Space character between tokens (no-break space, em space,
//     vertical tab, form feed, NEL, U+2028, ...) and a carriage return
//     alone to end a `//` comment; cedar-go's scanner rejects the first
//     two and reads past a lone CR to the next newline.
//
// normalizeText rewrites a text for cedar-go so that it means what Cedar
// reads (escaping newlines in strings, blanking Unicode spaces, ending
// comments at a CR) and rejects block comments; checkUnaryRuns rejects
// the unary runs Cedar's grammar does not have. Positions of errors in the
// rewritten text map back to the original text with textMap.orig.

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// textMap is a text rewritten for cedar-go (see normalizeText) and where
// it grew: inserted holds, in increasing order, the offsets in the
// rewritten text of the bytes that have no counterpart in the original.
type textMap struct {
	text     string
	inserted []int
}

// orig maps a byte offset of the rewritten text to the original text.
func (m textMap) orig(off int) int {
	n := 0
	for _, ins := range m.inserted {
		if ins >= off {
			break
		}
		n++
	}
	return off - n
}

// normalizeText rewrites text (see the top of this file) for cedar-go.
// Every byte keeps its offset, except that a raw newline inside a string
// literal becomes the two bytes `\n`. A block comment is a *SyntaxError
// where Cedar reports it.
func normalizeText(text string) (textMap, error) {
	var (
		b        strings.Builder
		copied   int // text[:copied] is in b
		inserted []int
	)
	// replace writes s in place of text[i:i+n].
	replace := func(i, n int, s string) {
		b.WriteString(text[copied:i])
		if len(s) > n {
			inserted = append(inserted, b.Len()+n)
		}
		b.WriteString(s)
		copied = i + n
	}
	const (
		code = iota
		inString
		inComment
	)
	state, stringStart := code, 0
	for i := 0; i < len(text); {
		c, size := utf8.DecodeRuneInString(text[i:])
		switch state {
		case inString:
			switch c {
			case '\\':
				// Skip the escaped character with it, so that an escaped
				// quote does not end the string.
				if i+1 < len(text) && text[i+1] != '\n' {
					_, next := utf8.DecodeRuneInString(text[i+1:])
					i += 1 + next
					continue
				}
			case '\r':
				// Cedar reads a raw CR in a string as an invalid escape.
				se := &SyntaxError{Message: "a raw carriage return in a string literal is not valid Cedar: write \\r"}
				se.setPosition(text, literalStart(text, stringStart))
				return textMap{}, se
			case '\n':
				replace(i, 1, `\n`)
			case '"':
				state = code
			}
		case inComment:
			switch {
			case c == '\n':
				state = code
			case c == '\r':
				state = code
				if i+1 >= len(text) || text[i+1] != '\n' {
					replace(i, 1, "\n") // a lone CR ends a comment in Cedar
				}
			}
		default:
			switch {
			case c == '"':
				state, stringStart = inString, i
			case strings.HasPrefix(text[i:], "//"):
				state = inComment
			case strings.HasPrefix(text[i:], "/*"):
				return textMap{}, blockCommentError(text, i)
			case c != ' ' && c != '\t' && c != '\r' && c != '\n' && unicode.Is(unicode.White_Space, c):
				replace(i, size, strings.Repeat(" ", size))
			}
		}
		i += size
	}
	if copied == 0 {
		return textMap{text: text}, nil
	}
	b.WriteString(text[copied:])
	return textMap{text: b.String(), inserted: inserted}, nil
}

// blockCommentError is the error for a block comment starting at off.
// Cedar reads its `/` as the division operator where an operator may
// follow (after an operand inside a condition) and so reports the `*`;
// anywhere else it reports the `/`.
func blockCommentError(text string, off int) *SyntaxError {
	se := &SyntaxError{Message: "unexpected token `/`: Cedar has no block comments, use // line comments"}
	at := off
	if toks, err := tokenize(text[:off]); err == nil && len(toks) >= 2 {
		last := toks[len(toks)-2]
		if endsOperand(last) && inCondition(toks, len(toks)-1) {
			se.Message = "unexpected token `*`: Cedar has no block comments, use // line comments"
			at = off + 1
		}
	}
	se.setPosition(text, at)
	return se
}

// inCondition reports whether toks[i] is inside the braces of a `when` or
// `unless` clause.
func inCondition(toks []token, i int) bool {
	for j := enclosingOpener(toks, i); j > 0; j = enclosingOpener(toks, j) {
		if toks[j].is("{") && isConditionKeyword(toks[j-1]) {
			return true
		}
	}
	return false
}

// maxUnaryRun is the longest run of one unary operator Cedar's grammar
// accepts.
const maxUnaryRun = 4

// checkUnaryRuns rejects the runs of unary operators that Cedar's grammar
// does not have: a run mixing `!` and `-` (reported at the first operator
// of the other kind, as Cedar does) and more than four of one kind
// (reported at the start of the run). toks are the tokens of text.
func checkUnaryRuns(text string, toks []token) error {
	for i := 0; i < len(toks); i++ {
		if !isUnary(toks, i) || isUnary(toks, i-1) {
			continue
		}
		j := i
		for j+1 < len(toks) && (toks[j+1].is("-") || toks[j+1].is("!")) {
			j++
		}
		for k := i + 1; k <= j; k++ {
			if toks[k].text != toks[i].text {
				se := &SyntaxError{Message: "unexpected token `" + toks[k].text + "`: Cedar does not allow `!` and `-` in one run of unary operators; add parentheses"}
				se.setPosition(text, toks[k].offset)
				return se
			}
		}
		if n := j - i + 1; n > maxUnaryRun {
			se := &SyntaxError{Message: "too many occurrences of `" + toks[i].text + "`: Cedar allows at most four in a row"}
			se.setPosition(text, toks[i].offset)
			return se
		}
		i = j
	}
	return nil
}

// cedarGoText is text rewritten for cedar-go (normalizeText, then
// parenthesizeNegatedMembers), or the error of a pre-check of this file,
// positioned in text.
func cedarGoText(text string) (textMap, error) {
	m, err := normalizeText(text)
	if err != nil {
		return m, err
	}
	// Text that does not tokenize is left to cedar-go, which reports it.
	if toks, terr := tokenize(m.text); terr == nil {
		if err := checkUnaryRuns(m.text, toks); err != nil {
			return m, m.remap(text, err)
		}
		m.parenthesizeNegatedMembers(toks)
	}
	return m, nil
}

// remap moves the position of err, a *SyntaxError about m.text, to the
// same place in text, the original of m.text. Other errors are returned
// as they are.
func (m textMap) remap(text string, err error) error {
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line <= 0 {
		return err
	}
	se.setPosition(text, m.orig(se.Offset))
	return err
}

// parenthesizeNegatedMembers rewrites `-1.attr` and `-1[...]` in m.text
// as `-(1).attr` and `-(1)[...]`. Cedar reads them as the negation of a
// member access, `-(1.attr)`; cedar-go reads `-1` as a literal and then
// fails at the `.`. (The access is a type error either way, but Cedar
// parses the text, and in dead code its validator accepts it.)
// toks are the tokens of m.text.
//
// The text is rebuilt once, in one pass, whatever the number of literals
// wrapped: a text of the maximum length may hold tens of thousands.
func (m *textMap) parenthesizeNegatedMembers(toks []token) {
	var wrap []token // the literals to wrap, in text order
	for i := 1; i+1 < len(toks); i++ {
		if toks[i].kind == tokInt && toks[i-1].is("-") && isUnary(toks, i-1) && (toks[i+1].is(".") || toks[i+1].is("[")) {
			wrap = append(wrap, toks[i])
		}
	}
	if len(wrap) == 0 {
		return
	}
	var b strings.Builder
	b.Grow(len(m.text) + 2*len(wrap))
	inserted := make([]int, 0, len(m.inserted)+2*len(wrap))
	pending, copied := m.inserted, 0
	// copyTo copies m.text[copied:to], with the inserted bytes within it.
	copyTo := func(to int) {
		for shift := b.Len() - copied; len(pending) > 0 && pending[0] < to; pending = pending[1:] {
			inserted = append(inserted, pending[0]+shift)
		}
		b.WriteString(m.text[copied:to])
		copied = to
	}
	for _, t := range wrap {
		copyTo(t.offset)
		inserted = append(inserted, b.Len())
		b.WriteByte('(')
		copyTo(t.end)
		inserted = append(inserted, b.Len())
		b.WriteByte(')')
	}
	copyTo(len(m.text))
	m.text, m.inserted = b.String(), inserted
}
