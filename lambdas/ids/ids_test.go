package ids

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNew(t *testing.T) {
	var g Generator
	at := time.UnixMilli(1767225600123)
	var made []string
	for range 1000 { // all in one millisecond
		made = append(made, g.New(at))
	}
	made = append(made, g.New(at.Add(time.Millisecond)), g.New(at.Add(-time.Hour)), New())
	for i, id := range made {
		if !Valid(id) {
			t.Fatalf("invalid id %q", id)
		}
		if i > 0 && id <= made[i-1] {
			t.Fatalf("id %d %q does not sort after %q", i, id, made[i-1])
		}
	}
	if got, _ := Time(made[0]); !got.Equal(at) {
		t.Fatalf("Time = %v, want %v", got, at)
	}
}

func TestEncodeKnownValue(t *testing.T) {
	// The ULID specification's example timestamp, 1469918176385 ms, encodes
	// as "01ARYZ6S41".
	var raw [16]byte
	ms := uint64(1469918176385)
	for i := range 6 {
		raw[i] = byte(ms >> (40 - 8*i))
	}
	if got := encode(raw)[:10]; got != "01ARYZ6S41" {
		t.Fatalf("timestamp encodes as %q", got)
	}
	raw = [16]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	if got := encode(raw); got != "7ZZZZZZZZZZZZZZZZZZZZZZZZZ" {
		t.Fatalf("max encodes as %q", got)
	}
}

func TestIncrementOverflow(t *testing.T) {
	g := Generator{ms: 5}
	for i := range g.last {
		g.last[i] = 0xff
	}
	id := g.New(time.UnixMilli(5))
	if tm, _ := Time(id); tm.UnixMilli() != 6 {
		t.Fatalf("overflow kept millisecond %d", tm.UnixMilli())
	}
}

func TestValid(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"01ARZ3NDEKTSV4RRFFQ69G5FAV", true},
		{"7ZZZZZZZZZZZZZZZZZZZZZZZZZ", true},
		{"00000000000000000000000000", true},
		{"80000000000000000000000000", false}, // over 128 bits
		{"01arz3ndektsv4rrffq69g5fav", false}, // not canonical
		{"01ARZ3NDEKTSV4RRFFQ69G5FA", false},
		{"01ARZ3NDEKTSV4RRFFQ69G5FAVX", false},
		{"01ARZ3NDEKTSV4RRFFQ69G5FAI", false}, // I, L, O, U are not digits
		{"01ARZ3NDEKTSV4RRFFQ69G5FAL", false},
		{"01ARZ3NDEKTSV4RRFFQ69G5FAO", false},
		{"01ARZ3NDEKTSV4RRFFQ69G5FAU", false},
		{"01ARZ3NDEKTSV4RRFFQ69G5FA/", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := Valid(tt.id); got != tt.want {
			t.Errorf("Valid(%q) = %v, want %v", tt.id, got, tt.want)
		}
	}
}

func TestCursor(t *testing.T) {
	id := New()
	c := Cursor(id)
	if strings.ContainsAny(c, "+/=") {
		t.Fatalf("cursor %q is not URL-safe", c)
	}
	if got, err := ParseCursor(c); err != nil || got != id {
		t.Fatalf("ParseCursor(%q) = %q, %v", c, got, err)
	}
	bad := []string{
		"", "x", id, c + "A", c[:len(c)-1],
		base64.URLEncoding.EncodeToString([]byte(id)),                     // padded
		base64.RawURLEncoding.EncodeToString([]byte(strings.ToLower(id))), // not an id
		base64.RawURLEncoding.EncodeToString([]byte("80000000000000000000000000")),
		c[:len(c)-1] + "x", // non-canonical trailing bits
	}
	for _, s := range bad {
		if got, err := ParseCursor(s); err == nil {
			t.Errorf("ParseCursor(%q) = %q, want an error", s, got)
		}
	}
}

func FuzzValid(f *testing.F) {
	f.Add("01ARZ3NDEKTSV4RRFFQ69G5FAV")
	f.Add("8ZZZZZZZZZZZZZZZZZZZZZZZZZ")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		if !Valid(s) {
			if _, err := Time(s); err == nil {
				t.Fatalf("Time accepted invalid %q", s)
			}
			return
		}
		// A valid id round-trips through its bits.
		tm, err := Time(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := encodeTimePrefix(tm); got != s[:10] {
			t.Fatalf("time prefix of %q re-encodes as %q", s, got)
		}
	})
}

func encodeTimePrefix(tm time.Time) string {
	var raw [16]byte
	ms := uint64(tm.UnixMilli())
	for i := range 6 {
		raw[i] = byte(ms >> (40 - 8*i))
	}
	return encode(raw)[:10]
}

func FuzzParseCursor(f *testing.F) {
	f.Add(Cursor("01ARZ3NDEKTSV4RRFFQ69G5FAV"))
	f.Add("MDFBUlozTkRFS1RTVjRSUkZGUTY5RzVGQVY")
	f.Add("!!!")
	f.Fuzz(func(t *testing.T, c string) {
		id, err := ParseCursor(c)
		if err != nil {
			return
		}
		// Only canonical cursors of valid ids parse.
		if !Valid(id) || Cursor(id) != c {
			t.Fatalf("ParseCursor(%q) = %q, which is not the cursor's canonical id", c, id)
		}
	})
}

func TestSortsLikeTime(t *testing.T) {
	var g Generator
	var made []string
	for _, ms := range []int64{1, 2, 1000, 1 << 40, 1<<48 - 1} {
		made = append(made, g.New(time.UnixMilli(ms)))
	}
	if !slices.IsSorted(made) {
		t.Fatalf("ids out of order: %v", made)
	}
}
