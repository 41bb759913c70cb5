package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/gomlx/compute"

	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/report"
)

// Files the transfer stage writes into its folder (besides the figures
// fewshot.png/.svg and confusion-<method>.png/.svg, and the report's
// index.html, metrics.json and config.json).
const (
	// ResultFile holds the Result (every number).
	ResultFile = "transfer.json"
	// MarkdownFile holds the accuracy tables as Markdown.
	MarkdownFile = "transfer.md"
	// SectionFile holds the report section (report.LoadSection).
	SectionFile = "section.json"
)

// StageConfig is the transfer stage's configuration. Marshalled to JSON it
// is the stage's cache key (pkg/pipeline hashes it with the keys of the
// stages it reads), so it holds every setting that changes the output, and
// nothing else.
type StageConfig struct {
	// Pools are the poolings of the frozen frame features compared beside
	// the semantic layers ("mean", "mean+delta"; none: no frame baseline).
	Pools []string `json:"pools"`
	// Shots are the training clips per class (0 = all); Seeds draw the
	// few-shot samples and seed end-to-end training.
	Shots []int    `json:"shots"`
	Seeds []uint64 `json:"seeds"`
	// TrainSplit's clips train the classifiers, TestSplit's are classified;
	// TrainLimit and TestLimit keep only the first clips of each (0 = all).
	TrainSplit string `json:"train_split"`
	TestSplit  string `json:"test_split"`
	TrainLimit int    `json:"train_limit"`
	TestLimit  int    `json:"test_limit"`
	// E2ESteps > 0 also trains the captioner's encoder end to end on the
	// labels for that many steps; E2ESettings are extra hyperparameters of
	// that network ("key=value;…").
	E2ESteps    int    `json:"e2e_steps"`
	E2ESettings string `json:"e2e_settings"`
	// Classifier configures the softmax classifiers of the probes.
	Classifier ClassifierConfig `json:"classifier"`
	// ConfusionShots are the shots of the confusion-matrix plots and the
	// per-class table (0 = all).
	ConfusionShots int `json:"confusion_shots"`
	// Workers is the number of goroutines fitting probes (0: GOMAXPROCS);
	// it does not change the results.
	Workers int `json:"-"`
}

// DefaultStageConfig compares mean-pooled frame features at 1, 5, 10 and all
// clips per class over seeds 1, 2, 3, training on "train" and testing on
// "test", without end-to-end training.
func DefaultStageConfig() StageConfig {
	c := DefaultConfig()
	return StageConfig{Pools: []string{PoolMean.String()}, Shots: c.Shots, Seeds: c.Seeds,
		TrainSplit: "train", TestSplit: "test", Classifier: DefaultClassifierConfig()}
}

// StageInput is what the transfer stage reads besides its configuration.
type StageInput struct {
	Data *dataset.Dataset
	// Labels are the classes to recognise; nil: Data.Labels.
	Labels  *dataset.Labels
	Backend compute.Backend
	// Interp and Baseline are the checkpoints (folder or .ntc) of the
	// interpretive (λ > 0) and the baseline (λ = 0) captioner; either may be
	// "".
	Interp, Baseline string
	// Command is the command line noted under the accuracy table and in
	// transfer.md ("": none).
	Command string
	// Progress receives a line per (method, shots, seed) fitted (nil: none).
	Progress io.Writer
	// Log receives messages (nil: discard).
	Log io.Writer
}

// RunStage compares the semantic layers of in's captioners, pooled frame
// features and end-to-end training on recognising the labels' classes, and
// writes into dir: transfer.json (the Result), transfer.md, section.json,
// fewshot.png/.svg, confusion-<method>.png/.svg, and index.html with
// metrics.json and config.json.
func RunStage(ctx context.Context, in StageInput, cfg StageConfig, dir string) (*Result, error) {
	res, err := runStage(ctx, in, cfg, dir)
	if err != nil {
		return nil, fmt.Errorf("transfer: %w", err)
	}
	return res, nil
}

// LoadResult reads the Result that RunStage wrote into dir.
func LoadResult(dir string) (*Result, error) {
	var r Result
	if err := corpus.ReadJSONFile(filepath.Join(dir, ResultFile), &r); err != nil {
		return nil, fmt.Errorf("loading the transfer result: %w", err)
	}
	return &r, nil
}

func runStage(ctx context.Context, in StageInput, cfg StageConfig, dir string) (*Result, error) {
	if in.Data == nil || in.Data.Features == nil || in.Data.Captions == nil {
		return nil, errors.New("no dataset (captions and features)")
	}
	if in.Interp == "" && in.Baseline == "" && len(cfg.Pools) == 0 {
		return nil, errors.New("nothing to compare: give the interpretive and/or baseline checkpoints, or poolings of the frame features")
	}
	if cfg.E2ESteps > 0 && in.Interp == "" && in.Baseline == "" {
		return nil, errors.New("end-to-end training needs the interpretive or baseline checkpoint (the architecture to train end to end)")
	}
	labels := in.Labels
	if labels == nil {
		labels = in.Data.Labels
	}
	if labels == nil {
		return nil, fmt.Errorf("dataset %s has no class labels to recognise: give a CSV of per-clip labels (--labels <csv> --label-column <name>), "+
			"or captions whose clips carry a category (MSR-VTT's videodatainfo.json)", in.Data.Name)
	}
	pools := make([]Pool, len(cfg.Pools))
	for i, name := range cfg.Pools {
		p, err := ParsePool(name)
		if err != nil {
			return nil, fmt.Errorf("pools: %w", err)
		}
		pools[i] = p
	}
	logw := in.Log
	if logw == nil {
		logw = io.Discard
	}
	logf := func(format string, args ...any) { fmt.Fprintf(logw, format+"\n", args...) }

	var interp, baseline *captioner.Model
	for _, c := range []struct {
		path string
		m    **captioner.Model
	}{{in.Interp, &interp}, {in.Baseline, &baseline}} {
		if c.path == "" {
			continue
		}
		if in.Backend == nil {
			return nil, errors.New("no backend to run the captioners")
		}
		m, err := captioner.Load(in.Backend, c.path)
		if err != nil {
			return nil, err
		}
		*c.m = m
	}

	d := &captioner.Data{Features: in.Data.Features, Captions: in.Data.Captions}
	trainIDs, testIDs := d.SplitIDs(cfg.TrainSplit), d.SplitIDs(cfg.TestSplit)
	if cfg.TrainLimit > 0 && len(trainIDs) > cfg.TrainLimit {
		trainIDs = trainIDs[:cfg.TrainLimit]
	}
	if cfg.TestLimit > 0 && len(testIDs) > cfg.TestLimit {
		testIDs = testIDs[:cfg.TestLimit]
	}
	task, err := NewTask(labels, trainIDs, testIDs)
	if err != nil {
		return nil, err
	}
	logf("task: %d classes, %d training and %d test clips", len(task.Classes), len(task.TrainIDs), len(task.TestIDs))
	var methods []Method
	all := task.AllIDs()
	for _, c := range []struct {
		m    *captioner.Model
		kind string
	}{{interp, "interpretive"}, {baseline, "baseline"}} {
		if c.m == nil {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		start := time.Now()
		x, err := SemanticFeatures(c.m, in.Data.Features, all)
		if err != nil {
			return nil, err
		}
		label := fmt.Sprintf("%s a (λ=%v)", c.kind, c.m.Param(captioner.ParamLambda))
		p, err := NewProbe(label, task, x, cfg.Classifier)
		if err != nil {
			return nil, err
		}
		methods = append(methods, p)
		logf("%s: encoded %d clips in %.1fs", label, len(all), time.Since(start).Seconds())
	}
	for _, pool := range pools {
		x, err := PooledFrames(in.Data.Features, all, pool)
		if err != nil {
			return nil, err
		}
		p, err := NewProbe("frame features ("+pool.String()+")", task, x, cfg.Classifier)
		if err != nil {
			return nil, err
		}
		methods = append(methods, p)
	}
	var e2eSettings string
	if cfg.E2ESteps > 0 {
		arch := interp
		if arch == nil {
			arch = baseline
		}
		e2eSettings = strings.Trim(ArchitectureSettings(arch)+";"+cfg.E2ESettings, ";")
		methods = append(methods, &EndToEnd{Label: fmt.Sprintf("end to end (%d steps)", cfg.E2ESteps), Backend: in.Backend,
			Features: in.Data.Features, Settings: e2eSettings, Steps: cfg.E2ESteps})
	}
	progress := func(s string) {
		if in.Progress != nil {
			fmt.Fprintln(in.Progress, s)
		}
	}
	start := time.Now()
	res, err := Run(ctx, task, methods, Config{Shots: cfg.Shots, Seeds: cfg.Seeds, Workers: cfg.Workers}, progress)
	if err != nil {
		return nil, err
	}
	elapsed := time.Since(start)
	res.Config.Workers = 0 // how the fits ran, not part of the result (LoadResult reads it back as 0)
	if err := writeStage(dir, in, cfg, task, res, e2eSettings, elapsed); err != nil {
		return nil, err
	}
	return res, nil
}

// writeStage writes the outputs of RunStage into dir.
func writeStage(dir string, in StageInput, cfg StageConfig, task *Task, res *Result, e2eSettings string, elapsed time.Duration) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	sec := &report.Section{ID: "transfer", Title: "Transfer to action recognition"}
	sec.Add(report.Table{Caption: "Test accuracy (mean ± sd over seeds) by features and training clips per class",
		Header: append([]string{"features / method"}, shotNames(cfg.Shots)...), Rows: accuracyRows(res), Note: in.Command})
	var md strings.Builder
	fmt.Fprintf(&md, "Transfer: %d classes, %d training and %d test clips (splits %s/%s), seeds %v, classifier %+v.\n\n",
		len(task.Classes), len(task.TrainIDs), len(task.TestIDs), cfg.TrainSplit, cfg.TestSplit, cfg.Seeds, cfg.Classifier)
	md.WriteString(res.Markdown())
	fmt.Fprintf(&md, "\nPer-class accuracy (%s, mean over seeds):\n\n%s", ShotsName(cfg.ConfusionShots), res.PerClassMarkdown(cfg.ConfusionShots))
	if in.Command != "" {
		fmt.Fprintf(&md, "\nCommand: `%s`\n", in.Command)
	}
	fpng, _, err := PlotFewShot(res, filepath.Join(dir, "fewshot"))
	if err != nil {
		return err
	}
	sec.Add(report.Figure{Path: filepath.Base(fpng), Caption: "Test accuracy by training clips per class (mean ± sd over seeds)", Width: 640})
	for _, name := range res.Methods() {
		c := res.Cell(name, cfg.ConfusionShots)
		if c == nil {
			continue
		}
		png, _, err := PlotConfusion(c, res.Classes, filepath.Join(dir, "confusion-"+slug(name)))
		if err != nil {
			return err
		}
		sec.Add(report.Figure{Path: filepath.Base(png), Caption: "Confusion matrix: " + name + ", " + ShotsName(cfg.ConfusionShots), Width: 420})
	}
	if err := corpus.WriteFileAtomic(filepath.Join(dir, MarkdownFile), func(w io.Writer) error {
		_, err := io.WriteString(w, md.String())
		return err
	}); err != nil {
		return err
	}
	if err := report.SaveSection(filepath.Join(dir, SectionFile), sec); err != nil {
		return err
	}
	if err := report.WriteJSON(filepath.Join(dir, ResultFile), res); err != nil {
		return err
	}
	rep := &report.Report{Title: "neurotopics: transfer to action recognition", Sections: []*report.Section{sec},
		Metrics: map[string]any{"transfer": res, "seconds": elapsed.Seconds()},
		Config: map[string]any{"interp": in.Interp, "baseline": in.Baseline, "pools": cfg.Pools, "shots": cfg.Shots, "seeds": cfg.Seeds,
			"classifier": cfg.Classifier, "e2e_steps": cfg.E2ESteps, "e2e_settings": e2eSettings, "train_split": cfg.TrainSplit, "test_split": cfg.TestSplit,
			"train_clips": len(task.TrainIDs), "test_clips": len(task.TestIDs)}}
	return rep.Write(dir)
}

func shotNames(shots []int) []string {
	out := make([]string, len(shots))
	for i, s := range shots {
		out[i] = ShotsName(s)
	}
	return out
}

func accuracyRows(r *Result) [][]string {
	var rows [][]string
	for _, m := range r.Methods() {
		row := []string{m}
		for _, s := range r.Config.Shots {
			if c := r.Cell(m, s); c != nil {
				row = append(row, fmt.Sprintf("%.3f ± %.3f", c.Mean, c.SD))
			}
		}
		rows = append(rows, row)
	}
	return rows
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// slug turns a method name into a file-name part.
func slug(s string) string {
	return strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
}
