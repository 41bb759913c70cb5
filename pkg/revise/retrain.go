package revise

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gomlx/compute"

	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// RetrainConfig configures Retrain.
type RetrainConfig struct {
	Backend compute.Backend
	// Dir receives the fine-tuned checkpoint; it must not hold checkpoints
	// already.
	Dir string
	// Steps is the number of fine-tuning steps.
	Steps int
	// Repeat is how many times each revised caption is added (default 3),
	// its weight against a training clip's own captions.
	Repeat int
	// TrainSplit is the split of d fine-tuned on besides the revisions
	// (default "train").
	TrainSplit string
	// Log receives captioner.Train's log lines (nil: silent).
	Log io.Writer
}

// RevisedData returns d with the revised captions added to the training
// split: each revision whose caption changed adds its After caption repeat
// times to its clip, which joins the training split if it was not in it
// (with only its revised captions: a clip revised by a person has no
// references). The other clips keep their captions; d is not changed.
func RevisedData(d *captioner.Data, trainSplit string, revs []Revision, repeat int) (*captioner.Data, int, error) {
	if repeat < 1 {
		repeat = 1
	}
	caps := corpus.NewCaptions()
	for _, id := range d.Captions.Splits[trainSplit] {
		for _, c := range d.Captions.ByClip[id] {
			caps.Add(trainSplit, id, c)
		}
	}
	added := 0
	for _, v := range revs {
		if !v.Changed() {
			continue
		}
		if d.Features.Index(v.Clip) < 0 {
			return nil, 0, fmt.Errorf("revised data: clip %s has no features", v.Clip)
		}
		if _, ok := d.Targets.ByClip[v.Clip]; !ok {
			return nil, 0, fmt.Errorf("revised data: clip %s has no target vector", v.Clip)
		}
		for range repeat {
			caps.Add(trainSplit, v.Clip, v.After)
		}
		added++
	}
	return &captioner.Data{Features: d.Features, Captions: caps, Targets: d.Targets}, added, nil
}

// Retrain fine-tunes m ("revise then retrain"): it saves m into cfg.Dir and
// resumes its training there (optimiser state included) for cfg.Steps more
// steps on RevisedData. With no revisions it is the control: the same
// fine-tuning without the revised captions. m is not changed; the
// fine-tuned model is returned.
func Retrain(ctx context.Context, m *captioner.Model, d *captioner.Data, revs []Revision, cfg RetrainConfig) (out *captioner.Model, res *captioner.TrainResult, err error) {
	defer recoverErr("revise then retrain", &err)
	if cfg.Backend == nil || cfg.Dir == "" || cfg.Steps < 1 {
		return nil, nil, fmt.Errorf("revise then retrain: needs a backend, a folder and ≥ 1 steps")
	}
	if cfg.TrainSplit == "" {
		cfg.TrainSplit = "train"
	}
	if cfg.Repeat == 0 {
		cfg.Repeat = 3
	}
	if latest, err := captioner.LatestCheckpoint(cfg.Dir); err != nil || latest != "" {
		if err == nil {
			err = fmt.Errorf("%s already holds checkpoint %s; use a new folder", cfg.Dir, latest)
		}
		return nil, nil, fmt.Errorf("revise then retrain: %w", err)
	}
	data, _, err := RevisedData(d, cfg.TrainSplit, revs, cfg.Repeat)
	if err != nil {
		return nil, nil, fmt.Errorf("revise then retrain: %w", err)
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("revise then retrain: %w", err)
	}
	if err := m.SaveFile(captioner.CheckpointPath(cfg.Dir, m.Step())); err != nil {
		return nil, nil, fmt.Errorf("revise then retrain: %w", err)
	}
	settings := fmt.Sprintf("%s=%d;%s=0;%s=0", captioner.ParamTrainSteps, m.Step()+int64(cfg.Steps),
		captioner.ParamEvalEvery, captioner.ParamCheckpointEvery)
	out, res, err = captioner.Train(ctx, data, captioner.TrainConfig{Backend: cfg.Backend, Dir: cfg.Dir, Settings: settings,
		TrainSplit: cfg.TrainSplit, ValSplit: "-", Log: cfg.Log})
	if err != nil {
		return nil, nil, fmt.Errorf("revise then retrain: %w", err)
	}
	return out, res, nil
}

// RetrainEval is one evaluation of revise then retrain (retrain.json).
type RetrainEval struct {
	Model string `json:"model"`
	Step  int64  `json:"step"`
	// CIDErD and BLEU4 on the held-out clips; Families the accuracy of the
	// concepts named, per family of the ground truth (where there is one).
	CIDErD   float64            `json:"cider_d"`
	BLEU4    float64            `json:"bleu4"`
	Families map[string]float64 `json:"families,omitempty"`
	// RevisedAsRevised is the fraction of revised clips the model captions
	// (without edits) as they were revised.
	RevisedAsRevised float64 `json:"revised_as_revised"`
}

// RetrainTable returns evals as a Markdown table with a column of accuracy
// per family of families.
func RetrainTable(evals []RetrainEval, families []string) string {
	var md strings.Builder
	md.WriteString("| model | step | CIDEr-D | BLEU-4 |")
	for _, fam := range families {
		fmt.Fprintf(&md, " %s acc. |", fam)
	}
	md.WriteString(" revised clips captioned as revised |\n| --- | ---: | ---: | ---: |" + strings.Repeat(" ---: |", len(families)+1) + "\n")
	for _, e := range evals {
		fmt.Fprintf(&md, "| %s | %d | %.4f | %.4f |", e.Model, e.Step, e.CIDErD, e.BLEU4)
		for _, fam := range families {
			fmt.Fprintf(&md, " %.3f |", e.Families[fam])
		}
		fmt.Fprintf(&md, " %.3f |\n", e.RevisedAsRevised)
	}
	return md.String()
}
