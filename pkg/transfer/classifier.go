package transfer

import (
	"fmt"
	"math"
)

// ClassifierConfig configures the softmax classifier of a Probe.
type ClassifierConfig struct {
	// Epochs is the number of full-batch Adam steps (default 300).
	Epochs int `json:"epochs"`
	// LearningRate is Adam's step size (default 0.05).
	LearningRate float64 `json:"learning_rate"`
	// L2 is the weight decay: the loss adds L2/2·‖W‖² (default 1e-3).
	L2 float64 `json:"l2"`
}

// DefaultClassifierConfig returns 300 epochs of Adam at 0.05 with L2 = 1e-3.
func DefaultClassifierConfig() ClassifierConfig {
	return ClassifierConfig{Epochs: 300, LearningRate: 0.05, L2: 1e-3}
}

func (c ClassifierConfig) validate() error {
	if c.Epochs < 1 {
		return fmt.Errorf("classifier: %d epochs; expected ≥ 1", c.Epochs)
	}
	if !(c.LearningRate > 0) || math.IsInf(c.LearningRate, 0) {
		return fmt.Errorf("classifier: learning rate %v; expected > 0", c.LearningRate)
	}
	if !(c.L2 >= 0) || math.IsInf(c.L2, 0) {
		return fmt.Errorf("classifier: L2 %v; expected ≥ 0", c.L2)
	}
	return nil
}

// Classifier is a multinomial logistic regression on standardised
// features: p(y | x) = softmax(((x − Mean)·Scale)·W + B).
type Classifier struct {
	// Classes and Dim are the numbers of classes and features.
	Classes, Dim int
	// Mean and Scale standardise each feature (Scale = 1/std over the
	// training rows; 0 for a constant feature).
	Mean, Scale []float64
	// W holds the weights, [Dim][Classes] row-major; B the biases [Classes].
	W, B []float64
	// Loss is the training loss (mean cross-entropy + L2 term) after the
	// last epoch.
	Loss float64
}

// TrainClassifier fits a softmax classifier to rows x with classes y (in
// [0, classes)) by full-batch Adam from zero weights. It uses no random
// numbers: the same inputs give the same classifier.
func TrainClassifier(x [][]float32, y []int, classes int, cfg ClassifierConfig) (*Classifier, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	n := len(x)
	if n == 0 || n != len(y) {
		return nil, fmt.Errorf("classifier: %d rows and %d labels; expected the same number, ≥ 1", n, len(y))
	}
	if classes < 2 {
		return nil, fmt.Errorf("classifier: %d classes; expected ≥ 2", classes)
	}
	D := len(x[0])
	if D == 0 {
		return nil, fmt.Errorf("classifier: rows have no features")
	}
	c := &Classifier{Classes: classes, Dim: D, Mean: make([]float64, D), Scale: make([]float64, D),
		W: make([]float64, D*classes), B: make([]float64, classes)}
	for r, row := range x {
		if len(row) != D {
			return nil, fmt.Errorf("classifier: row %d has %d features; row 0 has %d", r, len(row), D)
		}
		if y[r] < 0 || y[r] >= classes {
			return nil, fmt.Errorf("classifier: row %d has class %d; expected 0..%d", r, y[r], classes-1)
		}
		for d, v := range row {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, fmt.Errorf("classifier: row %d, feature %d is %v; expected a finite value", r, d, v)
			}
			c.Mean[d] += float64(v) / float64(n)
		}
	}
	for _, row := range x {
		for d, v := range row {
			dv := float64(v) - c.Mean[d]
			c.Scale[d] += dv * dv / float64(n)
		}
	}
	for d, v := range c.Scale {
		if sd := math.Sqrt(v); sd > 1e-8 {
			c.Scale[d] = 1 / sd
		} else {
			c.Scale[d] = 0
		}
	}
	// Standardised rows, flat, without the constant features: their
	// weights start at 0 and stay there (zero gradient, zero L2 term, zero
	// Adam step), so leaving them out changes nothing.
	var live []int
	for d, s := range c.Scale {
		if s != 0 {
			live = append(live, d)
		}
	}
	L, C := len(live), classes
	xs := make([]float64, n*L)
	for r, row := range x {
		for j, d := range live {
			xs[r*L+j] = (float64(row[d]) - c.Mean[d]) * c.Scale[d]
		}
	}
	W := make([]float64, L*C)
	gW, gB := make([]float64, L*C), make([]float64, C)
	adam := newAdam(L*C+C, cfg.LearningRate)
	logits := make([]float64, 4*C)
	l0, l1, l2, l3 := logits[:C], logits[C:2*C], logits[2*C:3*C], logits[3*C:]
	row := func(r int) []float64 { return xs[r*L : (r+1)*L] }
	nf := float64(n)
	for range cfg.Epochs {
		clear(gW)
		clear(gB)
		var loss float64
		// Four rows at a time, then one: the sums and their order are
		// those of one row at a time (kernel.go).
		r := 0
		for ; r+4 <= n; r += 4 {
			affineInto4(l0, l1, l2, l3, c.B, row(r), row(r+1), row(r+2), row(r+3), W)
			loss += lossGrad(l0, y[r], nf, gB)
			loss += lossGrad(l1, y[r+1], nf, gB)
			loss += lossGrad(l2, y[r+2], nf, gB)
			loss += lossGrad(l3, y[r+3], nf, gB)
			addOuter4(gW, row(r), row(r+1), row(r+2), row(r+3), l0, l1, l2, l3)
		}
		for ; r < n; r++ {
			affineInto(l0, c.B, row(r), W)
			loss += lossGrad(l0, y[r], nf, gB)
			addOuter(gW, row(r), l0)
		}
		loss /= nf
		var reg float64
		for j, w := range W {
			gW[j] += cfg.L2 * w
			reg += w * w
		}
		c.Loss = loss + cfg.L2/2*reg
		adam.step(W, gW, 0)
		adam.step(c.B, gB, L*C)
		adam.t++
	}
	for j, d := range live {
		copy(c.W[d*C:(d+1)*C], W[j*C:(j+1)*C])
	}
	return c, nil
}

// lossGrad turns one row's logits into the gradient of the mean
// cross-entropy (softmax − one-hot of y, over n rows), adds it to gB and
// returns the row's cross-entropy.
func lossGrad(logits []float64, y int, n float64, gB []float64) float64 {
	lse := logSumExp(logits)
	loss := lse - logits[y]
	for k := range logits {
		g := math.Exp(logits[k]-lse) / n
		if k == y {
			g -= 1 / n
		}
		logits[k] = g
		gB[k] += g
	}
	return loss
}

// Probabilities returns p(class | row) for each row.
func (c *Classifier) Probabilities(x [][]float32) ([][]float64, error) {
	out := make([][]float64, len(x))
	xr := make([]float64, c.Dim)
	for r, row := range x {
		if len(row) != c.Dim {
			return nil, fmt.Errorf("classifier: row %d has %d features; the classifier reads %d", r, len(row), c.Dim)
		}
		for d, v := range row {
			xr[d] = (float64(v) - c.Mean[d]) * c.Scale[d]
		}
		p := make([]float64, c.Classes)
		affineInto(p, c.B, xr, c.W)
		lse := logSumExp(p)
		for k := range p {
			p[k] = math.Exp(p[k] - lse)
		}
		out[r] = p
	}
	return out, nil
}

// Predict returns the most probable class of each row (ties: the lowest
// class).
func (c *Classifier) Predict(x [][]float32) ([]int, error) {
	p, err := c.Probabilities(x)
	if err != nil {
		return nil, err
	}
	pred := make([]int, len(p))
	for r, row := range p {
		pred[r] = argmax(row)
	}
	return pred, nil
}

// argmax returns the index of the largest value (the first of ties).
func argmax[T float32 | float64](xs []T) int {
	best := 0
	for i, v := range xs {
		if v > xs[best] {
			best = i
		}
	}
	return best
}

func logSumExp(xs []float64) float64 {
	m := math.Inf(-1)
	for _, v := range xs {
		m = math.Max(m, v)
	}
	var s float64
	for _, v := range xs {
		s += math.Exp(v - m)
	}
	return m + math.Log(s)
}

// adam is Adam's state for a flat parameter vector (β₁ = 0.9, β₂ = 0.999,
// ε = 1e-8).
type adam struct {
	m, v []float64
	lr   float64
	t    int
}

func newAdam(n int, lr float64) *adam {
	return &adam{m: make([]float64, n), v: make([]float64, n), lr: lr}
}

// step updates params (whose state starts at offset) with gradients g.
func (a *adam) step(params, g []float64, offset int) {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	t := float64(a.t + 1)
	c1, c2 := 1-math.Pow(b1, t), 1-math.Pow(b2, t)
	for j, gj := range g {
		m := &a.m[offset+j]
		v := &a.v[offset+j]
		*m = b1*(*m) + (1-b1)*gj
		*v = b2*(*v) + (1-b2)*gj*gj
		params[j] -= a.lr * (*m / c1) / (math.Sqrt(*v/c2) + eps)
	}
}
