package server

// Strings are stored exactly as sent or refused. encoding/json silently
// replaces invalid UTF-8 and lone UTF-16 surrogates ("\ud800") with U+FFFD;
// checkJSONText finds them in the raw body first, so they become a 400 at
// the JSON path of the string instead of a changed value.

import (
	"bytes"
	"encoding/json"
	"io"
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
	type frame struct {
		array     bool
		index     int
		expectKey bool
		key       string
	}
	var stack []frame
	// loc renders the location of the frames' current positions.
	loc := func(frames []frame) string {
		out := ""
		for _, f := range frames {
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
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if err == io.EOF || err != nil {
			return
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		isKey := false
		if n := len(stack); n > 0 {
			top := &stack[n-1]
			switch {
			case top.array:
				top.index++
			case top.expectKey:
				isKey = true
				top.expectKey = false
			default:
				top.expectKey = true // the value starts; a key follows it
			}
		}
		if s, ok := tok.(string); ok {
			raw := rawString(body, before, dec.InputOffset())
			if problem := stringProblem(raw); problem != "" {
				where := loc(stack)
				what := "the string"
				if isKey { // at the path of the object holding it
					where = loc(stack[:len(stack)-1])
					what = "the member name " + jsonQuote(s)
				}
				code := "invalid_utf8"
				if problem != "invalid UTF-8" {
					code = "invalid_unicode"
				}
				v.add(where, code, "%s holds %s; send text as UTF-8 (surrogate escapes only in pairs), it is stored exactly as sent or refused", what, problem)
				return
			}
			if isKey {
				stack[len(stack)-1].key = s
			}
			continue
		}
		if d, ok := tok.(json.Delim); ok {
			if len(stack) >= maxScanDepth {
				return
			}
			stack = append(stack, frame{array: d == '[', index: -1, expectKey: d == '{'})
		}
	}
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

// isIdentifier reports whether a member name can appear in a location
// after a dot.
func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// jsonQuote is s as a JSON string, without HTML escaping.
func jsonQuote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}
