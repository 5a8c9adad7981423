// Package validate checks the formats of values that the JITSudo API and
// the Terraform provider share: ISO 8601 durations, permission set ARNs, AWS
// account ids and UUIDs.
//
// The local API server (jitsudo-local) rejects requests with these checks,
// and the provider runs the very same checks at plan time, so a value the
// provider accepts is never rejected by the server for its format, and the
// messages agree. Each function returns nil for a valid value, or an error
// whose message says what is wrong and shows a valid example. The messages
// do not name the field: callers add that (e.g. "session_duration: ...").
package validate

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// durationExample ends every duration error message.
const durationExample = "use an ISO 8601 duration such as PT8H (8 hours), PT30M, P1D or P1DT12H"

// ISO8601Duration checks that s is an ISO 8601 duration in the designator
// format PnYnMnWnDTnHnMnS, e.g. PT8H, PT1H30M, P1D, P2W or P1Y2M3DT4H5M6.5S:
//
//   - it starts with "P" and has at least one component;
//   - each component is a number followed by its designator, the date
//     designators Y, M, W, D in that order, then "T" and the time designators
//     H, M, S in that order, each at most once;
//   - "T" must be followed by at least one time component;
//   - only the last component may have a fraction, written with "." or ","
//     (PT1.5H, PT0,5S), with digits on both sides of the separator.
//
// Designators are upper case; signs, spaces and the alternative format
// (P0001-02-03T04:05:06) are not accepted.
func ISO8601Duration(s string) error {
	if s == "" {
		return fmt.Errorf("must not be empty; %s", durationExample)
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%q is not a valid ISO 8601 duration: %s; %s", s, fmt.Sprintf(format, args...), durationExample)
	}
	if s[0] != 'P' {
		if s[0] == 'p' {
			return fail(`designators must be upper case ("P", not "p")`)
		}
		return fail(`it must start with "P"`)
	}
	const (
		dateOrder = "YMWD"
		timeOrder = "HMS"
	)
	var (
		inTime     bool
		last       = -1 // index in dateOrder or timeOrder of the last designator seen
		components int
		fractional bool // the last component had a fraction
		timeParts  int
	)
	i := 1
	for i < len(s) {
		c := s[i]
		if c == 'T' {
			if inTime {
				return fail(`"T" appears twice`)
			}
			inTime, last = true, -1
			i++
			continue
		}
		if fractional {
			return fail("only the last component may have a fraction")
		}
		// A number: digits, optionally a fraction.
		start := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == start {
			if c == '-' || c == '+' {
				return fail("signs are not allowed")
			}
			if c == '.' || c == ',' {
				return fail("the fraction at position %d needs a digit before the separator (0.5, not .5)", i+1)
			}
			if isDesignator(c) {
				return fail("the designator %q at position %d has no number before it", string(c), i+1)
			}
			return fail("unexpected %q at position %d; expected a number", runeAt(s, i), i+1)
		}
		if i < len(s) && (s[i] == '.' || s[i] == ',') {
			i++
			fracStart := i
			for i < len(s) && isDigit(s[i]) {
				i++
			}
			if i == fracStart {
				return fail("the fraction at position %d has no digits after the separator", fracStart)
			}
			fractional = true
		}
		if i >= len(s) {
			return fail("the number %q at the end has no designator (Y, M, W, D, or H, M, S after T)", s[start:])
		}
		d := s[i]
		order := dateOrder
		if inTime {
			order = timeOrder
		}
		idx := strings.IndexByte(order, d)
		if idx < 0 {
			switch {
			case !inTime && (d == 'H' || d == 'S'):
				return fail("%q is a time designator and must come after \"T\" (e.g. PT%s%s)", string(d), s[start:i], string(d))
			case inTime && (d == 'Y' || d == 'W' || d == 'D'):
				return fail("%q is a date designator and must come before \"T\"", string(d))
			case unicode.IsLower(rune(d)) && strings.ContainsRune(order, unicode.ToUpper(rune(d))):
				return fail("designators must be upper case (%q, not %q)", string(unicode.ToUpper(rune(d))), string(d))
			default:
				return fail("unexpected %q at position %d; expected one of the designators %s", runeAt(s, i), i+1, strings.Join(strings.Split(order, ""), ", "))
			}
		}
		if idx <= last {
			what := "date"
			if inTime {
				what = "time"
			}
			if idx == last {
				return fail("the %s designator %q appears twice", what, string(d))
			}
			return fail("the %s designators must be in the order %s; %q comes too late", what, strings.Join(strings.Split(order, ""), ", "), string(d))
		}
		last = idx
		components++
		if inTime {
			timeParts++
		}
		i++
	}
	if inTime && timeParts == 0 {
		return fail(`"T" must be followed by at least one time component (H, M or S), e.g. PT8H`)
	}
	if components == 0 {
		return fail(`it needs at least one component after "P"`)
	}
	return nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isDesignator(c byte) bool { return strings.IndexByte("YMWDHS", c) >= 0 }

// runeAt is the character starting at byte i of s, for messages.
func runeAt(s string, i int) string {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return string(r)
}

// arnExample ends every ARN error message.
const arnExample = "expected arn:<partition>:sso:::permissionSet/<instance-id>/<permission-set-id>, " +
	"e.g. arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef"

// PermissionSetARN checks that s is the ARN of an IAM Identity Center
// permission set: arn:<partition>:sso:::permissionSet/<instance>/<ps-id>.
// The partition (aws, aws-cn, aws-us-gov, ...) must be non-empty, the
// service "sso", region and account empty, and the resource
// "permissionSet/" followed by exactly two non-empty segments. ARNs contain
// no whitespace.
func PermissionSetARN(s string) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%q is not a permission set ARN: %s; %s", s, fmt.Sprintf(format, args...), arnExample)
	}
	if s == "" {
		return fmt.Errorf("must not be empty; %s", arnExample)
	}
	if strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return fail("it contains whitespace")
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return fail(`it must have six ":"-separated parts starting with "arn"`)
	}
	partition, service, region, account, resource := parts[1], parts[2], parts[3], parts[4], parts[5]
	switch {
	case partition == "":
		return fail(`the partition (the part after "arn:", e.g. "aws") is empty`)
	case !isPartition(partition):
		return fail("the partition %q may only contain lower-case letters, digits and \"-\"", partition)
	case service != "sso":
		return fail("the service is %q, not \"sso\"", service)
	case region != "" || account != "":
		return fail(`permission set ARNs have an empty region and account ("sso:::")`)
	}
	rest, ok := strings.CutPrefix(resource, "permissionSet/")
	if !ok {
		return fail(`the resource %q does not start with "permissionSet/"`, resource)
	}
	segs := strings.Split(rest, "/")
	if len(segs) != 2 {
		return fail("the resource must have exactly two segments after \"permissionSet/\" (instance and permission set id), got %d", len(segs))
	}
	if segs[0] == "" {
		return fail("the instance id segment is empty")
	}
	if segs[1] == "" {
		return fail("the permission set id segment is empty")
	}
	return nil
}

func isPartition(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// AWSAccountID checks that s is an AWS account id: exactly 12 ASCII digits,
// leading zeros included (keep it a string, e.g. "012345678901").
func AWSAccountID(s string) error {
	n := utf8.RuneCountInString(s)
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return fmt.Errorf("%q is not an AWS account ID: it must be exactly 12 digits (e.g. 123456789012), without dashes or spaces", s)
		}
	}
	if n != 12 {
		return fmt.Errorf("%q is not an AWS account ID: it must be exactly 12 digits (e.g. 123456789012), got %d; keep leading zeros", s, n)
	}
	return nil
}

// UUID checks that s is a UUID in the canonical textual form
// xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (hex digits, either case). Braces,
// "urn:uuid:" prefixes and the 32-digit form without dashes are not
// accepted.
func UUID(s string) error {
	fail := func(what string) error {
		return fmt.Errorf("%q is not a UUID: %s; expected 8-4-4-4-12 hex digits such as 2489e9ad-2ee2-8e00-8ec9-32d5f69181c0", s, what)
	}
	if len(s) != 36 {
		return fail(fmt.Sprintf("it has %d characters, not 36", utf8.RuneCountInString(s)))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return fail(fmt.Sprintf("expected \"-\" at position %d", i+1))
			}
		default:
			if !(isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return fail(fmt.Sprintf("%q at position %d is not a hex digit", runeAt(s, i), i+1))
			}
		}
	}
	return nil
}
