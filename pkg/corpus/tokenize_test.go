package corpus

import (
	"reflect"
	"testing"
	"unicode/utf8"
)

func TestTokenize(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"A Red Circle moves LEFT.", []string{"a", "red", "circle", "moves", "left"}},
		{"it's a dog's toy", []string{"its", "a", "dogs", "toy"}},
		{"two cats, 3 dogs!", []string{"two", "cats", "3", "dogs"}},
		{"  mp3-player\tand\n\"quotes\" ", []string{"mp3", "player", "and", "quotes"}},
		{"'quoted'", []string{"quoted"}},
		{"Ünïcode ÉCOLE", []string{"ünïcode", "école"}},
		{"", nil},
		{"...", nil},
		{"bad\xffbyte", []string{"bad", "byte"}},
	}
	for _, c := range cases {
		if got := Tokenize(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Tokenize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"a red circle", "it's", "x\xff", "3 dogs!", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tok := range Tokenize(s) {
			if tok == "" {
				t.Fatalf("empty token from %q", s)
			}
			if !utf8.ValidString(tok) {
				t.Fatalf("invalid UTF-8 token %q from %q", tok, s)
			}
		}
	})
}
