package captioner

import (
	"math/rand/v2"
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
