package interpret

import (
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/dataset"
)

// TestCheckTargetMaps: a --topic-words or --topic-concepts key that is not a
// target of the model, or a concept the ground truth lacks, is refused with
// the key, what was expected and some of the known names; maps that name
// only known targets and concepts pass.
func TestCheckTargetMaps(t *testing.T) {
	targets := []string{"topic 0", "topic 1", "topic 2", "topic 3", "topic 4", "topic 5", "topic 6"}
	gt := &dataset.Dataset{GroundTruth: &dataset.GroundTruth{Families: []dataset.Family{
		{Name: "colour", Concepts: []string{"colour:red", "colour:blue"}},
	}}}
	for _, c := range []struct {
		name     string
		data     *dataset.Dataset
		concepts map[string][]string
		words    map[string][]string
		want     []string // nil: accepted
	}{
		{"known keys", gt, map[string][]string{"topic 1": {"colour:red"}}, map[string][]string{"topic 6": {"red"}}, nil},
		{"no maps", gt, nil, nil, nil},
		{"unknown word key", gt, nil, map[string][]string{"topic 99": {"x"}},
			[]string{`topic words: key "topic 99" is not a target of the model`, "its 7 targets", `"topic 0"`, "… 2 more"}},
		{"unknown concept key", gt, map[string][]string{"colour:red": {"colour:red"}}, nil,
			[]string{`topic concepts: key "colour:red" is not a target`}},
		{"unknown concept", gt, map[string][]string{"topic 2": {"colour:green"}}, nil,
			[]string{`"topic 2" maps to "colour:green", which is not a concept`, "its 2 concepts", `"colour:red", "colour:blue"`}},
		{"concepts unchecked without ground truth", &dataset.Dataset{}, map[string][]string{"topic 2": {"anything"}}, nil, nil},
		{"long key cut", gt, nil, map[string][]string{strings.Repeat("k", 500): nil}, []string{"…"}},
	} {
		err := checkTargetMaps(targets, StageInput{Data: c.data, TopicConcepts: c.concepts, TopicWords: c.words})
		if c.want == nil {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: accepted; want an error", c.name)
			continue
		}
		if len(err.Error()) > 400 {
			t.Errorf("%s: error of %d bytes", c.name, len(err.Error()))
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.name, err, w)
			}
		}
	}
}
