package nbui

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gomlx/compute"
	"github.com/janpfeifer/gonb/gonbui"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/evalcap"
	"github.com/neurotopics/neurotopics/pkg/synth"
	"github.com/neurotopics/neurotopics/pkg/synthexp"
	"github.com/neurotopics/neurotopics/pkg/viz"
)

// WorkDirEnv names the environment variable that overrides WorkDir.
const WorkDirEnv = "NEUROTOPICS_NOTEBOOK_DIR"

// WorkDir is the folder where the notebooks keep the captioners they train,
// so that a later notebook reuses the model of an earlier one instead of
// training it again: $NEUROTOPICS_NOTEBOOK_DIR, or
// os.TempDir()/neurotopics-notebooks.
func WorkDir() string {
	if d := os.Getenv(WorkDirEnv); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "neurotopics-notebooks")
}

// QuickSettings are the captioner hyperparameters of quick mode: a small
// model trained for a few hundred steps (about half a minute on 2 cores).
const QuickSettings = "encoder_dim=96;decoder_dim=96;semantic_units=64;batch_size=32;learning_rate=0.004;warmup_steps=50;dropout=0.1;" +
	"train_steps=400;eval_every=100;eval_clips=40;checkpoint_every=0;beam_size=1"

// SynthConfig is the synthetic corpus and frame encoder of the notebooks:
// the defaults (5000/500/1000 clips), or in quick mode 300/40/100 clips
// with the frame encoder fitted on 600 frames. Encoded features are cached
// in the default cache folder, so only the first notebook encodes them.
func SynthConfig() synthexp.Config {
	cfg := synthexp.DefaultConfig()
	if Quick() {
		cfg.Synth.Train, cfg.Synth.Val, cfg.Synth.Test = 300, 40, 100
		cfg.Encoder.FitFrames = 600
	}
	return cfg
}

// TrainSettings returns the notebooks' captioner settings with interpretive
// weight λ = lambda: QuickSettings in quick mode, otherwise the captioner's
// defaults.
func TrainSettings(lambda float64) string {
	s := fmt.Sprintf("%s=%v", captioner.ParamLambda, lambda)
	if Quick() {
		s = QuickSettings + ";" + s
	}
	return s
}

// PrepareSynth generates the corpus of cfg and encodes its frames (or reads
// them from the cache), showing the progress.
func PrepareSynth(b compute.Backend, cfg synthexp.Config) (*synthexp.Prepared, error) {
	id := "prepare_" + gonbui.UniqueID()
	last := time.Time{}
	start := time.Now()
	shown := false
	p, err := synthexp.Prepare(b, cfg, func(done, total int) {
		if gonbui.IsNotebook && (time.Since(last) > 500*time.Millisecond || done == total) {
			last, shown = time.Now(), true
			gonbui.UpdateHTML(id, fmt.Sprintf("<p>encoding frames: %d / %d clips</p>", done, total))
		}
	})
	if err != nil {
		return nil, fmt.Errorf("preparing the synthetic corpus: %w", err)
	}
	how := "encoded"
	if p.Cached {
		how = "read from the cache"
	}
	msg := fmt.Sprintf("Synthetic corpus: **%d clips** (%d train / %d val / %d test, seed %d); frame features of dim %d %s in %.1f s.",
		len(p.Corpus.Clips), cfg.Synth.Train, cfg.Synth.Val, cfg.Synth.Test, cfg.Synth.Seed, p.Data.Features.Dim, how, time.Since(start).Seconds())
	if shown {
		gonbui.UpdateHTML(id, "")
	}
	Markdown(msg)
	return p, nil
}

// ModelDir is the checkpoint folder of a captioner trained with settings on
// the features of p, under WorkDir: one folder per (corpus, encoder,
// settings), so a notebook finds the model another one trained.
func ModelDir(p *synthexp.Prepared, settings string) string {
	h := sha256.Sum256([]byte(settings))
	key := "synth"
	if p.FeatureDir != "" {
		key = filepath.Base(p.FeatureDir)
	}
	return filepath.Join(WorkDir(), fmt.Sprintf("captioner-%s-%s", key, hex.EncodeToString(h[:5])))
}

// noteKey is the model note holding the synthetic configuration, as
// `neurotopics train` writes it (so the CLI can evaluate these models).
const noteKey = "synthexp_config"

// Captioner returns the captioner trained with settings on p: the one in
// ModelDir if it finished training, otherwise it trains (or resumes) it
// there, with a live training plot (TrainLive). The result is nil when the
// model was loaded.
func Captioner(ctx context.Context, b compute.Backend, p *synthexp.Prepared, name, settings string) (*captioner.Model, *captioner.TrainResult, error) {
	dir := ModelDir(p, settings)
	if latest, err := captioner.LatestCheckpoint(dir); err == nil && latest != "" {
		m, err := captioner.Load(b, latest)
		if err != nil {
			return nil, nil, fmt.Errorf("captioner %s: %w", name, err)
		}
		if steps, ok := m.Param(captioner.ParamTrainSteps).(int); ok && m.Step() >= int64(steps) {
			Markdown(fmt.Sprintf("**%s**: loaded the trained model (step %d) from `%s`.", html.EscapeString(name), m.Step(), dir))
			return m, nil, nil
		}
	}
	return trainIn(ctx, b, p, name, settings, dir)
}

// TrainCaptioner trains a captioner with settings on p from scratch, with a
// live training plot (TrainLive), into ModelDir (whose old checkpoints it
// removes first), where Captioner finds it later.
func TrainCaptioner(ctx context.Context, b compute.Backend, p *synthexp.Prepared, name, settings string) (*captioner.Model, *captioner.TrainResult, error) {
	dir := ModelDir(p, settings)
	if old, err := captioner.ListCheckpoints(dir); err == nil {
		for _, f := range old {
			if err := os.Remove(f); err != nil {
				return nil, nil, fmt.Errorf("captioner %s: removing an old checkpoint: %w", name, err)
			}
		}
	}
	return trainIn(ctx, b, p, name, settings, dir)
}

// trainIn trains (or resumes) a captioner in dir with a live display.
func trainIn(ctx context.Context, b compute.Backend, p *synthexp.Prepared, name, settings, dir string) (*captioner.Model, *captioner.TrainResult, error) {
	note, err := json.Marshal(synthexpConfigOf(p))
	if err != nil {
		return nil, nil, fmt.Errorf("captioner %s: %w", name, err)
	}
	m, res, err := TrainLive(ctx, p.Data, captioner.TrainConfig{Backend: b, Dir: dir, Settings: settings,
		Notes: map[string]string{noteKey: string(note)}}, name)
	if err != nil {
		return nil, nil, fmt.Errorf("captioner %s: %w", name, err)
	}
	return m, res, nil
}

// synthexpConfigOf reconstructs the configuration of p for the model note.
func synthexpConfigOf(p *synthexp.Prepared) synthexp.Config {
	cfg := synthexp.Config{Synth: p.Corpus.Config}
	if p.Encoder != nil {
		cfg.Encoder = p.Encoder.Config
	}
	return cfg
}

// TrainLive runs captioner.Train with a live display: the training loss
// (per step and smoothed) and the validation loss against the step, the
// validations' CIDEr-D and topic mAP, and a table of the validations,
// redrawn at most every second and at each validation. Outside a notebook
// it prints the validation lines. cfg's OnStep and OnValidation hooks, if
// set, are still called.
func TrainLive(ctx context.Context, d *captioner.Data, cfg captioner.TrainConfig, title string) (*captioner.Model, *captioner.TrainResult, error) {
	lv := &liveTrain{id: "train_" + gonbui.UniqueID(), title: title, start: time.Now()}
	onStep, onVal := cfg.OnStep, cfg.OnValidation
	cfg.OnStep = func(r captioner.StepReport) {
		lv.steps = append(lv.steps, r)
		if time.Since(lv.drawn) >= time.Second {
			lv.draw("")
		}
		if onStep != nil {
			onStep(r)
		}
	}
	cfg.OnValidation = func(r captioner.ValidationReport) {
		lv.vals = append(lv.vals, r)
		if !gonbui.IsNotebook {
			fmt.Printf("%s: %s\n", title, r)
		}
		lv.draw("")
		if onVal != nil {
			onVal(r)
		}
	}
	m, res, err := captioner.Train(ctx, d, cfg)
	if err != nil {
		lv.draw("stopped: " + err.Error())
		return m, res, err
	}
	status := fmt.Sprintf("done: %d steps in %.0f s (median %.0f ms a step)", res.Steps, time.Since(lv.start).Seconds(),
		float64(res.StepTime.Microseconds())/1000)
	if res.Resumed > 0 {
		status += fmt.Sprintf(", resumed from step %d", res.Resumed)
	}
	lv.draw(status)
	if !gonbui.IsNotebook {
		fmt.Printf("%s: %s\n", title, status)
	}
	return m, res, nil
}

// liveTrain is the state of a TrainLive display.
type liveTrain struct {
	id, title   string
	start       time.Time
	drawn       time.Time
	steps       []captioner.StepReport
	vals        []captioner.ValidationReport
	failedChart bool
}

// draw redraws the display (only in a notebook).
func (lv *liveTrain) draw(status string) {
	lv.drawn = time.Now()
	if !gonbui.IsNotebook {
		return
	}
	var b strings.Builder
	b.WriteString(`<div class="neurotopics-train-live">`)
	fmt.Fprintf(&b, "<p><b>%s</b>", html.EscapeString(lv.title))
	if n := len(lv.steps); n > 0 {
		r := lv.steps[n-1]
		fmt.Fprintf(&b, ": step %d / %d · loss %.3f (smoothed) · caption NLL %.3f · interpretive %.4f · %.0f s",
			r.Step, r.TrainSteps, r.Smoothed, r.CaptionNLL, r.Interp, time.Since(lv.start).Seconds())
	}
	if status != "" {
		fmt.Fprintf(&b, " · <b>%s</b>", html.EscapeString(status))
	}
	b.WriteString("</p><div>")
	if !lv.failedChart {
		if img, err := lv.lossChart(); err == nil && img != "" {
			b.WriteString(img)
		} else if err != nil {
			lv.failedChart = true
			fmt.Fprintf(&b, "<p>(no chart: %s)</p>", html.EscapeString(err.Error()))
		}
		if img, err := lv.scoreChart(); err == nil && img != "" {
			b.WriteString(img)
		}
	}
	b.WriteString("</div>")
	if len(lv.vals) > 0 {
		b.WriteString(`<table class="neurotopics-validation"><tr><th>step</th><th>val loss</th><th>caption NLL</th><th>NLL / word</th><th>interpretive</th><th>topic mAP</th><th>CIDEr-D</th><th>clips</th></tr>`)
		for _, v := range lv.vals {
			fmt.Fprintf(&b, "<tr><td>%d</td><td>%.4f</td><td>%.3f</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%d</td></tr>",
				v.Step, v.Loss, v.CaptionNLL, v.WordNLL, v.Interp, v.TopicMAP, v.CIDErD, v.Clips)
		}
		b.WriteString("</table>")
	}
	b.WriteString("</div>")
	gonbui.UpdateHTML(lv.id, b.String())
}

// lossChart draws the training loss and the validation loss per caption.
func (lv *liveTrain) lossChart() (string, error) {
	if len(lv.steps) < 2 {
		return "", nil
	}
	every := max(1, len(lv.steps)/500)
	raw, smooth := plotter.XYs{}, plotter.XYs{}
	for k := 0; k < len(lv.steps); k += every {
		r := lv.steps[k]
		raw = append(raw, plotter.XY{X: float64(r.Step), Y: r.Loss})
		smooth = append(smooth, plotter.XY{X: float64(r.Step), Y: r.Smoothed})
	}
	val := plotter.XYs{}
	for _, v := range lv.vals {
		val = append(val, plotter.XY{X: float64(v.Step), Y: v.Loss})
	}
	return lineChart("Loss per caption", "step", "loss", []lineSeries{
		{Name: "train (batch)", XY: raw, Faint: true}, {Name: "train (smoothed)", XY: smooth}, {Name: "validation", XY: val, Points: true}})
}

// scoreChart draws the validations' CIDEr-D and topic mAP.
func (lv *liveTrain) scoreChart() (string, error) {
	if len(lv.vals) == 0 {
		return "", nil
	}
	cider, mAP := plotter.XYs{}, plotter.XYs{}
	for _, v := range lv.vals {
		cider = append(cider, plotter.XY{X: float64(v.Step), Y: v.CIDErD})
		mAP = append(mAP, plotter.XY{X: float64(v.Step), Y: v.TopicMAP})
	}
	return lineChart("Validation", "step", "score", []lineSeries{
		{Name: "CIDEr-D", XY: cider, Points: true}, {Name: "topic mAP", XY: mAP, Points: true}})
}

// lineSeries is one line of lineChart.
type lineSeries struct {
	Name   string
	XY     plotter.XYs
	Points bool // draw the points too
	Faint  bool // a light, thin line (raw values under a smoothed one)
}

// lineChart draws lines as an SVG <img> tag (a data URI).
func lineChart(title, xlabel, ylabel string, series []lineSeries) (string, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.Legend.Top = true
	for k, s := range series {
		if len(s.XY) == 0 {
			continue
		}
		c := viz.Palette[k%len(viz.Palette)]
		for _, xy := range s.XY {
			if math.IsNaN(xy.Y) || math.IsInf(xy.Y, 0) {
				return "", fmt.Errorf("line chart %q: series %q has a non-finite value", title, s.Name)
			}
		}
		if s.Points || len(s.XY) == 1 {
			l, pts, err := plotter.NewLinePoints(s.XY)
			if err != nil {
				return "", fmt.Errorf("line chart %q: %w", title, err)
			}
			l.Color, pts.Color = c, c
			p.Add(l, pts)
			p.Legend.Add(s.Name, l, pts)
			continue
		}
		l, err := plotter.NewLine(s.XY)
		if err != nil {
			return "", fmt.Errorf("line chart %q: %w", title, err)
		}
		l.Color = c
		if s.Faint {
			c.A = 90
			l.Color = c
			l.Width = vg.Points(0.5)
		}
		p.Add(l)
		p.Legend.Add(s.Name, l)
	}
	// From 0, with head room above the data for the legend.
	p.X.Min, p.Y.Min = math.Min(0, p.X.Min), math.Min(0, p.Y.Min)
	p.Y.Max = p.Y.Min + 1.35*(p.Y.Max-p.Y.Min)
	wt, err := p.WriterTo(11*vg.Centimeter, 7*vg.Centimeter, "svg")
	if err != nil {
		return "", fmt.Errorf("line chart %q: %w", title, err)
	}
	var buf bytes.Buffer
	if _, err := wt.WriteTo(&buf); err != nil {
		return "", fmt.Errorf("line chart %q: %w", title, err)
	}
	return fmt.Sprintf(`<img alt="%s" src="data:image/svg+xml;base64,%s">`, html.EscapeString(title), base64.StdEncoding.EncodeToString(buf.Bytes())), nil
}

// ModelEval is one captioner's evaluation on a split, for ShowEval and
// ShowCaptions.
type ModelEval struct {
	// Name names the model in tables.
	Name    string
	Metrics *captioner.Metrics
	// Families are the concept families named by its captions (synthetic
	// corpus).
	Families []synthexp.FamilyScore
}

// Evaluate scores m on the first maxClips clips of split of p (0: all) with
// decoding opts: caption metrics, topic mAP, losses, and the accuracy of the
// concept families its captions name.
func Evaluate(m *captioner.Model, p *synthexp.Prepared, name, split string, opts captioner.DecodeOptions, maxClips int) (*ModelEval, error) {
	r, err := m.Evaluate(p.Data, split, opts, maxClips)
	if err != nil {
		return nil, fmt.Errorf("evaluating %s: %w", name, err)
	}
	return &ModelEval{Name: name, Metrics: r, Families: synthexp.FamilyAccuracy(p.Corpus, r.Generated)}, nil
}

// ShowEval shows the models' metrics side by side: BLEU-1..4, METEOR-lite,
// ROUGE-L, CIDEr-D, topic mAP, the losses and the accuracy of the concept
// families named, with the human ceiling's caption metrics if not nil.
func ShowEval(evals []*ModelEval, ceiling *evalcap.Scores) {
	header := []string{"metric"}
	for _, e := range evals {
		header = append(header, e.Name)
	}
	if ceiling != nil {
		header = append(header, "human ceiling")
	}
	var rows [][]string
	for _, mt := range evalcap.Metrics() {
		row := []string{mt.String()}
		for _, e := range evals {
			row = append(row, scoreOr(e.Metrics.Captions, mt))
		}
		if ceiling != nil {
			row = append(row, fmt.Sprintf("%.4f", ceiling.Get(mt)))
		}
		rows = append(rows, row)
	}
	other := []struct {
		name string
		get  func(*captioner.Metrics) float64
	}{
		{"topic mAP", func(m *captioner.Metrics) float64 { return m.TopicMAP }},
		{"caption NLL", func(m *captioner.Metrics) float64 { return m.CaptionNLL }},
		{"NLL / word", func(m *captioner.Metrics) float64 { return m.WordNLL }},
		{"interpretive loss", func(m *captioner.Metrics) float64 { return m.Interp }},
	}
	for _, o := range other {
		row := []string{o.name}
		for _, e := range evals {
			row = append(row, fmt.Sprintf("%.4f", o.get(e.Metrics)))
		}
		if ceiling != nil {
			row = append(row, "")
		}
		rows = append(rows, row)
	}
	if len(evals) > 0 {
		for k, f := range evals[0].Families {
			row := []string{f.Family + " accuracy (mentioned)"}
			for _, e := range evals {
				if k < len(e.Families) {
					g := e.Families[k]
					row = append(row, fmt.Sprintf("%.3f (%.0f%%)", g.Accuracy(), 100*g.MentionRate()))
				}
			}
			if ceiling != nil {
				row = append(row, "")
			}
			rows = append(rows, row)
		}
	}
	clips := 0
	if len(evals) > 0 {
		clips = evals[0].Metrics.Clips
	}
	showTable("neurotopics-metrics", fmt.Sprintf("Caption metrics on %d clips", clips), header, rows)
}

// scoreOr formats one metric, or "–" without caption scores.
func scoreOr(s *evalcap.Scores, mt evalcap.Metric) string {
	if s == nil {
		return "–"
	}
	return fmt.Sprintf("%.4f", s.Get(mt))
}

// showTable shows a table with a CSS class (HTML in a notebook, aligned
// text outside). Cells are escaped.
func showTable(class, caption string, header []string, rows [][]string) {
	if !gonbui.IsNotebook {
		if caption != "" {
			fmt.Println(caption)
		}
		widths := make([]int, len(header))
		for _, r := range append([][]string{header}, rows...) {
			for i, c := range r {
				if i < len(widths) {
					widths[i] = max(widths[i], len([]rune(c)))
				}
			}
		}
		for _, r := range append([][]string{header}, rows...) {
			var parts []string
			for i, c := range r {
				if i < len(widths) {
					parts = append(parts, c+strings.Repeat(" ", widths[i]-len([]rune(c))))
				}
			}
			fmt.Println(strings.TrimRight(strings.Join(parts, "  "), " "))
		}
		return
	}
	displayHTML(tableHTML(class, caption, header, rows))
}

// tableHTML renders a table; cells are escaped.
func tableHTML(class, caption string, header []string, rows [][]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<table class="%s">`, html.EscapeString(class))
	if caption != "" {
		fmt.Fprintf(&b, "<caption>%s</caption>", html.EscapeString(caption))
	}
	b.WriteString("<tr>")
	for _, h := range header {
		fmt.Fprintf(&b, "<th>%s</th>", html.EscapeString(h))
	}
	b.WriteString("</tr>")
	for _, r := range rows {
		b.WriteString("<tr>")
		for _, c := range r {
			fmt.Fprintf(&b, "<td>%s</td>", html.EscapeString(c))
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</table>")
	return b.String()
}

// ShowCaptions shows, for clips ids of the synthetic corpus c, the frames,
// the ground-truth concepts, each model's generated caption and up to refs
// reference captions.
func ShowCaptions(c *synth.Corpus, evals []*ModelEval, ids []string, refs int) error {
	index := make(map[string]int, len(c.Clips))
	for i := range c.Clips {
		index[c.Clips[i].ID] = i
	}
	var b strings.Builder
	b.WriteString(`<table class="neurotopics-captions"><tr><th>clip</th><th>frames</th><th>generated</th><th>references</th></tr>`)
	T, S := c.Config.Frames, c.Config.Size
	for _, id := range ids {
		i, ok := index[id]
		if !ok {
			return fmt.Errorf("show captions: clip %q is not in the corpus", id)
		}
		clip := &c.Clips[i]
		img, err := viz.FrameStrip(c.Frames(i), T, S, S, 2, max(1, T/6))
		if err != nil {
			return fmt.Errorf("show captions: %w", err)
		}
		png, err := viz.PNG(img)
		if err != nil {
			return fmt.Errorf("show captions: %w", err)
		}
		var gen []string
		for _, e := range evals {
			g := e.Metrics.Generated[id]
			gen = append(gen, "<b>"+html.EscapeString(e.Name)+":</b> "+html.EscapeString(g))
			if !gonbui.IsNotebook {
				fmt.Printf("%s %s: %s\n", id, e.Name, g)
			}
		}
		var rs []string
		for k, s := range clip.Captions {
			if k == refs {
				break
			}
			rs = append(rs, html.EscapeString(s))
			if !gonbui.IsNotebook {
				fmt.Printf("%s reference: %s\n", id, s)
			}
		}
		fmt.Fprintf(&b, "<tr><td>%s<br><small>%s</small></td><td>%s</td><td>%s</td><td>%s</td></tr>",
			html.EscapeString(id), html.EscapeString(strings.Join(clip.Concepts(), " ")), viz.ImgTag(png, id),
			strings.Join(gen, "<br>"), strings.Join(rs, "<br>"))
	}
	b.WriteString("</table>")
	if gonbui.IsNotebook {
		displayHTML(b.String())
	}
	return nil
}
