package captioner

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/gomlx/compute"

	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/dataset"
)

// TrainStageConfig is the train stage's configuration. Marshalled to JSON it
// is the stage's cache key (with the keys of the dataset and the topics it
// trains on): the settings and every hyperparameter they resolve to, so that
// a changed default retrains the model.
type TrainStageConfig struct {
	Settings string         `json:"settings"`
	Params   map[string]any `json:"params"`
}

// NewTrainStageConfig resolves settings ("key=value;…") into the stage's
// configuration.
func NewTrainStageConfig(settings string) (TrainStageConfig, error) {
	params, err := ResolveParams(settings)
	if err != nil {
		return TrainStageConfig{}, err
	}
	return TrainStageConfig{Settings: settings, Params: params}, nil
}

// TrainStageInput is what the train stage reads besides its configuration.
type TrainStageInput struct {
	Data    *Data
	Backend compute.Backend
	// CheckpointDir holds the training's checkpoints outside the stage's
	// folder, so that an interrupted stage resumes from them.
	CheckpointDir string
	// Progress, when not nil, shows a progress bar there.
	Progress io.Writer
	// Log receives a line per validation and checkpoint (nil: discard).
	Log io.Writer
	// Notes are saved with the checkpoints.
	Notes map[string]string
}

// DataOf is the captioner's view of a dataset with targets.
func DataOf(d *dataset.Dataset, t *Targets) *Data {
	return &Data{Features: d.Features, Captions: d.Captions, Targets: t}
}

// TrainStage trains (or resumes) the model of cfg in in.CheckpointDir and
// copies its newest checkpoint into dir.
func TrainStage(ctx context.Context, in TrainStageInput, cfg TrainStageConfig, dir string) (*TrainResult, error) {
	_, res, err := Train(ctx, in.Data, TrainConfig{Backend: in.Backend, Dir: in.CheckpointDir, Settings: cfg.Settings, Log: in.Log,
		Progress: in.Progress != nil && in.Progress != io.Discard, ProgressOut: in.Progress, Notes: in.Notes})
	if err != nil {
		return nil, err
	}
	if in.Log != nil {
		resumed := ""
		if res.Resumed > 0 {
			resumed = fmt.Sprintf(", resumed from step %d", res.Resumed)
		}
		fmt.Fprintf(in.Log, "trained %d steps this run%s, median %.1f ms a step\n", res.Steps, resumed, float64(res.StepTime.Microseconds())/1000)
	}
	latest, err := LatestCheckpoint(in.CheckpointDir)
	if err != nil {
		return nil, err
	}
	if latest == "" {
		return nil, fmt.Errorf("training wrote no checkpoint in %s", in.CheckpointDir)
	}
	if err := corpus.CopyFileAtomic(latest, filepath.Join(dir, filepath.Base(latest))); err != nil {
		return nil, fmt.Errorf("copying the checkpoint: %w", err)
	}
	return res, nil
}
