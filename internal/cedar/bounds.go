package cedar

// Bounds checked before cedar-go sees a text. cedar-go's parsers recurse
// once per level of brackets (and per `if`), and cedar-go compiles, prints
// and validates a policy's expression tree recursively: a text nested a
// few hundred thousand levels deep overflows the goroutine stack, which is
// a fatal error that recover cannot catch, and chains of operators or of
// namespace segments (`A::A::...`) make it take minutes. Every function of
// this package that parses Cedar (ParseOne, Format, Decompose,
// SplitPolicySet, ParseSchema and what builds on them) first checks the
// text against the bounds below; callers with a tighter length limit of
// their own (a rule's policy_text or conditions) call CheckBounds with it
// before anything else.

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

const (
	// MaxDepth bounds the nesting depth of a Cedar text (see CheckBounds
	// for how it is counted). The rules of the differential-test corpus
	// (974 in all) stay below 20; a `when` clause of about 50 terms
	// joined by `&&` reaches it (split it into several `when { }` clauses,
	// each counted on its own; validation joins them in a balanced tree). The bound keeps cedar-go's recursive parser,
	// compiler and validator far from the limits of the goroutine stack
	// and from super-linear work.
	MaxDepth = 128

	// MaxTextLength bounds the length, in characters (Unicode code
	// points), of every Cedar text this package parses: a policy, a
	// policy set or a schema. It is the largest Cedar text of the API
	// contract, a policy's cedar_policy_set (api.MaxCedarPolicySetLength).
	// Rule texts have tighter limits of their own (api.MaxPolicyTextLength,
	// api.MaxConditionsLength), which their callers check with CheckBounds.
	MaxTextLength = api.MaxCedarPolicySetLength
)

// Limits of LimitError.
const (
	LimitLength = "length"
	LimitDepth  = "depth"
)

// LimitError is the error for a text over one of the bounds checked before
// parsing: its length (Limit LimitLength, Max the limit in characters,
// Actual the text's length) or its nesting depth (Limit LimitDepth, Max
// MaxDepth, Actual the depth reached where the scan stopped). For a depth
// error Line, Column (1-based, in characters) and Offset (bytes) are where
// the depth first exceeds the limit; for a length error they are 0.
type LimitError struct {
	Limit  string
	Max    int
	Actual int
	Line   int
	Column int
	Offset int
}

// Error implements error. The message names the limit.
func (e *LimitError) Error() string {
	if e.Limit == LimitLength {
		return fmt.Sprintf("the Cedar text is %d characters long, over the limit of %d characters", e.Actual, e.Max)
	}
	return fmt.Sprintf("the Cedar text nests deeper than the limit of %d levels (brackets, operators and namespaces) at line %d, column %d", e.Max, e.Line, e.Column)
}

// CheckBounds returns a *LimitError when text is longer than maxLength
// characters (Unicode code points, as the API contract's maxLength counts
// them; maxLength <= 0 means MaxTextLength) or nests deeper than MaxDepth,
// and nil otherwise. It does not parse: it scans the tokens once, in time
// linear in the length, and stops at the first level over the limit.
//
// The depth is an upper bound of the height of the expression tree
// cedar-go builds, counted on the tokens: each bracket `(`, `[` or `{`
// opens a level one deeper than the position it opens at, and within a
// level every operator (unary and binary: `!`, `-`, `+`, `*`, comparisons,
// `&&`, `||`, `in`, `has`, `like`, `is`, `if`), every `.` access or method
// call, every `[...]` index and every `::` of a path adds one, counted
// from the level's last comma (or `;`). So `((a))` has depth 2, `a.b.c`
// 2 and `if x then !y else z` 2, plus one for the `when { }` of a policy
// and one for its scope `( )`.
func CheckBounds(text string, maxLength int) error {
	if maxLength <= 0 || maxLength > MaxTextLength {
		maxLength = MaxTextLength
	}
	if len(text) > maxLength { // at least as many bytes as characters
		if n := utf8.RuneCountInString(text); n > maxLength {
			return &LimitError{Limit: LimitLength, Max: maxLength, Actual: n}
		}
	}
	if depth, off, ok := policyDepth(text, MaxDepth); !ok {
		e := &LimitError{Limit: LimitDepth, Max: MaxDepth, Actual: depth, Offset: off}
		e.Line, e.Column = offsetLineCol(text, off)
		return e
	}
	return nil
}

// checkSchemaBounds is CheckBounds for a schema (.cedarschema): the depth
// is the nesting of `{`, `[`, `(` and `<` (Set<...>) plus the `::` of
// each path.
func checkSchemaBounds(text string) error {
	if len(text) > MaxTextLength {
		if n := utf8.RuneCountInString(text); n > MaxTextLength {
			return &LimitError{Limit: LimitLength, Max: MaxTextLength, Actual: n}
		}
	}
	if depth, off, ok := schemaDepth(text, MaxDepth); !ok {
		e := &LimitError{Limit: LimitDepth, Max: MaxDepth, Actual: depth, Offset: off}
		e.Line, e.Column = offsetLineCol(text, off)
		return e
	}
	return nil
}

// depthLevel is one open bracket of a depth scan.
type depthLevel struct {
	prefix   int // depth at which the level's segments start
	ops      int // depth-adding tokens of the current segment
	maxChild int // deepest closed child level of the current segment, plus one
	best     int // deepest finished segment of the level
}

// height is the level's depth so far: its deepest segment, relative to
// the level.
func (l *depthLevel) height() int { return max(l.best, l.ops+l.maxChild) }

// policyDepth scans a policy text for CheckBounds. It returns the depth
// reached, the byte offset of the token where it exceeds limit and false,
// or the text's depth, 0 and true. A token that does not scan (an
// unterminated string, invalid UTF-8) is skipped and the scan goes on.
func policyDepth(text string, limit int) (int, int, bool) {
	levels := []depthLevel{{}}
	deepest := 0
	prevOperand := false // the previous token ends an operand: `[` after it is an index
	for i := 0; ; {
		i = skipSpaceAndComments(text, i)
		if i >= len(text) {
			break
		}
		kind, n, err := scanToken(text[i:])
		if err != nil {
			// cedar-go stops here; scanning on (conservatively) cannot
			// miss depth cedar-go reaches.
			i += skipBadToken(text[i:])
			prevOperand = false
			continue
		}
		tok := text[i : i+n]
		top := &levels[len(levels)-1]
		grew := false
		operand := false
		switch kind {
		case tokIdent:
			switch tok {
			case "in", "has", "like", "is", "if":
				top.ops++
				grew = true
			case "then", "else":
			default:
				operand = true
			}
		case tokInt, tokString:
			operand = true
		case tokOperator:
			switch tok {
			case "(", "[", "{":
				if tok == "[" && prevOperand {
					top.ops++ // an index x["a"]
				}
				levels = append(levels, depthLevel{prefix: top.prefix + top.ops + 1})
				grew = true
			case ")", "]", "}":
				if len(levels) > 1 {
					h := levels[len(levels)-1].height()
					levels = levels[:len(levels)-1]
					parent := &levels[len(levels)-1]
					parent.maxChild = max(parent.maxChild, h+1)
					top = parent
					grew = true
				}
				operand = true
			case ",", ";":
				top.best = top.height()
				top.ops, top.maxChild = 0, 0
			case ":", "@":
			default: // every other operator, including "." and "::"
				top.ops++
				grew = true
			}
		}
		if grew {
			top = &levels[len(levels)-1]
			if d := top.prefix + top.ops + top.maxChild; d > deepest {
				deepest = d
				if d > limit {
					return d, i, false
				}
			}
		}
		prevOperand = operand
		i += n
	}
	for len(levels) > 1 { // unclosed brackets: cedar-go fails at the end, after recursing
		h := levels[len(levels)-1].height()
		levels = levels[:len(levels)-1]
		parent := &levels[len(levels)-1]
		parent.maxChild = max(parent.maxChild, h+1)
	}
	if d := levels[0].height(); d > deepest {
		deepest = d
		if d > limit {
			return d, len(text), false
		}
	}
	return deepest, 0, true
}

// schemaDepth scans a schema text for checkSchemaBounds: the depth is the
// number of open brackets `{`, `[`, `(` and `<` plus the `::` of the
// path at hand.
func schemaDepth(text string, limit int) (int, int, bool) {
	open, path, deepest := 0, 0, 0
	for i := 0; ; {
		i = skipSpaceAndComments(text, i)
		if i >= len(text) {
			return deepest, 0, true
		}
		kind, n, err := scanToken(text[i:])
		if err != nil {
			// The schema scanner's strings and characters differ a little
			// from the policy scanner's: scan on.
			i += skipBadToken(text[i:])
			continue
		}
		tok := text[i : i+n]
		switch {
		case kind != tokOperator && kind != tokUnknown:
			i += n
			continue // an identifier continues the path
		case tok == "::":
			path++
		case tok == "{" || tok == "[" || tok == "(" || tok == "<":
			open++
			path = 0
		case tok == "}" || tok == "]" || tok == ")" || tok == ">":
			open = max(open-1, 0)
			path = 0
		default:
			path = 0
		}
		if d := open + path; d > deepest {
			deepest = d
			if d > limit {
				return d, i, false
			}
		}
		i += n
	}
}

// skipSpaceAndComments returns the offset of the first byte at or after i
// that is neither whitespace nor in a comment (len(text) if none).
func skipSpaceAndComments(text string, i int) int {
	for i < len(text) {
		switch c := text[i]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '/' && i+1 < len(text) && text[i+1] == '/':
			for i < len(text) && text[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(text) && text[i+1] == '*':
			end := strings.Index(text[i+2:], "*/")
			if end < 0 {
				return len(text)
			}
			i += 2 + end + 2
		default:
			return i
		}
	}
	return i
}

// skipBadToken returns the length of what to skip of s, which starts with
// a token scanToken rejects: a string literal up to its closing quote (or
// the end of the line), else one byte.
func skipBadToken(s string) int {
	if s[0] != '"' {
		return 1
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"', '\n':
			return i + 1
		}
	}
	return len(s)
}
