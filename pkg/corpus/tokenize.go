package corpus

import (
	"strings"
	"unicode"
)

// Tokenize lower-cases s and splits it into word tokens.
//
// Rules (the same for captions from every source):
//   - letters are lower-cased (Unicode aware);
//   - a token is a maximal run of letters and digits; an apostrophe inside a
//     word is dropped and joins its parts ("it's" → "its", "don't" → "dont");
//   - digits are kept: runs of digits become a token ("2" → "2"), and a run
//     mixing letters and digits stays one token ("mp3");
//   - every other character (punctuation, symbols, whitespace, control
//     characters, invalid UTF-8) separates tokens.
//
// Tokenize never returns empty tokens.
func Tokenize(s string) []string {
	var toks []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			toks = append(toks, b.String())
			b.Reset()
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		case (r == '\'' || r == '’') && b.Len() > 0 && i+1 < len(rs) && unicode.IsLetter(rs[i+1]):
			// Apostrophe inside a word: drop it, keep the word whole.
		default:
			flush()
		}
	}
	flush()
	return toks
}
