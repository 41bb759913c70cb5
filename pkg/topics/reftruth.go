package topics

import (
	"fmt"
	"slices"

	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/dataset"
)

// DefaultTruthWords is the number of top words per topic that ReferenceTruth
// turns into concepts.
const DefaultTruthWords = 8

// ReferenceTruth derives a ground truth from the references, for data that
// has none: every topic k is a family "t<k>" whose concepts are its top
// words ("t3:dog"), each word in the one topic where it is most probable; a
// clip has a concept when one of its references uses the word; the lexicon maps every caption token that the
// model reads as such a word (stems included) to it. A generated caption is
// then wrong about a family when it names one of its words that the clip's
// references do not use, and its right concept is a word of the same topic
// that they do use. A synonym that no reference uses counts as wrong: the
// references are all it knows.
func ReferenceTruth(m *Model, caps *corpus.Captions, words int) *dataset.GroundTruth {
	// Each word's topic: where φ is largest.
	best := make([]int, m.V)
	for w := 0; w < m.V; w++ {
		for k := 1; k < m.K; k++ {
			if m.Phi[k*m.V+w] > m.Phi[best[w]*m.V+w] {
				best[w] = k
			}
		}
	}
	conceptOf := map[int32]string{}
	g := &dataset.GroundTruth{ByClip: map[string][]string{}, Lexicon: map[string]string{}, Synonyms: map[string][]string{}}
	for k := 0; k < m.K; k++ {
		fam := dataset.Family{Name: fmt.Sprintf("t%d", k)}
		for _, w := range m.TopWordIDs(k, words) {
			if best[w] != k {
				continue
			}
			id := fam.Name + ":" + m.Vocab[w]
			if slices.Contains(fam.Concepts, id) {
				continue
			}
			conceptOf[w] = id
			fam.Concepts = append(fam.Concepts, id)
			g.Synonyms[id] = []string{m.Vocab[w]}
		}
		if len(fam.Concepts) > 0 {
			g.Families = append(g.Families, fam)
		}
	}
	lexiconOf := func(tok string) string {
		if c, ok := g.Lexicon[tok]; ok {
			return c
		}
		ids, _ := m.Encode(tok)
		c := ""
		if len(ids) == 1 {
			c = conceptOf[ids[0]]
		}
		g.Lexicon[tok] = c
		return c
	}
	for _, id := range caps.Clips {
		refs := caps.ByClip[id]
		uses := map[string]int{}
		for _, r := range refs {
			seen := map[string]bool{}
			for _, tok := range corpus.Tokenize(r) {
				if c := lexiconOf(tok); c != "" && !seen[c] {
					seen[c] = true
					uses[c]++
				}
			}
		}
		var have []string
		for _, f := range g.Families {
			for _, c := range f.Concepts {
				if uses[c] > 0 {
					have = append(have, c)
				}
			}
		}
		g.ByClip[id] = have
	}
	for tok, c := range g.Lexicon {
		if c == "" {
			delete(g.Lexicon, tok)
		}
	}
	return g
}
