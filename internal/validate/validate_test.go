package validate

import (
	"strings"
	"testing"
)

// check runs fn over the cases: want "" means valid, otherwise every
// "|"-separated part of want must be in the error message.
func check(t *testing.T, fn func(string) error, cases []struct{ in, want string }) {
	t.Helper()
	for _, tc := range cases {
		err := fn(tc.in)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: unexpected error: %v", tc.in, err)
		case tc.want != "" && err == nil:
			t.Errorf("%q: accepted, want an error containing %q", tc.in, tc.want)
		case tc.want != "":
			for part := range strings.SplitSeq(tc.want, "|") {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("%q: error %q does not contain %q", tc.in, err, part)
				}
			}
		}
	}
}

func TestISO8601Duration(t *testing.T) {
	check(t, ISO8601Duration, []struct{ in, want string }{
		{"PT8H", ""},
		{"PT1H30M", ""},
		{"PT30M", ""},
		{"PT45S", ""},
		{"P1D", ""},
		{"P2W", ""},
		{"P1Y", ""},
		{"P1M", ""},
		{"P1Y2M3DT4H5M6S", ""},
		{"P1Y2M1W3DT4H5M6S", ""},
		{"P1DT12H", ""},
		{"PT1.5H", ""},
		{"PT0,5S", ""},
		{"P0D", ""},
		{"PT0S", ""},
		{"PT36H", ""},
		{"P1.5D", ""},
		{"P1Y2M3DT4H5M6.25S", ""},

		{"", "must not be empty|PT8H"},
		{"8H", `must start with "P"|PT8H`},
		{"8 hours", `must start with "P"`},
		{"pt8h", "upper case"},
		{"P", "at least one component"},
		{"PT", `"T" must be followed by at least one time component`},
		{"P1DT", `"T" must be followed`},
		{"P8H", `"H" is a time designator and must come after "T"|PT8H`},
		{"P30S", "time designator"},
		{"PT1D", "date designator and must come before"},
		{"PT8h", "upper case"},
		{"PH", "has no number before it"},
		{"PT8", "has no designator"},
		{"P1.5DT2H", "only the last component may have a fraction"},
		{"PT1.5H30M", "only the last component may have a fraction"},
		{"PT1.H", "no digits after the separator"},
		{"PT.5H", "needs a digit before the separator"},
		{"P1D2Y", "must be in the order Y, M, W, D"},
		{"PT1M1H", "must be in the order H, M, S"},
		{"P1D1D", `"D" appears twice`},
		{"PT1H1H", `"H" appears twice`},
		{"PT1HT1M", `"T" appears twice`},
		{"P-1D", "signs are not allowed"},
		{"PT8X", `unexpected "X"`},
		{"PT8H ", `unexpected " "`},
		{"P0001-02-03T04:05:06", "expected one of the designators"},
	})
}

func TestPermissionSetARN(t *testing.T) {
	check(t, PermissionSetARN, []struct{ in, want string }{
		{"arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef", ""},
		{"arn:aws-cn:sso:::permissionSet/ssoins-1/ps-2", ""},
		{"arn:aws-us-gov:sso:::permissionSet/ssoins-1/ps-2", ""},

		{"", "must not be empty|arn:<partition>:sso:::permissionSet/<instance-id>/<permission-set-id>"},
		{"example", `six ":"-separated parts|e.g. arn:aws:sso:::permissionSet/`},
		{"arn::sso:::permissionSet/a/b", "partition"},
		{"arn:AWS:sso:::permissionSet/a/b", "lower-case"},
		{"arn:aws:iam:::permissionSet/a/b", `service is "iam"`},
		{"arn:aws:sso:us-east-1::permissionSet/a/b", "empty region and account"},
		{"arn:aws:sso::123456789012:permissionSet/a/b", "empty region and account"},
		{"arn:aws:sso:::instance/ssoins-1", `does not start with "permissionSet/"`},
		{"arn:aws:sso:::permissionSet/ps-1", "exactly two segments"},
		{"arn:aws:sso:::permissionSet/a/b/c", "exactly two segments"},
		{"arn:aws:sso:::permissionSet//ps-1", "instance id segment is empty"},
		{"arn:aws:sso:::permissionSet/ssoins-1/", "permission set id segment is empty"},
		{"arn:aws:sso:::permissionSet/ssoins 1/ps-1", "whitespace"},
		{"xrn:aws:sso:::permissionSet/a/b", `starting with "arn"`},
	})
}

func TestAWSAccountID(t *testing.T) {
	check(t, AWSAccountID, []struct{ in, want string }{
		{"123456789012", ""},
		{"012345678901", ""},

		{"", "exactly 12 digits|got 0"},
		{"12345678901", "got 11|leading zeros"},
		{"1234567890123", "got 13"},
		{"1234-5678-9012", "without dashes"},
		{"12345678901a", "exactly 12 digits"},
		{"１２３４５６７８９０１２", "exactly 12 digits"}, // full-width digits are not ASCII
	})
}

func TestUUID(t *testing.T) {
	check(t, UUID, []struct{ in, want string }{
		{"2489e9ad-2ee2-8e00-8ec9-32d5f69181c0", ""},
		{"2489E9AD-2EE2-8E00-8EC9-32D5F69181C0", ""},
		{"00000000-0000-0000-0000-000000000000", ""},

		{"", "not 36|8-4-4-4-12"},
		{"2489e9ad2ee28e008ec932d5f69181c0", "32 characters"},
		{"{2489e9ad-2ee2-8e00-8ec9-32d5f69181c0}", "38 characters"},
		{"2489e9ad-2ee2-8e00-8ec9a32d5f69181c0", `expected "-" at position 24`},
		{"2489e9ad-2ee2-8e00-8ec9-32d5f69181cg", `"g" at position 36 is not a hex digit`},
		{"2489e9ad_2ee2-8e00-8ec9-32d5f69181c0", `expected "-" at position 9`},
		{"urn:uuid:2489e9ad-2ee2-8e00-8ec9-32d5f69181c0", "not 36"},
	})
}
