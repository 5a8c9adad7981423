package cedar

import (
	"strings"
	"testing"
)

func TestNormalizeText(t *testing.T) {
	tests := []struct {
		name, text, want string
		inserted         []int
	}{
		{"unchanged", `permit (principal, action, resource) when { "a\"b" };`, `permit (principal, action, resource) when { "a\"b" };`, nil},
		{"newline in a string", "\"a\nb\" \"c\nd\"", `"a\nb" "c\nd"`, []int{3, 10}},
		{"newline outside strings", "a\nb", "a\nb", nil},
		{"Unicode spaces keep their bytes", "a\u00a0b\u3000c\vd", "a  b   c d", nil},
		{"Unicode space in a string", "\"a\u00a0b\"", "\"a\u00a0b\"", nil},
		{"a lone CR ends a comment", "a // c\rb", "a // c\nb", nil},
		{"CRLF is kept", "a // c\r\nb", "a // c\r\nb", nil},
		{"a block comment in a string", `"/* x */"`, `"/* x */"`, nil},
		{"a block comment in a comment", "// /* x */\n", "// /* x */\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := normalizeText(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if m.text != tt.want || len(m.inserted) != len(tt.inserted) {
				t.Fatalf("normalizeText(%q) = %q %v, want %q %v", tt.text, m.text, m.inserted, tt.want, tt.inserted)
			}
			for i := range m.inserted {
				if m.inserted[i] != tt.inserted[i] {
					t.Errorf("inserted = %v, want %v", m.inserted, tt.inserted)
				}
			}
			// Every byte of the original maps back to itself.
			for off := 0; off <= len(m.text); off++ {
				if o := m.orig(off); o < 0 || o > len(tt.text) {
					t.Errorf("orig(%d) = %d, outside the text", off, o)
				}
			}
		})
	}
}

func TestNormalizeTextRejects(t *testing.T) {
	for text, want := range map[string]string{
		"permit (principal, action, resource) /* c */;":               "unexpected token `/`",
		"permit (principal, action, resource) when { true /* c */ };": "unexpected token `*`",
		"permit (principal == User::\"a\rb\", action, resource);":     "carriage return",
	} {
		if _, err := normalizeText(text); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("normalizeText(%q) error = %v, want one containing %q", text, err, want)
		}
	}
}

func TestParenthesizeNegatedMembers(t *testing.T) {
	const text = "[\"a\nb\", -1.x, -2[\"y\"], 3 -4.z, -5]"
	m, err := cedarGoText(text)
	if err != nil {
		t.Fatal(err)
	}
	const want = `["a\nb", -(1).x, -(2)["y"], 3 -4.z, -5]`
	if m.text != want {
		t.Fatalf("text = %q, want %q", m.text, want)
	}
	for _, digit := range []string{"1", "2", "5"} {
		if got, want := m.orig(strings.Index(m.text, digit)), strings.Index(text, digit); got != want {
			t.Errorf("orig of %s = %d, want %d", digit, got, want)
		}
	}
}

// TestParenthesizeNegatedMembersMany: many negated members are wrapped in
// one pass (a few allocations, not a copy of the text per literal), and every literal maps back to its place in the original.
func TestParenthesizeNegatedMembersMany(t *testing.T) {
	const n = 1000
	const head, item = "\"a\nb\" == [", "-1.x, -2[0], "
	text := head + strings.Repeat(item, n) + "0]"
	m, err := cedarGoText(text)
	if err != nil {
		t.Fatal(err)
	}
	if want := "\"a\\nb\" == [" + strings.Repeat("-(1).x, -(2)[0], ", n) + "0]"; m.text != want {
		t.Fatalf("text = %.80q..., want %.80q...", m.text, want)
	}
	for i, o := 0, 0; i < n; i++ {
		at := strings.Index(m.text[o:], "2)[") + o
		if got, want := m.orig(at), len(head)+i*len(item)+len("-1.x, -"); got != want {
			t.Fatalf("orig of the %d-th 2 = %d, want %d", i, got, want)
		}
		o = at + 1
	}
	norm, err := normalizeText(text)
	if err != nil {
		t.Fatal(err)
	}
	toks, err := tokenize(norm.text)
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(3, func() {
		c := norm
		c.parenthesizeNegatedMembers(toks)
	})
	if allocs > 50 {
		t.Errorf("wrapping %d literals took %v allocations, want a few dozen at most (one rebuild of the text, not one per literal)", 2*n, allocs)
	}
}

func TestReferenceGrammarError(t *testing.T) {
	const head = "permit (principal, action, resource) "
	tests := []struct {
		text   string
		single bool
		at     string // the text from the error on, or "" for no error
	}{
		{head + ";", true, ""},
		{head + "when { if::\"x\" == 1 };", true, "\"x\""},
		{head + "when { true || if true then 1 else 2 };", true, "true then"},
		{head + "when { a.b.c(1, 2)[3] has d.e && x like y && z is T in w };", true, ""},
		{head + "when { 1 < 2 < 3 };", true, ""}, // a later check rejects it
		{head + "when { !-1 };", true, "-1"},
		{head + "when { !!!!!!x };", true, ""},
		{head + "when { {if: 1, \"a\": 2, a: 3} };", true, ""},
		{head + "; " + head + ";", true, head + ";"},
		{head + "; " + head + ";", false, ""},
		{head + "; junk", false, ""}, // the end of input, after junk
		{head + "when { $ };", true, "$"},
		{head + "when { 1 + ; };", true, "};"},
		{head + "when { 1 + ;", true, ";"},
		{head + "when { [1 + , 2 + ] };", true, ", 2"},
		{"@id(\"a\") @b " + head + ";", true, ""},
		{"@id(a) " + head + ";", true, "a) "},
	}
	for _, tt := range tests {
		off, msg, ok := referenceGrammarError(tt.text, tt.single)
		switch {
		case tt.at == "" && ok && !strings.HasSuffix(tt.text, "junk"):
			t.Errorf("referenceGrammarError(%q, %v) = %d %q, want none", tt.text, tt.single, off, msg)
		case tt.at != "" && (!ok || !strings.HasPrefix(tt.text[off:], tt.at)):
			t.Errorf("referenceGrammarError(%q, %v) = %d %q (%v), want at %q", tt.text, tt.single, off, msg, ok, tt.at)
		}
	}
}
