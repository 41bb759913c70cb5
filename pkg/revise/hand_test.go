package revise

import (
	"fmt"
	"math"
	"strings"

	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// handModel is a tiny hand-set captioner head in plain Go. Its semantic
// layer has one unit per word of three slots, and its decoder writes
//
//	"a <colour> <shape> moves <motion>"
//
// where each slot's word is the one whose unit is largest (ties: the first):
// units 0/1 are red/blue, 2/3 circle/square, 4/5 left/right. Its teacher-
// forced word probabilities are a softmax over the slot's units with
// logits gain·a; its topic head is ŝ = a, with topics named by the
// synthetic corpus' concepts. Every answer can be worked out by hand.
type handModel struct {
	gain float64
}

// handSlots are the slots' words, in unit order.
var handSlots = [][]string{{"red", "blue"}, {"circle", "square"}, {"left", "right"}}

// handTopics names the units' topics.
var handTopics = []string{"color:red", "color:blue", "shape:circle", "shape:square", "motion:left", "motion:right"}

func (h handModel) SemanticUnits() int { return 6 }

func (h handModel) TopicsFrom(a [][]float32) ([][]float32, error) {
	out := make([][]float32, len(a))
	for i, r := range a {
		if len(r) != 6 {
			return nil, fmt.Errorf("hand model: row %d has %d units", i, len(r))
		}
		out[i] = append([]float32(nil), r...)
	}
	return out, nil
}

// slotWord returns the word of slot s for row a.
func slotWord(a []float32, s int) string {
	if a[2*s+1] > a[2*s] {
		return handSlots[s][1]
	}
	return handSlots[s][0]
}

func (h handModel) DecodeFrom(a [][]float32, _ captioner.DecodeOptions) ([]captioner.Caption, error) {
	out := make([]captioner.Caption, len(a))
	for i, r := range a {
		if len(r) != 6 {
			return nil, fmt.Errorf("hand model: row %d has %d units", i, len(r))
		}
		out[i] = captioner.Caption{Words: []string{"a", slotWord(r, 0), slotWord(r, 1), "moves", slotWord(r, 2)}}
	}
	return out, nil
}

func (h handModel) WordLogProbs(a [][]float32, captions []string) ([][]float64, error) {
	out := make([][]float64, len(a))
	for i, r := range a {
		words := corpus.Tokenize(captions[i])
		lp := make([]float64, len(words)+1) // <eos>: log 1
		for j, w := range words {
			for s, slot := range handSlots {
				for k, sw := range slot {
					if w == sw {
						x, y := h.gain*float64(r[2*s+k]), h.gain*float64(r[2*s+1-k])
						lp[j] = x - math.Log(math.Exp(x)+math.Exp(y))
					}
				}
			}
		}
		out[i] = lp
	}
	return out, nil
}

// handReviser is a reviser of the hand model whose units are labelled by
// their own topic and boost to 1.
func handReviser() *Reviser {
	topics := &UnitTopics{Topics: handTopics, Label: []int{0, 1, 2, 3, 4, 5}, Score: []float64{1, 1, 1, 1, 1, 1}, Source: "hand"}
	stats := &Stats{Mean: make([]float32, 6), Active: []float64{1, 1, 1, 1, 1, 1}, High: []float32{1, 1, 1, 1, 1, 1}}
	return NewReviser(handModel{gain: 4}, topics, stats)
}

// redSquareLeft is a semantic layer the hand model captions "a red square
// moves left".
var redSquareLeft = []float32{0.9, 0.2, 0.1, 0.8, 0.7, 0.3}

func caption(words ...string) string { return strings.Join(words, " ") }
