package cedar

// A small Cedar tokenizer that splits policy text into tokens exactly as
// cedar-go v1.9.0's scanner does (same token boundaries, same positions),
// so that the positions of cedar-go's parse errors can be mapped to the
// tokens they are about (see position.go). It is not used to parse.

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// tokenKind classifies a token like cedar-go's scanner does.
type tokenKind int

const (
	tokEOF      tokenKind = iota // end of input
	tokIdent                     // identifier, e.g. principal, User, ticket_id
	tokKeyword                   // reserved word: true false if then else in like has is __cedar
	tokInt                       // decimal digits, e.g. 3600 (no sign)
	tokString                    // "..." with its quotes and escapes as written
	tokOperator                  // punctuation and operators, e.g. :: == && ( ;
	tokUnknown                   // a character no token starts with, e.g. $ or a lone =
)

// token is one token of a policy text. Offsets are byte offsets into the
// text, Line and Col are 1-based, Col counted in runes (as cedar-go does).
type token struct {
	kind      tokenKind
	text      string
	offset    int // first byte
	end       int // one past the last byte
	line, col int
}

// is reports whether t is the operator or keyword s.
func (t token) is(s string) bool {
	return (t.kind == tokOperator || t.kind == tokKeyword || t.kind == tokUnknown) && t.text == s
}

// cedarKeywords are cedar-go's reserved keywords.
var cedarKeywords = map[string]bool{
	"true": true, "false": true, "if": true, "then": true, "else": true,
	"in": true, "like": true, "has": true, "is": true, "__cedar": true,
}

// errTokenize is returned by tokenize for text cedar-go's scanner rejects
// (an unterminated string or block comment, a malformed escape, invalid
// UTF-8 or a NUL byte). Callers only tokenize text that scanned fine.
var errTokenize = errors.New("cedar text does not tokenize")

// tokenize splits text into tokens, ending with one tokEOF token. Like
// cedar-go it skips space, tab, CR and LF, `// line` comments and
// `/* block */` comments, and it positions the tokEOF token one past the
// last character (at column 1 of the next line after a final newline).
func tokenize(text string) ([]token, error) {
	var toks []token
	line, col := 1, 1 // position of text[i]
	i := 0
	advance := func(n int) { // moves over n bytes that hold no newline
		col += utf8.RuneCountInString(text[i : i+n])
		i += n
	}
	for {
		// Whitespace and comments.
		for i < len(text) {
			c := text[i]
			switch {
			case c == '\n':
				line, col = line+1, 1
				i++
			case c == ' ' || c == '\t' || c == '\r':
				advance(1)
			case strings.HasPrefix(text[i:], "//"):
				n := strings.IndexByte(text[i:], '\n')
				if n < 0 {
					n = len(text) - i
				}
				advance(n)
			case strings.HasPrefix(text[i:], "/*"):
				n := strings.Index(text[i+2:], "*/")
				if n < 0 {
					return nil, errTokenize
				}
				comment := text[i : i+2+n+2]
				if nl := strings.LastIndexByte(comment, '\n'); nl >= 0 {
					line += strings.Count(comment, "\n")
					col = 1 + utf8.RuneCountInString(comment[nl+1:])
					i += len(comment)
				} else {
					advance(len(comment))
				}
			default:
				goto scan
			}
		}
	scan:
		if i >= len(text) {
			toks = append(toks, token{kind: tokEOF, offset: i, end: i, line: line, col: col})
			return toks, nil
		}
		start, startLine, startCol := i, line, col
		kind, n, err := scanToken(text[i:])
		if err != nil {
			return nil, err
		}
		advance(n)
		if kind == tokIdent && cedarKeywords[text[start:i]] {
			kind = tokKeyword
		}
		toks = append(toks, token{kind: kind, text: text[start:i], offset: start, end: i, line: startLine, col: startCol})
	}
}

// scanToken returns the kind and byte length of the token at the start of
// s, which is not empty and starts with neither whitespace nor a comment.
func scanToken(s string) (tokenKind, int, error) {
	c := s[0]
	switch {
	case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		n := 1
		for n < len(s) && isCedarIdentByte(s[n]) {
			n++
		}
		return tokIdent, n, nil
	case c >= '0' && c <= '9':
		n := 1
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		return tokInt, n, nil
	case c == '"':
		n, err := scanString(s)
		return tokString, n, err
	case c == 0:
		return 0, 0, errTokenize
	}
	two := ""
	if len(s) >= 2 {
		two = s[:2]
	}
	switch two {
	case "::", "!=", "<=", ">=", "==", "||", "&&":
		return tokOperator, 2, nil
	}
	if strings.IndexByte("@.,;(){}[]+-*:!<>", c) >= 0 {
		return tokOperator, 1, nil
	}
	// A lone =, | or &, or any other character, is one unknown token.
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && n <= 1 {
		return 0, 0, errTokenize
	}
	return tokUnknown, n, nil
}

func isCedarIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// scanString returns the byte length of the string literal at the start of
// s (which starts with a double quote), with cedar-go's rules: no raw
// newline inside, and escapes \n \r \t \\ \0 \' \" \*, \xHH and
// \u{H...} (1 to 6 hex digits, underscores allowed after the first).
func scanString(s string) (int, error) {
	i := 1
	for i < len(s) {
		switch s[i] {
		case '"':
			return i + 1, nil
		case '\n', 0:
			return 0, errTokenize
		case '\\':
			n, ok := scanEscape(s[i:])
			if !ok {
				return 0, errTokenize
			}
			i += n
		default:
			i++
		}
	}
	return 0, errTokenize
}

// scanEscape returns the byte length of the escape at the start of s
// (which starts with a backslash) and whether cedar-go's scanner accepts it.
func scanEscape(s string) (int, bool) {
	if len(s) < 2 {
		return 0, false
	}
	switch s[1] {
	case 'n', 'r', 't', '\\', '0', '\'', '"', '*':
		return 2, true
	case 'x':
		if len(s) >= 4 && isHexByte(s[2]) && isHexByte(s[3]) {
			return 4, true
		}
		return 0, false
	case 'u':
		if len(s) < 4 || s[2] != '{' || !isHexByte(s[3]) {
			return 0, false
		}
		i, digits := 3, 0
		for i < len(s) && (isHexByte(s[i]) || s[i] == '_') {
			if s[i] != '_' {
				digits++
			}
			i++
		}
		if digits > 6 || i >= len(s) || s[i] != '}' {
			return 0, false
		}
		return i + 1, true
	}
	return 0, false
}

func isHexByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
