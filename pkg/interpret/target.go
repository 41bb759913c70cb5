package interpret

import (
	"fmt"
	"math"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// Head is the part of a model after its semantic layer: it maps rows of the
// semantic layer a ([rows][N]) to topic scores and to the teacher-forced
// log-probabilities of captions. *captioner.Model satisfies it; tests use
// hand-set heads written in plain Go. Implementations must compute each row
// independently of the others (the engines rely on it).
type Head interface {
	// TopicsFrom returns ŝ for each row of a: [len(a)][K].
	TopicsFrom(a [][]float32) ([][]float32, error)
	// WordLogProbs returns, for each row i, log p(w_j | w_<j, a[i]) of the
	// words of captions[i] and of EOS: len(Tokenize(captions[i]))+1 values.
	WordLogProbs(a [][]float32, captions []string) ([][]float64, error)
}

// TargetKind says which outputs of the head are explained.
type TargetKind int

const (
	// TopicScores are the K topic outputs of a linear head (the paper's
	// squared-error interpretive loss): compared by plain difference.
	TopicScores TargetKind = iota
	// TopicLogits are the K topic outputs of a head trained with sigmoid
	// cross-entropy: p = σ(ŝ), compared in log-odds.
	TopicLogits
	// Words are the log-probabilities of the words (and EOS) of one caption
	// per clip under teacher forcing: p = exp(log p), compared in log-odds
	// (or by plain difference of log-probabilities, Target.Plain).
	Words
)

// String names the kind as the CLI does.
func (k TargetKind) String() string {
	switch k {
	case TopicScores:
		return "topics"
	case TopicLogits:
		return "topics(logits)"
	case Words:
		return "words"
	}
	return fmt.Sprintf("TargetKind(%d)", int(k))
}

// Target is what an attribution explains.
type Target struct {
	Kind TargetKind
	// Names names the K topic outputs (optional; "0", "1", … otherwise).
	Names []string
	// Captions holds one caption per clip for Words (the generated caption or
	// a reference), scored by teacher forcing: its words (corpus.Tokenize;
	// words outside the model's vocabulary are scored as <unk>) and EOS.
	Captions []string
	// Plain compares Words by the plain difference of log-probabilities
	// instead of log-odds.
	Plain bool
	// LaplaceN and Classes are Laplace's correction of probabilities before
	// log-odds: p̃ = (p·n + 1)/(n + k), with n the number of training clips
	// the unit distributions were taken from and k the number of classes of
	// the output (2 for a sigmoid topic, the vocabulary size for a word).
	// LaplaceN = 0: no correction (p is clamped to [1e-7, 1−1e-7]).
	LaplaceN int
	Classes  int
}

// Topics returns the target of the topic head: logits says whether ŝ are
// logits (the "bce" interpretive loss) rather than linear scores (the
// paper's "mse").
func Topics(logits bool) Target {
	if logits {
		return Target{Kind: TopicLogits, Classes: 2}
	}
	return Target{Kind: TopicScores}
}

// WordsOf returns the target of the words of captions (one per clip) for a
// vocabulary of vocabSize words (Laplace's k).
func WordsOf(captions []string, vocabSize int) Target {
	return Target{Kind: Words, Captions: captions, Classes: vocabSize}
}

// topics reports whether the target is the topic head.
func (t Target) topics() bool { return t.Kind == TopicScores || t.Kind == TopicLogits }

// probabilistic reports whether outputs are compared as probabilities.
func (t Target) probabilistic() bool {
	return t.Kind == TopicLogits || (t.Kind == Words && !t.Plain)
}

// lift maps a raw head output to the space where expectations are taken:
// a probability for probabilistic targets, the raw value otherwise.
func (t Target) lift(raw float64) float64 {
	switch {
	case t.Kind == TopicLogits:
		return sigmoid(raw)
	case t.Kind == Words && !t.Plain:
		return math.Exp(raw)
	}
	return raw
}

// score maps a lifted value to the space where differences are taken:
// Laplace-corrected log2-odds for probabilities, the value otherwise.
func (t Target) score(u float64) float64 {
	if !t.probabilistic() {
		return u
	}
	return log2Odds(t.laplace(u))
}

// laplace applies Laplace's correction (or clamps p without it).
func (t Target) laplace(p float64) float64 {
	if t.LaplaceN > 0 && t.Classes > 0 {
		n := float64(t.LaplaceN)
		return (p*n + 1) / (n + float64(t.Classes))
	}
	return math.Min(math.Max(p, 1e-7), 1-1e-7)
}

// check verifies that the target fits clips clips.
func (t Target) check(clips int) error {
	switch t.Kind {
	case TopicScores, TopicLogits:
	case Words:
		if len(t.Captions) != clips {
			return fmt.Errorf("words target: %d captions for %d clips", len(t.Captions), clips)
		}
	default:
		return fmt.Errorf("unknown target kind %d", int(t.Kind))
	}
	if t.probabilistic() && t.LaplaceN > 0 && t.Classes < 1 {
		return fmt.Errorf("target %s: Laplace correction with n = %d needs Classes ≥ 1", t.Kind, t.LaplaceN)
	}
	return nil
}

// outputNames returns the names of clip c's outputs: the topic names (k
// outputs), or the caption's words and "<eos>".
func (t Target) outputNames(c, k int) []string {
	if t.Kind == Words {
		return append(corpus.Tokenize(t.Captions[c]), corpus.EOSToken)
	}
	if len(t.Names) == k {
		return t.Names
	}
	names := make([]string, k)
	for i := range names {
		names[i] = fmt.Sprint(i)
	}
	return names
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func log2Odds(p float64) float64 { return math.Log2(p / (1 - p)) }
