package interpret

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// handHead is a head with hand-set weights, computed in plain float64 Go:
// topics ŝ = a·W + B; words from a context-free softmax over a tiny
// vocabulary, log p(w | a) = z_w − logsumexp(z), z = a·U + C, the same for
// every position (EOS is word 0).
type handHead struct {
	W     [][]float64 // [N][K]
	B     []float64   // [K]
	U     [][]float64 // [N][V]
	C     []float64   // [V]
	Vocab []string    // Vocab[0] = "<eos>"
	calls int
	rows  int
}

func (h *handHead) TopicsFrom(a [][]float32) ([][]float32, error) {
	h.calls++
	h.rows += len(a)
	out := make([][]float32, len(a))
	for r, row := range a {
		if len(row) != len(h.W) {
			return nil, fmt.Errorf("row %d has %d values", r, len(row))
		}
		out[r] = make([]float32, len(h.B))
		for k := range h.B {
			v := h.B[k]
			for i, x := range row {
				v += float64(x) * h.W[i][k]
			}
			out[r][k] = float32(v)
		}
	}
	return out, nil
}

func (h *handHead) WordLogProbs(a [][]float32, captions []string) ([][]float64, error) {
	h.calls++
	h.rows += len(a)
	out := make([][]float64, len(a))
	for r, row := range a {
		z := make([]float64, len(h.Vocab))
		lse := math.Inf(-1)
		for w := range z {
			z[w] = h.C[w]
			for i, x := range row {
				z[w] += float64(x) * h.U[i][w]
			}
			lse = logAdd(lse, z[w])
		}
		for _, tok := range append(corpus.Tokenize(captions[r]), "<eos>") {
			w := -1
			for j, v := range h.Vocab {
				if v == tok {
					w = j
				}
			}
			if w < 0 {
				return nil, fmt.Errorf("word %q not in the vocabulary", tok)
			}
			out[r] = append(out[r], z[w]-lse)
		}
	}
	return out, nil
}

func logAdd(x, y float64) float64 {
	if math.IsInf(x, -1) {
		return y
	}
	m := math.Max(x, y)
	return m + math.Log(math.Exp(x-m)+math.Exp(y-m))
}

// Wiring of the hand-set head: unit 0 → topic 3 and word "circle"; unit 1 →
// topic 1 and word "red"; unit 2 is dead (never active); unit 3 → topic 4
// and word "square".
const (
	handUnits  = 4
	handTopics = 5
)

var handVocab = []string{"<eos>", "a", "red", "blue", "circle", "square"}

func newHandHead() *handHead {
	h := &handHead{B: []float64{0.1, -0.2, 0.05, 0, 0.3}, Vocab: handVocab, C: []float64{0.5, 1, 0, 0, 0, 0}}
	h.W = make([][]float64, handUnits)
	h.U = make([][]float64, handUnits)
	for i := range handUnits {
		h.W[i] = make([]float64, handTopics)
		h.U[i] = make([]float64, len(handVocab))
	}
	h.W[0][3], h.W[1][1], h.W[2][0], h.W[3][4] = 2, 1.5, 3, 1
	h.U[0][4], h.U[1][2], h.U[2][1], h.U[3][5] = 2, 1.5, 3, 1
	return h
}

// handCaptions are the clips' captions, in the hand-set vocabulary.
var handCaptions = []string{"a red circle", "a blue square", "a red square", "a blue circle"}

// handActivations draws n rows of the hand-set layer: units 0, 1 and 3 are
// active (uniform in [0.5, 2]) with probability ½, unit 2 never.
func handActivations(n int, seed uint64) [][]float32 {
	r := rand.New(rand.NewPCG(seed, 3))
	a := make([][]float32, n)
	for c := range a {
		a[c] = make([]float32, handUnits)
		for i := range handUnits {
			if i != 2 && r.IntN(2) == 0 {
				a[c][i] = float32(0.5 + 1.5*r.Float64())
			}
		}
	}
	return a
}

func handCaptionsOf(n int) []string {
	caps := make([]string, n)
	for c := range caps {
		caps[c] = handCaptions[c%len(handCaptions)]
	}
	return caps
}
