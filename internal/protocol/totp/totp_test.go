package totp

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base32"
	"hash"
	"strings"
	"testing"
	"time"
)

// The RFC 6238 Appendix B secrets: the ASCII digits repeated to the length
// of each hash's output.
const (
	secretSHA1   = "12345678901234567890"
	secretSHA256 = "12345678901234567890123456789012"
	secretSHA512 = "1234567890123456789012345678901234567890123456789012345678901234"
	// secretSHA1Base32 is secretSHA1 as Cognito would hand it out: base32,
	// no padding.
	secretSHA1Base32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
)

// TestRFC6238AppendixB checks every vector of RFC 6238 Appendix B. They
// are eight-digit codes over three hashes, so they go through hotp with
// those parameters; Code is the same path with SHA-1 and six digits.
func TestRFC6238AppendixB(t *testing.T) {
	tests := []struct {
		unix   int64
		hash   func() hash.Hash
		secret string
		want   string
	}{
		{59, sha1.New, secretSHA1, "94287082"},
		{59, sha256.New, secretSHA256, "46119246"},
		{59, sha512.New, secretSHA512, "90693936"},
		{1111111109, sha1.New, secretSHA1, "07081804"},
		{1111111109, sha256.New, secretSHA256, "68084774"},
		{1111111109, sha512.New, secretSHA512, "25091201"},
		{1111111111, sha1.New, secretSHA1, "14050471"},
		{1111111111, sha256.New, secretSHA256, "67062674"},
		{1111111111, sha512.New, secretSHA512, "99943326"},
		{1234567890, sha1.New, secretSHA1, "89005924"},
		{1234567890, sha256.New, secretSHA256, "91819424"},
		{1234567890, sha512.New, secretSHA512, "93441116"},
		{2000000000, sha1.New, secretSHA1, "69279037"},
		{2000000000, sha256.New, secretSHA256, "90698825"},
		{2000000000, sha512.New, secretSHA512, "38618901"},
		{20000000000, sha1.New, secretSHA1, "65353130"},
		{20000000000, sha256.New, secretSHA256, "77737706"},
		{20000000000, sha512.New, secretSHA512, "47863826"},
	}
	for _, tt := range tests {
		step, err := stepAt(time.Unix(tt.unix, 0))
		if err != nil {
			t.Fatal(err)
		}
		if got := hotp(tt.hash, []byte(tt.secret), step, 8); got != tt.want {
			t.Errorf("t=%d secret len %d: got %s, want %s", tt.unix, len(tt.secret), got, tt.want)
		}
	}
}

// TestRFC4226AppendixD checks the six-digit HOTP values RFC 4226 lists for
// counters 0 to 9, the RFC's own six-digit answers for SHA-1.
func TestRFC4226AppendixD(t *testing.T) {
	want := []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"}
	for counter, w := range want {
		if got := hotp(sha1.New, []byte(secretSHA1), uint64(counter), 6); got != w {
			t.Errorf("counter %d: got %s, want %s", counter, got, w)
		}
	}
}

// TestCode checks the public six-digit, SHA-1 Code. The values for the
// RFC secret at the Appendix B times were computed with otplib 13.5.0 (an
// independent implementation); they equal the last six digits of the
// RFC's eight-digit codes, as they must, since both are the same 31-bit
// number reduced mod 10^6 and mod 10^8, and 10^6 divides 10^8. The
// 32-byte secret is the length Cognito's SecretCode decodes to.
func TestCode(t *testing.T) {
	const cognitoLike = "QIULZIFRXPS5IMLF7XNUVGL65JPZ45YAO2JTOCSCQQIBSZ7JGEJQ"
	tests := []struct {
		secret string
		unix   int64
		want   string
	}{
		{secretSHA1Base32, 59, "287082"},
		{secretSHA1Base32, 1111111109, "081804"},
		{secretSHA1Base32, 1111111111, "050471"},
		{secretSHA1Base32, 1234567890, "005924"},
		{secretSHA1Base32, 2000000000, "279037"},
		{secretSHA1Base32, 20000000000, "353130"},
		{cognitoLike, 0, "560651"},
		{cognitoLike, 29, "560651"},
		{cognitoLike, 30, "321213"},
		{cognitoLike, 1767596889, "523311"},
		{cognitoLike, 1767596890, "523311"},
		{cognitoLike, 1767596910, "720964"},
		{cognitoLike, 4102444799, "883122"},
	}
	for _, tt := range tests {
		got, err := Code(tt.secret, time.Unix(tt.unix, 0))
		if err != nil {
			t.Fatalf("Code(%s, %d): %v", tt.secret, tt.unix, err)
		}
		if got != tt.want {
			t.Errorf("Code(%s, %d) = %s, want %s", tt.secret, tt.unix, got, tt.want)
		}
	}
}

func TestCodeIgnoresLocationAndSubsecond(t *testing.T) {
	at := time.Unix(1111111109, 999_999_999).In(time.FixedZone("UTC-11", -11*3600))
	got, err := Code(secretSHA1Base32, at)
	if err != nil {
		t.Fatal(err)
	}
	if got != "081804" {
		t.Errorf("Code = %s, want 081804", got)
	}
}

// TestSecretForms feeds secrets in the forms they get copied in; all must
// decode to the same key.
func TestSecretForms(t *testing.T) {
	// Twelve bytes do not fill a whole number of base32 groups, so this
	// one exercises '=' padding.
	short := []byte(secretSHA1[:12])
	padded := base32.StdEncoding.EncodeToString(short)
	if !strings.HasSuffix(padded, "=") {
		t.Fatalf("test secret %q was meant to need padding", padded)
	}
	rfc := hotp(sha1.New, []byte(secretSHA1), 1, Digits)
	shortCode := hotp(sha1.New, short, 1, Digits)
	forms := []struct {
		name   string
		secret string
		want   string
	}{
		{"canonical", secretSHA1Base32, rfc},
		{"lower case", strings.ToLower(secretSHA1Base32), rfc},
		{"mixed case", "gezdGNBVgy3tqojqGEZDGNBVGY3TQOJQ", rfc},
		{"grouped with spaces", "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ", rfc},
		{"tabs and newlines", "GEZDGNBVGY3TQOJQ\tGEZDGNBV\nGY3TQOJQ\r\n", rfc},
		{"padded", padded, shortCode},
		{"padding stripped", strings.TrimRight(padded, "="), shortCode},
		{"padded lower case with spaces", " " + strings.ToLower(padded[:8]) + " " + padded[8:], shortCode},
	}
	for _, f := range forms {
		got, err := Code(f.secret, time.Unix(59, 0))
		if err != nil {
			t.Errorf("%s: Code(%q): %v", f.name, f.secret, err)
			continue
		}
		if got != f.want {
			t.Errorf("%s: Code(%q) = %s, want %s", f.name, f.secret, got, f.want)
		}
	}
}

func TestBadSecrets(t *testing.T) {
	tests := []struct {
		name   string
		secret string
	}{
		{"empty", ""},
		{"only spaces", "   "},
		{"only padding", "===="},
		{"digit 1 not in alphabet", "GEZDGNB1"},
		{"digit 0 not in alphabet", "GEZDGNB0"},
		{"digit 8 not in alphabet", "GEZDGNB8"},
		{"punctuation", "GEZD-GNBV"},
		{"base64 characters", "GEZD+GNB/"},
		{"non-ASCII", "GEZDGNBVÉ"},
		{"long s, upper-cased to S by Unicode", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJſ"},
		{"dotless i, upper-cased to I by Unicode", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJı"},
		{"impossible length 1", "G"},
		{"impossible length 3", "GEZ"},
		{"impossible length 6", "GEZDGN"},
		{"impossible length 9", "GEZDGNBVG"},
		{"impossible length after stripping", "GEZ DGN =="},
		{"padding in the middle", "GE==ZDGN"},
	}
	for _, tt := range tests {
		if _, err := DecodeSecret(tt.secret); err == nil {
			t.Errorf("%s: DecodeSecret(%q) succeeded", tt.name, tt.secret)
		}
		if code, err := Code(tt.secret, time.Unix(59, 0)); err == nil {
			t.Errorf("%s: Code(%q) = %s, want an error", tt.name, tt.secret, code)
		}
	}
}

func TestTimeBeforeEpoch(t *testing.T) {
	if code, err := Code(secretSHA1Base32, time.Unix(-1, 0)); err == nil {
		t.Errorf("Code before the epoch = %s, want an error", code)
	}
}

func TestNextPeriod(t *testing.T) {
	tests := []struct {
		in, want time.Time
	}{
		{time.Unix(0, 0), time.Unix(30, 0)},
		{time.Unix(29, 999_999_999), time.Unix(30, 0)},
		{time.Unix(30, 0), time.Unix(60, 0)},
		{time.Unix(1767596889, 0), time.Unix(1767596910, 0)},
		{time.Unix(1767596889, 0).In(time.FixedZone("UTC+5:30", 5*3600+1800)), time.Unix(1767596910, 0)},
	}
	for _, tt := range tests {
		got := NextPeriod(tt.in)
		if !got.Equal(tt.want) {
			t.Errorf("NextPeriod(%d) = %d, want %d", tt.in.Unix(), got.Unix(), tt.want.Unix())
		}
		// The defining property: a new step begins exactly there.
		before, _ := stepAt(got.Add(-time.Nanosecond))
		at, _ := stepAt(got)
		if at != before+1 {
			t.Errorf("NextPeriod(%d) = %d is not a step boundary", tt.in.Unix(), got.Unix())
		}
	}
}

func TestNextPeriodChangesCode(t *testing.T) {
	now := time.Unix(1767596889, 0)
	c1, err := Code(secretSHA1Base32, now)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := Code(secretSHA1Base32, NextPeriod(now))
	if err != nil {
		t.Fatal(err)
	}
	if c1 == c2 {
		t.Errorf("code %s did not change at the next period", c1)
	}
}

func FuzzCode(f *testing.F) {
	f.Add(secretSHA1Base32, int64(59))
	f.Add("gezd gnbv", int64(0))
	f.Add("MFRGG===", int64(1<<40))
	f.Add("", int64(-1))
	f.Fuzz(func(t *testing.T, secret string, unix int64) {
		code, err := Code(secret, time.Unix(unix, 0))
		if err != nil {
			return
		}
		if len(code) != Digits || strings.Trim(code, "0123456789") != "" {
			t.Fatalf("Code(%q, %d) = %q, not %d digits", secret, unix, code, Digits)
		}
		// Case must not matter: Cognito's secret is upper case, but people
		// and some tools lower it.
		if lower, err := Code(strings.ToLower(secret), time.Unix(unix, 0)); err != nil || lower != code {
			t.Fatalf("Code(lower(%q)) = %q, %v; want %q", secret, lower, err, code)
		}
	})
}
