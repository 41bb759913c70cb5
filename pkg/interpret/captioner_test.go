package interpret

import (
	"math/rand/v2"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// tinyModel is an untrained captioner (random weights; nothing here needs
// training) with 12 semantic units and 4 targets.
func tinyModel(t testing.TB) *captioner.Model {
	t.Helper()
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	store, err := captioner.NewStore("frames=8;encoder_dim=16;semantic_units=12;decoder_dim=16;max_words=8;seed=3")
	if err != nil {
		t.Fatal(err)
	}
	caps := corpus.NewCaptions()
	for _, c := range handCaptions {
		caps.Add("train", c, c)
	}
	m, err := captioner.New(b, store, corpus.BuildVocab(caps, 1), []string{"t0", "t1", "t2", "t3"}, 6)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// reluRows draws n rows of n units, each active with probability ½.
func reluRows(n, units int, seed uint64) [][]float32 {
	r := rand.New(rand.NewPCG(seed, 5))
	a := make([][]float32, n)
	for c := range a {
		a[c] = make([]float32, units)
		for i := range a[c] {
			if r.IntN(2) == 0 {
				a[c][i] = float32(r.Float64() * 2)
			}
		}
	}
	return a
}

// TestCaptionerSchedulesAgreeExactly runs PDM on a real (tiny) captioner:
// the batched rows engine equals the per-unit loop up to float32 rounding,
// for topics and for words, and the affine engine (chosen automatically for the
// linear topic head) agrees with both.
func TestCaptionerSchedulesAgreeExactly(t *testing.T) {
	m := tinyModel(t)
	N := m.SemanticUnits()
	train, test := reluRows(60, N, 1), reluRows(10, N, 2)
	marg, err := NewMarginal(train, 4, 9)
	if err != nil {
		t.Fatal(err)
	}
	words := WordsOf(handCaptionsOf(len(test)), m.Vocab.Size())
	words.LaplaceN = len(train)
	for _, target := range []Target{Topics(false), words} {
		var ref *Scores
		for _, sched := range []Schedule{PerUnit, Batched} {
			p := NewPDM(marg)
			p.Engine, p.Schedule = EngineRows, sched
			s, err := p.Attribute(m, test, target)
			if err != nil {
				t.Fatal(err)
			}
			if ref == nil {
				ref = s
				continue
			}
			// The same rows, so the same values up to float32 rounding: the Go
			// backend's matrix product rounds a row's outputs in the last bit
			// differently depending on its position in the 128-row chunk
			// (identical calls are deterministic). Hand-set heads, which compute
			// each row alone, agree bit for bit (TestSchedulesAgreeExactly).
			for c := range test {
				for j, v := range s.Values[c] {
					if r := ref.Values[c][j]; abs32(v-r) > 1e-5*(1+abs32(r)) {
						t.Fatalf("%s %s: clip %d value %d = %v; per-unit loop %v", target.Kind, sched, c, j, v, r)
					}
				}
			}
		}
		if target.Kind != TopicScores {
			continue
		}
		s, err := NewPDM(marg).Attribute(m, test, target)
		if err != nil {
			t.Fatal(err)
		}
		if s.Engine != "affine" {
			t.Fatalf("engine %s; the captioner's topic head is affine", s.Engine)
		}
		for c := range test {
			for j, v := range s.Values[c] {
				if r := ref.Values[c][j]; abs32(v-r) > 1e-4*(1+abs32(r)) {
					t.Fatalf("affine engine: clip %d value %d = %v; rows %v", c, j, v, r)
				}
			}
		}
	}
}

func abs32(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}
