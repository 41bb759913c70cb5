package revise

import (
	"strings"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// Change says whether a word is kept, removed or added by a revision.
type Change string

// Word changes.
const (
	Same    Change = "same"
	Removed Change = "removed"
	Added   Change = "added"
)

// WordChange is one word of the word-level difference between two
// captions.
type WordChange struct {
	Word   string `json:"word"`
	Change Change `json:"change"`
}

// DiffWords returns the word-level difference from before to after (a
// longest common subsequence of their tokens; at a replacement, removed
// words come before added ones).
func DiffWords(before, after string) []WordChange {
	a, b := corpus.Tokenize(before), corpus.Tokenize(after)
	// lcs[i][j] is the LCS length of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []WordChange
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			out = append(out, WordChange{a[i], Same})
			i++
			j++
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			out = append(out, WordChange{a[i], Removed})
			i++
		default:
			out = append(out, WordChange{b[j], Added})
			j++
		}
	}
	return out
}

// MarkChanges renders a word difference as text: removed words as
// "[-word-]", added words as "{+word+}" (the notation of git's word diff).
func MarkChanges(ws []WordChange) string {
	parts := make([]string, len(ws))
	for k, w := range ws {
		switch w.Change {
		case Removed:
			parts[k] = "[-" + w.Word + "-]"
		case Added:
			parts[k] = "{+" + w.Word + "+}"
		default:
			parts[k] = w.Word
		}
	}
	return strings.Join(parts, " ")
}
