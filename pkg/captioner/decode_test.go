package captioner

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// TestTopCandsMatchesSorting checks that the beam's bounded candidate list
// holds the first n candidates of the fully sorted list, ties included.
func TestTopCandsMatchesSorting(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name       string
		count, n   int
		scoreRange int // scores drawn from few values make ties
	}{
		{"fewer than n", 3, 10, 100},
		{"many, distinct", 500, 10, 1 << 30},
		{"many, ties", 500, 10, 4},
		{"n = 1", 50, 1, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for trial := range 20 {
				var all []beamCand
				for range tc.count {
					all = append(all, beamCand{parent: r.IntN(5), w: r.IntN(40), score: -float64(r.IntN(tc.scoreRange))})
				}
				var top topCands
				top.reset(tc.n)
				for _, c := range all {
					top.offer(c)
				}
				slices.SortStableFunc(all, func(x, y beamCand) int {
					switch {
					case x.before(y):
						return -1
					case y.before(x):
						return 1
					}
					return 0
				})
				want := all[:min(tc.n, len(all))]
				if !slices.Equal(top.list, want) {
					t.Fatalf("trial %d: top list %v; the sorted list starts %v", trial, top.list, want)
				}
			}
		})
	}
}

// TestInferenceSameWithAnyWorkers checks that the chunks and beam-search
// groups running side by side change nothing: the semantic layer, the
// captions, the teacher-forced log-probabilities and the evaluation's
// losses are the same to the bit with 1 and with 3 workers (300 clips: 3
// chunks of 128 rows, 12 groups of 25 clips at beam 5).
func TestInferenceSameWithAnyWorkers(t *testing.T) {
	d := tinyData(300, 2, 8, 12, 5)
	m, _ := trainTiny(t, d, "train_steps=20", "")
	ids := d.SplitIDs("train")
	type result struct {
		a    [][]float32
		caps []Caption
		lp   [][]float64
		eval *Metrics
	}
	run := func(workers int) result {
		defer func(w int) { workersOverride = w }(workersOverride)
		workersOverride = workers
		a, err := m.EncodeToSemantic(d.Features, ids)
		if err != nil {
			t.Fatal(err)
		}
		caps, err := m.DecodeFrom(a, BeamSearch(5))
		if err != nil {
			t.Fatal(err)
		}
		lp, err := m.WordLogProbs(a, captionTexts(caps))
		if err != nil {
			t.Fatal(err)
		}
		ev, err := m.Evaluate(d, "train", Greedy(), 0)
		if err != nil {
			t.Fatal(err)
		}
		return result{a, caps, lp, ev}
	}
	one, three := run(1), run(3)
	if !reflect.DeepEqual(one.a, three.a) {
		t.Error("semantic layer differs between 1 and 3 workers")
	}
	if !reflect.DeepEqual(one.caps, three.caps) {
		t.Error("beam-search captions differ between 1 and 3 workers")
	}
	if !reflect.DeepEqual(one.lp, three.lp) {
		t.Error("word log-probabilities differ between 1 and 3 workers")
	}
	if !reflect.DeepEqual(one.eval, three.eval) {
		t.Errorf("evaluation differs between 1 and 3 workers: %+v vs %+v", one.eval, three.eval)
	}
	if len(one.caps) != 300 || one.caps[299].Text() == "" {
		t.Fatalf("decoded %d captions, the last %q", len(one.caps), one.caps[len(one.caps)-1].Text())
	}
}

// captionTexts returns the text of each caption.
func captionTexts(caps []Caption) []string {
	texts := make([]string, len(caps))
	for i, c := range caps {
		texts[i] = c.Text()
	}
	return texts
}
