package interpret

import (
	"fmt"
	"slices"
	"strings"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// checkTargetMaps verifies the stage input's maps keyed by target name
// (TopicConcepts, TopicWords) against the model's targets, and the concepts
// TopicConcepts names against the dataset's ground truth when it has one:
// a key or concept that is not there would silently label nothing.
func checkTargetMaps(targets []string, in StageInput) error {
	known := make(map[string]bool, len(targets))
	for _, t := range targets {
		known[t] = true
	}
	var concepts map[string]bool
	if in.Data != nil && in.Data.GroundTruth != nil {
		concepts = map[string]bool{}
		for _, c := range in.Data.GroundTruth.Concepts() {
			concepts[c] = true
		}
	}
	for _, mp := range []struct {
		name string
		m    map[string][]string
	}{{"topic concepts", in.TopicConcepts}, {"topic words", in.TopicWords}} {
		keys := make([]string, 0, len(mp.m))
		for k := range mp.m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !known[k] {
				return fmt.Errorf("%s: key %q is not a target of the model; expected one of its %d targets (%s)",
					mp.name, corpus.Short(k), len(targets), listSome(targets, 5))
			}
			if mp.name == "topic concepts" && concepts != nil {
				for _, c := range mp.m[k] {
					if !concepts[c] {
						return fmt.Errorf("%s: %q maps to %q, which is not a concept of the dataset's ground truth; expected one of its %d concepts (%s)",
							mp.name, corpus.Short(k), corpus.Short(c), len(concepts), listSome(in.Data.GroundTruth.Concepts(), 5))
					}
				}
			}
		}
	}
	return nil
}

// listSome quotes the first n names of names, and says how many more.
func listSome(names []string, n int) string {
	q := make([]string, 0, n)
	for _, s := range names[:min(n, len(names))] {
		q = append(q, fmt.Sprintf("%q", s))
	}
	if len(names) > n {
		q = append(q, fmt.Sprintf("… %d more", len(names)-n))
	}
	return strings.Join(q, ", ")
}
