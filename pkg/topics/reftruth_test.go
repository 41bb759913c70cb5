package topics

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/dataset"
)

// TestReferenceTruth: on captions about animals and about cooking, the
// derived truth has families of topic words, each clip has the words its
// references use, and a caption naming a word its references never use is a
// case of that word's family.
func TestReferenceTruth(t *testing.T) {
	caps := corpus.NewCaptions()
	for i := 0; i < 40; i++ {
		id := fmt.Sprintf("v%d", i)
		if i%2 == 0 {
			animal := []string{"dog", "cat"}[i/2%2]
			caps.Add("train", id, "a "+animal+" runs in the park")
			caps.Add("train", id, "the "+animal+" plays in the park")
		} else {
			food := []string{"onion", "potato"}[i/2%2]
			caps.Add("train", id, "a woman slices an "+food+" in the kitchen")
			caps.Add("train", id, "someone cuts the "+food+" with a knife")
		}
	}
	c, err := FromCaptions(caps, DefaultTextOptions())
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.K, cfg.Iterations = 2, 50
	m, err := Train(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	g := ReferenceTruth(m, caps, 8)
	if err := g.Validate("derived"); err != nil {
		t.Fatal(err)
	}
	if len(g.Families) != 2 {
		t.Fatalf("%d families; want one per topic (2): %+v", len(g.Families), g.Families)
	}
	for _, f := range g.Families {
		for _, c := range f.Concepts {
			if !strings.HasPrefix(c, f.Name+":") {
				t.Errorf("concept %q outside its family %q", c, f.Name)
			}
		}
	}
	dog := g.Lexicon["dog"]
	if dog == "" || !g.Has("v0", dog) || g.Has("v2", dog) || g.Has("v1", dog) {
		t.Fatalf("dog = %q: v0 (dog) %v, v2 (cat) %v, v1 (onion) %v", dog, g.Has("v0", dog), g.Has("v2", dog), g.Has("v1", dog))
	}
	cat := g.Lexicon["cat"]
	if dataset.FamilyOf(cat) != dataset.FamilyOf(dog) {
		t.Errorf("dog (%s) and cat (%s) in different topics", dog, cat)
	}
	// "a cat runs" on the dog clip v0 names a word of the dog's family that
	// no reference of v0 uses.
	named := g.ConceptsInCaption("a cat runs in the park")
	if !slices.Contains(named, cat) || g.Has("v0", cat) {
		t.Errorf("caption concepts %v; want %s, which v0 lacks", named, cat)
	}
}
