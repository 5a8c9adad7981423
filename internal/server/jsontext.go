package server

// Strings are stored exactly as sent or refused. encoding/json silently
// replaces invalid UTF-8 and lone UTF-16 surrogates ("\ud800") with U+FFFD;
// checkJSONText finds them in the raw body first, so they become a 400 at
// the JSON path of the string instead of a changed value.

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"unicode/utf8"
)

// maxScanDepth bounds the nesting checkJSONText follows; deeper bodies are
// left to encoding/json, which refuses them (its own limit is 10000).
const maxScanDepth = 10000

// checkJSONText records a finding for the first string of body (a member
// name or a value) that is not valid UTF-8 or holds an unpaired surrogate
// escape, at the string's location. A body that is not valid JSON is left
// to the decoder, which reports it.
func checkJSONText(v *validation, body []byte) {
	if utf8.Valid(body) && !bytes.Contains(body, []byte(`\u`)) {
		return // the common case: nothing to look at
	}
	var path jsonPath
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return
		}
		d, isDelim := tok.(json.Delim)
		if isDelim && (d == '}' || d == ']') {
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
			continue
		}
		isKey := path.next()
		if s, ok := tok.(string); ok {
			if problem := stringProblem(rawString(body, before, dec.InputOffset())); problem != "" {
				addTextFinding(v, path, isKey, s, problem)
				return
			}
			if isKey {
				path[len(path)-1].key = s
			}
			continue
		}
		if isDelim {
			if len(path) >= maxScanDepth {
				return
			}
			path = append(path, jsonFrame{array: d == '[', index: -1, expectKey: d == '{'})
		}
	}
}

// jsonFrame is the position of a scan inside one open object or array.
type jsonFrame struct {
	array     bool
	index     int    // of the current element of an array
	expectKey bool   // in an object: the next string is a member name
	key       string // in an object: the current member's name
}

// jsonPath is the position of a token scan in a JSON document: one frame
// per open object or array, outermost first.
type jsonPath []jsonFrame

// next moves the innermost frame past the token that starts now (a value
// or, in an object, a member name) and reports whether it is a member
// name.
func (p jsonPath) next() bool {
	if len(p) == 0 {
		return false
	}
	top := &p[len(p)-1]
	switch {
	case top.array:
		top.index++
	case top.expectKey:
		top.expectKey = false
		return true
	default:
		top.expectKey = true // the value starts; a key follows it
	}
	return false
}

// location renders the frames' current positions as a validation
// location (name.sub[2]["odd key"]).
func (p jsonPath) location() string {
	out := ""
	for _, f := range p {
		switch {
		case f.array:
			out += "[" + strconv.Itoa(f.index) + "]"
		case isIdentifier(f.key) && out == "":
			out = f.key
		case isIdentifier(f.key):
			out += "." + f.key
		default:
			out += "[" + jsonQuote(f.key) + "]"
		}
	}
	return out
}

// addTextFinding records the problem of the string s found at path; a
// member name is reported at the path of the object holding it.
func addTextFinding(v *validation, path jsonPath, isKey bool, s, problem string) {
	where, what := path.location(), "the string"
	if isKey {
		where, what = path[:len(path)-1].location(), "the member name "+jsonQuote(s)
	}
	code := "invalid_utf8"
	if problem != "invalid UTF-8" {
		code = "invalid_unicode"
	}
	v.add(where, code, "%s holds %s; send text as UTF-8 (surrogate escapes only in pairs), it is stored exactly as sent or refused", what, problem)
}

// rawString is the quoted string token of body that ends at end, found
// after start (only whitespace, ':' or ',' precede its opening quote).
func rawString(body []byte, start, end int64) []byte {
	if start < 0 || end > int64(len(body)) || start >= end {
		return nil
	}
	seg := body[start:end]
	i := bytes.IndexByte(seg, '"')
	if i < 0 {
		return nil
	}
	return seg[i:]
}

// stringProblem describes what a raw JSON string token (with its quotes)
// holds that decoding would alter: invalid UTF-8 or an unpaired surrogate
// escape. "" when it decodes exactly.
func stringProblem(raw []byte) string {
	if !utf8.Valid(raw) {
		return "invalid UTF-8"
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		r, ok := unicodeEscape(raw, i)
		if !ok {
			i++ // another escape: skip the escaped character (it may be a backslash)
			continue
		}
		switch {
		case r >= 0xD800 && r <= 0xDBFF:
			// A high surrogate must be followed at once by a low one.
			if lo, ok := unicodeEscape(raw, i+6); !ok || lo < 0xDC00 || lo > 0xDFFF {
				return "an unpaired high surrogate escape"
			}
			i += 11
		case r >= 0xDC00 && r <= 0xDFFF:
			return "an unpaired low surrogate escape"
		default:
			i += 5
		}
	}
	return ""
}

// unicodeEscape decodes the \uXXXX escape at raw[i:], if there is one.
func unicodeEscape(raw []byte, i int) (rune, bool) {
	if i+6 > len(raw) || raw[i] != '\\' || raw[i+1] != 'u' {
		return 0, false
	}
	r, err := strconv.ParseUint(string(raw[i+2:i+6]), 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(r), true
}

// identifier matches the member names a location can hold after a dot.
var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// isIdentifier reports whether a member name can appear in a location
// after a dot.
func isIdentifier(s string) bool { return identifier.MatchString(s) }

// jsonQuote is s as a JSON string, without HTML escaping.
func jsonQuote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}
