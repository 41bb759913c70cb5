package transfer

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/gomlx/compute"

	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// EndToEnd trains the captioner's encoder and semantic layer, with a linear
// head on a, from scratch on the task's labels: the whole network up to the
// classifier is learnt for the task instead of frozen.
//
// pkg/captioner exposes no graph of its encoder alone, so EndToEnd trains a
// captioner.Model through captioner.Train with the labels as its targets:
// the targets are one-hot classes learnt by the topic head with the sigmoid
// cross-entropy interpretive loss (λ = 1), and every training clip has the
// same one-word caption, which the decoder learns in a few steps and which
// then carries no gradient. The prediction is the argmax of the topic head.
// The encoder and semantic layer are those of Settings (ArchitectureSettings
// copies them from a trained captioner); the decoder is made small.
type EndToEnd struct {
	Label   string
	Backend compute.Backend
	// Features are the frozen per-frame features of the task's clips.
	Features *corpus.Features
	// Settings are captioner hyperparameters ("key=value;…").
	Settings string
	// Steps is the number of training steps.
	Steps int
	// Log receives captioner.Train's log lines (nil: silent).
	Log io.Writer
}

// endToEndCaption is the constant caption of EndToEnd's training clips.
const endToEndCaption = "clip"

// Name returns the method's label.
func (e *EndToEnd) Name() string { return e.Label }

// FitPredict trains a fresh network (initial weights and batch order from
// seed) on the clips train and predicts the test clips.
func (e *EndToEnd) FitPredict(ctx context.Context, task *Task, train []int, seed uint64) ([]int, error) {
	if e.Backend == nil || e.Features == nil {
		return nil, fmt.Errorf("end to end: needs a backend and features")
	}
	if e.Steps < 1 {
		return nil, fmt.Errorf("end to end: %d steps; expected ≥ 1", e.Steps)
	}
	C := len(task.Classes)
	caps := corpus.NewCaptions()
	targets := &captioner.Targets{Names: task.Classes, ByClip: map[string][]float32{}}
	oneHot := func(y int) []float32 {
		v := make([]float32, C)
		v[y] = 1
		return v
	}
	for _, i := range train {
		id := task.TrainIDs[i]
		caps.Add("train", id, endToEndCaption)
		targets.ByClip[id] = oneHot(task.TrainY[i])
	}
	for j, id := range task.TestIDs {
		targets.ByClip[id] = oneHot(task.TestY[j])
	}
	settings := strings.Join([]string{e.Settings,
		"interp_lambda=1", "interp_loss=bce", "decoder_dim=16", "max_words=4",
		fmt.Sprintf("train_steps=%d", e.Steps), fmt.Sprintf("seed=%d", seed),
		"eval_every=0", "checkpoint_every=0"}, ";")
	d := &captioner.Data{Features: e.Features, Captions: caps, Targets: targets}
	m, _, err := captioner.Train(ctx, d, captioner.TrainConfig{Backend: e.Backend, Settings: settings, ValSplit: "-", Log: e.Log})
	if err != nil {
		return nil, fmt.Errorf("end to end: %w", err)
	}
	a, err := m.EncodeToSemantic(e.Features, task.TestIDs)
	if err != nil {
		return nil, fmt.Errorf("end to end: %w", err)
	}
	s, err := m.TopicsFrom(a)
	if err != nil {
		return nil, fmt.Errorf("end to end: %w", err)
	}
	pred := make([]int, len(s))
	for i, row := range s {
		pred[i] = argmax(row)
	}
	return pred, nil
}

// architectureParams are the hyperparameters of the encoder, the semantic
// layer and the optimiser that EndToEnd copies from a trained captioner.
var architectureParams = []string{
	captioner.ParamFrames, captioner.ParamEncoder, captioner.ParamEncoderDim, captioner.ParamSemanticUnits,
	captioner.ParamDropout, captioner.ParamBatchSize, captioner.ParamLearningRate, captioner.ParamSchedule,
	captioner.ParamWarmupSteps, captioner.ParamMinLRFraction,
}

// ArchitectureSettings returns m's encoder, semantic-layer and optimiser
// hyperparameters as settings for EndToEnd, so that the end-to-end network
// is the captioner's up to a.
func ArchitectureSettings(m *captioner.Model) string {
	var parts []string
	for _, k := range architectureParams {
		if v := m.Param(k); v != nil {
			parts = append(parts, fmt.Sprintf("%s=%v", k, v))
		}
	}
	return strings.Join(parts, ";")
}
