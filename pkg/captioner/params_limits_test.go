package captioner

import (
	"math"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/ml/model"
)

// TestParamsBounded: a size hyperparameter far beyond any model (a typo) and
// a float that is NaN are errors naming the key, the limit and where it is
// set, before any graph is built.
func TestParamsBounded(t *testing.T) {
	store := model.NewStore()
	store.SetParams(DefaultParams())
	p, err := readParams(store)
	if err != nil {
		t.Fatalf("the defaults: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*params)
		want string
	}{
		{"semantic units", func(p *params) { p.SemanticUnits = 1_000_000_000 }, "semantic_units = 1000000000; expected ≤ 16384 (captioner.MaxParams"},
		{"max words", func(p *params) { p.MaxWords = 100_000_000 }, "max_words = 100000000; expected ≤ 1000"},
		{"NaN dropout", func(p *params) { p.Dropout = math.NaN() }, "dropout = NaN; expected a finite number"},
		{"Inf learning rate", func(p *params) { p.LearningRate = math.Inf(1) }, "learning_rate = +Inf; expected a finite number"},
	} {
		q := p
		tc.edit(&q)
		if err := q.validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want %q", tc.name, err, tc.want)
		}
	}
}
