package revise

import (
	"encoding/json"
	"fmt"

	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/interpret"
)

// Unit-label sources of Setup.
const (
	// LabelsPDM labels units by PDM on the topic head over the training
	// clips (interpret.Run), the paper's interpretation.
	LabelsPDM = "pdm"
	// LabelsHeadWeights labels units by their largest topic-head weight
	// (FromHeadWeights), a stand-in that needs no PDM.
	LabelsHeadWeights = "head-weights"
)

// SetupConfig configures Setup.
type SetupConfig struct {
	// Labels is LabelsPDM (default) or LabelsHeadWeights.
	Labels string
	// Samples and Seed are PDM's samples of each unit's distribution
	// (default interpret.DefaultSamples) and their seed.
	Samples int
	Seed    uint64
	// Topics, if not nil, are used instead of computing labels.
	Topics *UnitTopics
}

// Setup builds a reviser of a captioner from the semantic layer of its
// training clips, train ([clips][N]): the units' statistics (boost levels),
// their distributions (for Explain) and their topic labels.
func Setup(m *captioner.Model, train [][]float32, cfg SetupConfig) (*Reviser, error) {
	if m == nil {
		return nil, fmt.Errorf("revise setup: nil model")
	}
	stats, err := NewStats(train)
	if err != nil {
		return nil, fmt.Errorf("revise setup: %w", err)
	}
	if cfg.Samples <= 0 {
		cfg.Samples = interpret.DefaultSamples
	}
	marg, err := interpret.NewMarginal(train, cfg.Samples, cfg.Seed)
	if err != nil {
		return nil, fmt.Errorf("revise setup: %w", err)
	}
	topics := cfg.Topics
	if topics == nil {
		switch cfg.Labels {
		case LabelsPDM, "":
			res, err := interpret.Run(interpret.Input{Head: m, Train: train, A: train, Target: interpret.TopicTarget(m, len(train))},
				interpret.Config{Method: interpret.MethodPDM, Samples: cfg.Samples, Seed: cfg.Seed})
			if err != nil {
				return nil, fmt.Errorf("revise setup: %w", err)
			}
			if topics, err = FromInterpretation(res.Units, m.TargetNames, LabelsPDM); err != nil {
				return nil, fmt.Errorf("revise setup: %w", err)
			}
		case LabelsHeadWeights:
			if topics, err = FromHeadWeights(m, m.SemanticUnits(), m.TargetNames, stats); err != nil {
				return nil, fmt.Errorf("revise setup: %w", err)
			}
		default:
			return nil, fmt.Errorf("revise setup: unknown labels %q; expected %q or %q", cfg.Labels, LabelsPDM, LabelsHeadWeights)
		}
	}
	r := NewReviser(m, topics, stats)
	r.Marginal, r.VocabSize = marg, m.Vocab.Size()
	if r.Head, err = interpret.ProbeAffine(m, m.SemanticUnits()); err != nil {
		return nil, fmt.Errorf("revise setup: %w", err)
	}
	if _, err := r.units(); err != nil {
		return nil, err
	}
	return r, nil
}

// LoadInterpretation reads unit labels from the units.json that
// `neurotopics interpret --target topics` writes (interpret.WriteResult).
func LoadInterpretation(path string) (*UnitTopics, error) {
	data, err := corpus.ReadJSONBytes(path, "a units.json written by neurotopics interpret")
	if err != nil {
		return nil, fmt.Errorf("reading unit interpretations: %w", err)
	}
	return parseInterpretation(data, path)
}

// parseInterpretation decodes the contents of a units.json; name is used in
// error messages.
func parseInterpretation(data []byte, name string) (*UnitTopics, error) {
	var res interpret.Result
	if err := json.Unmarshal(data, &res); err != nil {
		return nil, fmt.Errorf("%s: not an interpretation (units.json of `neurotopics interpret`): %w", name, err)
	}
	if len(res.Outputs) == 0 {
		return nil, fmt.Errorf("%s: an interpretation of %q; revision needs one of the topic targets (neurotopics interpret --target topics)", name, res.Target)
	}
	t, err := FromInterpretation(res.Units, res.Outputs, res.Method)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return t, nil
}
