package nbui

import (
	"context"
	"fmt"
	"html"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/gomlx/compute"
	"github.com/janpfeifer/gonb/gonbui"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/interpret"
	"github.com/neurotopics/neurotopics/pkg/pipeline"
	"github.com/neurotopics/neurotopics/pkg/report"
	"github.com/neurotopics/neurotopics/pkg/revise"
	"github.com/neurotopics/neurotopics/pkg/topics"
	"github.com/neurotopics/neurotopics/pkg/transfer"
)

// Run is a finished run of the pipeline: what it ran on and where each
// stage's output is. Its methods open the stages' outputs.
type Run struct {
	Setting Setting
	Data    *dataset.Dataset
	Plan    pipeline.Plan
	Backend compute.Backend
	Summary *pipeline.Summary

	models map[float64]*captioner.Model // loaded by Model
}

// Pipeline runs the whole pipeline of `neurotopics run` (pipeline.Run: the
// same stages, configurations and cache) with setting s over d, and shows
// its stage lines as they come, with the progress bar of the running stage.
// source describes d's source for the report's config.json. Stages found in
// s.Out/stages are reused, so the notebooks share one run: the first
// computes it, the others read it. An interrupt (the notebook's stop
// button) stops it; the next call resumes.
func Pipeline(ctx context.Context, b compute.Backend, d *dataset.Dataset, source any, s Setting) (*Run, error) {
	plan, err := pipeline.NewPlan(s.Options, d, source)
	if err != nil {
		return nil, err
	}
	if h := backend.SpeedHint(); h != "" {
		Markdown("*" + html.EscapeString(h) + "*")
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	var data *dataset.Config
	switch c := source.(type) {
	case dataset.Config:
		data = &c
	case *dataset.Config:
		data = c
	}
	disp := newRunDisplay()
	sum, err := pipeline.Run(ctx, d, plan, pipeline.RunConfig{Out: s.Out, Jobs: s.jobs(),
		Log: disp.logWriter(), Progress: disp.progressWriter(), Reproduce: s.Command(data)})
	if err != nil {
		disp.finish("failed: "+err.Error(), false)
		return nil, err
	}
	cached := 0
	for _, r := range sum.Results {
		if r.Cached {
			cached++
		}
	}
	status := fmt.Sprintf("pipeline done in %.1f s: %d stages run, %d read from the cache; report %s", sum.Seconds, len(sum.Results)-cached, cached, sum.Report)
	disp.finish(status, cached == len(sum.Results))
	return &Run{Setting: s, Data: d, Plan: plan, Backend: b, Summary: sum}, nil
}

// RunPipeline is Pipeline, then ShowReport of the run's report.
func RunPipeline(ctx context.Context, b compute.Backend, d *dataset.Dataset, source any, s Setting) (*Run, error) {
	r, err := Pipeline(ctx, b, d, source, s)
	if err != nil {
		return nil, err
	}
	return r, ShowReport(s.Out)
}

// runDisplay shows a run's stage lines and the running stage's progress
// bar: one HTML block, updated in place, in a notebook; the stage lines on
// stdout outside one.
type runDisplay struct {
	mu      sync.Mutex
	id      string
	lines   []string
	partial string // a stage line not yet ended
	bar     string // the newest text of the progress bar
	drawn   time.Time
}

func newRunDisplay() *runDisplay {
	return &runDisplay{id: "run_" + gonbui.UniqueID()}
}

// writerFunc adapts a function to io.Writer.
type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// logWriter receives the stage lines.
func (d *runDisplay) logWriter() io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		d.mu.Lock()
		defer d.mu.Unlock()
		text := d.partial + string(p)
		lines := strings.Split(text, "\n")
		d.partial = lines[len(lines)-1]
		for _, l := range lines[:len(lines)-1] {
			d.lines = append(d.lines, l)
			if !gonbui.IsNotebook {
				fmt.Println(l)
			}
		}
		d.draw("", false)
		return len(p), nil
	})
}

// ansi matches terminal escape sequences.
var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// progressWriter receives the progress bars (only drawn in a notebook).
func (d *runDisplay) progressWriter() io.Writer {
	if !gonbui.IsNotebook {
		return io.Discard
	}
	return writerFunc(func(p []byte) (int, error) {
		d.mu.Lock()
		defer d.mu.Unlock()
		text := ansi.ReplaceAllString(string(p), "")
		for _, part := range strings.FieldsFunc(text, func(r rune) bool { return r == '\r' || r == '\n' }) {
			if t := strings.TrimSpace(part); t != "" {
				d.bar = t
			}
		}
		if time.Since(d.drawn) >= 500*time.Millisecond {
			d.draw("", false)
		}
		return len(p), nil
	})
}

// draw redraws the block (the caller holds mu); with short, only the
// status is shown.
func (d *runDisplay) draw(status string, short bool) {
	if !gonbui.IsNotebook {
		return
	}
	d.drawn = time.Now()
	var b strings.Builder
	b.WriteString(`<div class="neurotopics-run">`)
	if !short {
		b.WriteString(`<pre style="margin:0">` + html.EscapeString(strings.Join(d.lines, "\n")) + "</pre>")
	}
	if status == "" && d.bar != "" {
		b.WriteString(`<pre class="neurotopics-progress" style="margin:0;color:#555">` + html.EscapeString(d.bar) + "</pre>")
	}
	if status != "" {
		b.WriteString("<p><b>" + html.EscapeString(status) + "</b></p>")
	}
	b.WriteString("</div>")
	gonbui.UpdateHTML(d.id, b.String())
}

// finish shows the final status (only it, when short) and waits until GoNB
// has it.
func (d *runDisplay) finish(status string, short bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !gonbui.IsNotebook {
		fmt.Println(status)
		return
	}
	d.draw(status, short)
	gonbui.Sync()
}

// StageDir returns the output folder of the run's stage name ("topics",
// "train-lambda0.1-seed1", "eval-…", "interpret-…", "transfer", "revise").
func (r *Run) StageDir(name string) (string, error) {
	for _, res := range r.Summary.Results {
		if res.Name == name {
			return res.Dir, nil
		}
	}
	var names []string
	for _, res := range r.Summary.Results {
		names = append(names, res.Name)
	}
	return "", fmt.Errorf("the run has no stage %q (its stages: %s)", name, strings.Join(names, ", "))
}

// ModelName names the run's model of interpretive weight lambda and its
// first seed, as its stages are named ("lambda0.1-seed1").
func (r *Run) ModelName(lambda float64) string {
	return pipeline.ModelName(lambda, r.Plan.Seeds[0])
}

// ShowStages shows a table of the run's stages whose name starts with
// prefix ("" for all): folder, seconds and whether it was read from the
// cache.
func (r *Run) ShowStages(prefix string) {
	var rows [][]string
	for _, res := range r.Summary.Results {
		if strings.HasPrefix(res.Name, prefix) {
			rows = append(rows, []string{res.Name, filepath.Base(res.Dir), fmt.Sprintf("%.1f", res.Seconds), fmt.Sprint(res.Cached)})
		}
	}
	showTable("neurotopics-stages", fmt.Sprintf("Stages of the run in %s", filepath.Join(r.Setting.Out, "stages")),
		[]string{"stage", "folder", "seconds", "cached"}, rows)
}

// ShowLog shows the log of the run's stage name (its log.txt).
func (r *Run) ShowLog(name string) error {
	dir, err := r.StageDir(name)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(filepath.Join(dir, "log.txt"))
	if err != nil {
		return fmt.Errorf("the log of stage %s: %w", name, err)
	}
	Pre(strings.TrimRight(string(b), "\n"))
	return nil
}

// Topics reads the topics stage.
func (r *Run) Topics() (*topics.StageResult, error) {
	dir, err := r.StageDir(pipeline.StageTopics)
	if err != nil {
		return nil, err
	}
	return topics.LoadStage(dir)
}

// Targets reads the targets the models were trained on: the clips' topic
// labels of the topics stage.
func (r *Run) Targets() (*captioner.Targets, error) {
	dir, err := r.StageDir(pipeline.StageTopics)
	if err != nil {
		return nil, err
	}
	return captioner.LoadTargets(dir)
}

// Model returns the trained model of interpretive weight lambda (first
// seed), loaded once from its train stage.
func (r *Run) Model(lambda float64) (*captioner.Model, error) {
	if m := r.models[lambda]; m != nil {
		return m, nil
	}
	dir, err := r.StageDir(pipeline.StageTrain + r.ModelName(lambda))
	if err != nil {
		return nil, err
	}
	m, err := captioner.Load(r.Backend, dir)
	if err != nil {
		return nil, fmt.Errorf("loading the model %s: %w", r.ModelName(lambda), err)
	}
	if r.models == nil {
		r.models = map[float64]*captioner.Model{}
	}
	r.models[lambda] = m
	return m, nil
}

// Eval reads the evaluation of the model of interpretive weight lambda.
func (r *Run) Eval(lambda float64) (*captioner.EvalReport, error) {
	dir, err := r.StageDir(pipeline.StageEval + r.ModelName(lambda))
	if err != nil {
		return nil, err
	}
	return captioner.LoadEval(dir)
}

// Interpretation reads the interpretation of the model of interpretive
// weight lambda: its units, its report section and the stage's folder (the
// section's figures are relative to it), for ShowNeurons.
func (r *Run) Interpretation(lambda float64) (*interpret.Result, *report.Section, string, error) {
	dir, err := r.StageDir(pipeline.StageInterpret + r.ModelName(lambda))
	if err != nil {
		return nil, nil, "", err
	}
	res, err := interpret.LoadResult(dir)
	if err != nil {
		return nil, nil, "", err
	}
	sec, err := report.LoadSection(filepath.Join(dir, interpret.SectionFile))
	if err != nil {
		return nil, nil, "", fmt.Errorf("interpret stage: %w", err)
	}
	return res, sec, dir, nil
}

// Transfer reads the transfer stage and returns its folder; ok is false
// when the dataset has no class labels (the run has no transfer stage).
func (r *Run) Transfer() (res *transfer.Result, dir string, ok bool, err error) {
	if r.Data.Labels == nil {
		return nil, "", false, nil
	}
	if dir, err = r.StageDir(pipeline.StageTransfer); err != nil {
		return nil, "", false, err
	}
	res, err = transfer.LoadResult(dir)
	return res, dir, err == nil, err
}

// Revision reads the revise stage's measurement of the automatic revision
// rule.
func (r *Run) Revision() (*revise.Measurement, error) {
	dir, err := r.StageDir(pipeline.StageRevise)
	if err != nil {
		return nil, err
	}
	return revise.LoadMeasurement(dir)
}

// Reviser builds the reviser of the model of interpretive weight lambda as
// the revise stage builds it: revise.BuildReviser with the stage's default
// configuration, the topics of each concept from the topics stage.
func (r *Run) Reviser(lambda float64) (*revise.Reviser, error) {
	m, err := r.Model(lambda)
	if err != nil {
		return nil, err
	}
	t, err := r.Topics()
	if err != nil {
		return nil, err
	}
	return revise.BuildReviser(revise.ReviserInput{Model: m, Data: captioner.DataOf(r.Data, nil), ConceptTopics: t.ConceptTopics},
		r.Plan.ReviseConfig().Reviser)
}
