package captioner

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// TestSamplerCaptionsPerClip checks the batches of one epoch: R captions of
// one clip side by side, drawn without replacement while the clip has enough,
// every clip (R > 1) or pair (R = 1) at most once, and the same batches
// again from a fresh sampler (a resumed training).
func TestSamplerCaptionsPerClip(t *testing.T) {
	for _, tc := range []struct {
		clips, capsPerClip, batch, R int
	}{
		{clips: 12, capsPerClip: 3, batch: 6, R: 1},
		{clips: 12, capsPerClip: 3, batch: 6, R: 2},
		{clips: 12, capsPerClip: 3, batch: 6, R: 3},
		{clips: 12, capsPerClip: 2, batch: 6, R: 3}, // fewer captions than R: cycle
		{clips: 5, capsPerClip: 3, batch: 8, R: 2},  // fewer clips than a batch
	} {
		d := tinyData(tc.clips, tc.capsPerClip, 8, 12, 1)
		store, err := NewStore(tinySettings)
		if err != nil {
			t.Fatal(err)
		}
		m, err := New(testBackend(t), store, tinyVocab(d), d.Targets.Names, d.Features.Dim)
		if err != nil {
			t.Fatal(err)
		}
		s, err := prepareSplit(d, d.SplitIDs("train"), m.Vocab, m.arch)
		if err != nil {
			t.Fatal(err)
		}
		pairsOf := map[int]int{}
		for _, p := range s.pairs {
			pairsOf[p.clip]++
		}
		sm := newSampler(s, 7, tc.batch, tc.R)
		units := len(s.pairs) // what an epoch visits once
		if tc.R > 1 {
			units = tc.clips
		}
		G := tc.batch / tc.R
		per := max(1, units/G)
		seen := map[string]int{}
		for step := range int64(per) {
			ps := sm.pairsAt(step)
			if len(ps) != tc.batch {
				t.Fatalf("%+v: step %d has %d pairs; want %d", tc, step, len(ps), tc.batch)
			}
			for g := 0; g < len(ps); g += tc.R {
				group := ps[g : g+tc.R]
				distinct := map[*int32]bool{} // a pair's tokens are its own
				for _, p := range group {
					if p.clip != group[0].clip {
						t.Fatalf("%+v: step %d mixes clips %d and %d in one group", tc, step, group[0].clip, p.clip)
					}
					distinct[&p.tokens[0]] = true
				}
				if want := min(tc.R, pairsOf[group[0].clip]); len(distinct) != want {
					t.Errorf("%+v: step %d: clip %d's group has %d distinct captions; want %d", tc, step, group[0].clip, len(distinct), want)
				}
				key := fmt.Sprint(&group[0].tokens[0]) // a pair
				if tc.R > 1 {
					key = s.ids[group[0].clip]
				}
				seen[key]++
			}
		}
		if units >= G {
			for k, n := range seen {
				if n > 1 {
					t.Errorf("%+v: %q visited %d times in one epoch; want once", tc, k, n)
				}
			}
			if got, want := len(seen), per*G; got != want {
				t.Errorf("%+v: %d distinct visits in an epoch; want %d", tc, got, want)
			}
		}
		again := newSampler(s, 7, tc.batch, tc.R)
		for _, step := range []int64{int64(per) + 1, 3, 0} {
			if !slices.EqualFunc(again.pairsAt(step), sm.pairsAt(step), func(a, b pair) bool {
				return a.clip == b.clip && &a.tokens[0] == &b.tokens[0]
			}) {
				t.Errorf("%+v: step %d differs between two samplers of the same seed", tc, step)
			}
		}
	}
}

// TestTrainCaptionsPerClip trains with two captions of each clip per batch:
// the model learns both captions of a clip (its greedy caption is one of
// them) and its topic head the clip's target; a value that does not divide
// the batch is refused.
func TestTrainCaptionsPerClip(t *testing.T) {
	d := tinyData(4, 2, 8, 12, 1)
	m, res := trainTiny(t, d, "train_steps=150;captions_per_clip=2;interp_lambda=1", "")
	if res.Steps != 150 {
		t.Fatalf("ran %d steps; want 150", res.Steps)
	}
	ids := d.SplitIDs("train")
	a, err := m.EncodeToSemantic(d.Features, ids)
	if err != nil {
		t.Fatal(err)
	}
	caps, err := m.DecodeFrom(a, Greedy())
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		var refs []string
		for _, c := range d.Captions.ByClip[id] {
			refs = append(refs, strings.Join(corpus.Tokenize(c), " "))
		}
		if !slices.Contains(refs, caps[i].Text()) {
			t.Errorf("%s: caption %q is none of its training captions %q", id, caps[i].Text(), refs)
		}
	}
	metrics, err := m.Evaluate(d, "train", Greedy(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if metrics.TopicMAP < 0.99 {
		t.Errorf("topic mAP %.3f on the training clips; want ≈ 1", metrics.TopicMAP)
	}

	_, _, err = Train(t.Context(), d, TrainConfig{Backend: testBackend(t), Settings: tinySettings + ";captions_per_clip=3"})
	if err == nil || !strings.Contains(err.Error(), "captions_per_clip = 3 does not divide batch_size = 8") {
		t.Errorf("captions_per_clip=3 with batch 8: got %v; want an error naming both", err)
	}
}
