package dataset

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// GroundTruth is what a source knows about its clips beyond the captions:
// which concepts each clip has, grouped in families ("color:red" is the
// concept "red" of family "color"), and which words of a caption name a
// concept (to judge generated captions). The synthetic corpus has it; real
// captions and features do not.
type GroundTruth struct {
	// Families lists the concept families in order, each with its concepts
	// ("family:value" ids) in order.
	Families []Family `json:"families"`
	// ByClip maps a clip id to its concept ids.
	ByClip map[string][]string `json:"by_clip"`
	// Lexicon maps a word (a corpus.Tokenize token) to the concept it names.
	Lexicon map[string]string `json:"lexicon"`
	// Synonyms lists, per concept, the phrases that name it (shown on unit
	// cards as a concept's words).
	Synonyms map[string][]string `json:"synonyms,omitempty"`

	// rank orders concepts as Concepts does; made once, as stages running
	// side by side share the ground truth.
	rankOnce sync.Once
	rank     map[string]int
}

// Family is one family of concepts.
type Family struct {
	Name     string   `json:"name"`
	Concepts []string `json:"concepts"`
}

// Concepts returns every concept id, family by family.
func (g *GroundTruth) Concepts() []string {
	var out []string
	for _, f := range g.Families {
		out = append(out, f.Concepts...)
	}
	return out
}

// FamilyNames returns the families' names in order.
func (g *GroundTruth) FamilyNames() []string {
	out := make([]string, len(g.Families))
	for i, f := range g.Families {
		out[i] = f.Name
	}
	return out
}

// FamilyOf returns the family of concept id ("color:red" → "color").
func FamilyOf(concept string) string {
	fam, _, _ := strings.Cut(concept, ":")
	return fam
}

// Has says whether clip has concept.
func (g *GroundTruth) Has(clip, concept string) bool {
	return slices.Contains(g.ByClip[clip], concept)
}

func (g *GroundTruth) ranks() map[string]int {
	g.rankOnce.Do(func() {
		rank := map[string]int{}
		for i, c := range g.Concepts() {
			rank[c] = i
		}
		g.rank = rank
	})
	return g.rank
}

// ConceptsInCaption returns the concepts that the words of caption name,
// in Concepts order, without duplicates.
func (g *GroundTruth) ConceptsInCaption(caption string) []string {
	seen := map[string]bool{}
	for _, tok := range corpus.Tokenize(caption) {
		if c := g.Lexicon[tok]; c != "" {
			seen[c] = true
		}
	}
	rank := g.ranks()
	out := slices.Collect(maps.Keys(seen))
	slices.SortFunc(out, func(a, b string) int { return rank[a] - rank[b] })
	return out
}

// Validate checks that families, clips and lexicon agree: concept ids are
// "family:value" of a listed family, unique, and every clip's and word's
// concept is listed.
func (g *GroundTruth) Validate(name string) error {
	if len(g.Families) == 0 {
		return fmt.Errorf("%s: ground truth lists no concept families", name)
	}
	known := map[string]bool{}
	for _, f := range g.Families {
		if f.Name == "" {
			return fmt.Errorf("%s: a concept family has no name", name)
		}
		for _, c := range f.Concepts {
			if FamilyOf(c) != f.Name || !strings.Contains(c, ":") {
				return fmt.Errorf("%s: concept %q of family %q; expected \"%s:<value>\"", name, c, f.Name, f.Name)
			}
			if known[c] {
				return fmt.Errorf("%s: concept %q listed twice", name, c)
			}
			known[c] = true
		}
	}
	for _, id := range slices.Sorted(maps.Keys(g.ByClip)) {
		for _, c := range g.ByClip[id] {
			if !known[c] {
				return fmt.Errorf("%s: clip %s has concept %q, which no family lists", name, id, c)
			}
		}
	}
	for _, w := range slices.Sorted(maps.Keys(g.Lexicon)) {
		if !known[g.Lexicon[w]] {
			return fmt.Errorf("%s: lexicon word %q names concept %q, which no family lists", name, w, g.Lexicon[w])
		}
	}
	return nil
}

// GroundTruthFile is the name export writes the ground truth to.
const GroundTruthFile = "groundtruth_concepts.json"

// groundTruthJSON is the file form of a ground truth, with labels.
type groundTruthJSON struct {
	*GroundTruth
	Labels *Labels `json:"labels,omitempty"`
}

// WriteGroundTruth writes g and labels (either may be nil) as JSON.
func WriteGroundTruth(path string, g *GroundTruth, l *Labels) error {
	b, err := json.MarshalIndent(groundTruthJSON{g, l}, "", " ")
	if err != nil {
		return err
	}
	return corpus.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

// ReadGroundTruth reads a file written by WriteGroundTruth.
func ReadGroundTruth(path string) (*GroundTruth, *Labels, error) {
	b, err := corpus.ReadJSONBytes(path, "a ground truth (JSON)")
	if err != nil {
		return nil, nil, fmt.Errorf("reading ground truth: %w", err)
	}
	return ParseGroundTruth(b, path)
}

// ParseGroundTruth decodes the ground truth and labels of data; name is used
// in error messages.
func ParseGroundTruth(data []byte, name string) (*GroundTruth, *Labels, error) {
	var v groundTruthJSON
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, nil, fmt.Errorf("%s: %s", name, corpus.DescribeJSONError(data, err))
	}
	if v.GroundTruth == nil || v.GroundTruth.Families == nil {
		return nil, nil, fmt.Errorf("%s: no \"families\"; expected the ground truth written by neurotopics export", name)
	}
	if err := v.GroundTruth.Validate(name); err != nil {
		return nil, nil, err
	}
	if v.Labels != nil {
		for _, id := range slices.Sorted(maps.Keys(v.Labels.ByClip)) {
			if c := v.Labels.ByClip[id]; c < 0 || c >= len(v.Labels.Classes) {
				return nil, nil, fmt.Errorf("%s: labels: clip %s has class %d; expected 0..%d", name, id, c, len(v.Labels.Classes)-1)
			}
		}
	}
	return v.GroundTruth, v.Labels, nil
}

// FamilyScore says how a family of concepts is named by generated captions.
type FamilyScore struct {
	Family string
	// Clips is the number of captions scored; Mentioned the number that name
	// at least one concept of the family; Named the concepts of the family
	// named in all (a caption of two objects may name two shapes), Correct
	// those present in their clip.
	Clips, Mentioned, Named, Correct int
}

// Accuracy is Correct / Named (1 if nothing was named).
func (f FamilyScore) Accuracy() float64 {
	if f.Named == 0 {
		return 1
	}
	return float64(f.Correct) / float64(f.Named)
}

// MentionRate is Mentioned / Clips.
func (f FamilyScore) MentionRate() float64 {
	if f.Clips == 0 {
		return 0
	}
	return float64(f.Mentioned) / float64(f.Clips)
}

// FamilyAccuracy scores, for each concept family, the concepts that the
// generated captions (clip id → caption) name against the clips' ground
// truth: a named concept is correct if the clip has it. Clips without
// ground truth are skipped.
func (g *GroundTruth) FamilyAccuracy(generated map[string]string) []FamilyScore {
	scores := make([]FamilyScore, len(g.Families))
	index := map[string]int{}
	for i, f := range g.Families {
		scores[i].Family = f.Name
		index[f.Name] = i
	}
	for _, id := range slices.Sorted(maps.Keys(generated)) {
		present, ok := g.ByClip[id]
		if !ok {
			continue
		}
		seen := map[string]bool{}
		for i := range scores {
			scores[i].Clips++
		}
		for _, cc := range g.ConceptsInCaption(generated[id]) {
			fam := FamilyOf(cc)
			s := &scores[index[fam]]
			if !seen[fam] {
				s.Mentioned++
				seen[fam] = true
			}
			s.Named++
			if slices.Contains(present, cc) {
				s.Correct++
			}
		}
	}
	return scores
}
