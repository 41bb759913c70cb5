package pipeline

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gomlx/compute"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/interpret"
	"github.com/neurotopics/neurotopics/pkg/report/runreport"
	"github.com/neurotopics/neurotopics/pkg/revise"
	"github.com/neurotopics/neurotopics/pkg/topics"
	"github.com/neurotopics/neurotopics/pkg/transfer"
)

// RunConfig says where and how a run goes; none of it changes its numbers.
type RunConfig struct {
	// Out is the report folder; stage outputs are cached in Out/stages.
	Out string
	// Force recomputes every stage even when its output exists.
	Force bool
	// Jobs is the number of stages run at the same time (≥ 1).
	Jobs int
	// NewBackend makes the backend each stage runs its models on (nil:
	// backend.New). Every stage gets one of its own: two trainings sharing
	// one Go backend ran up to 14% slower than on two.
	NewBackend func() (compute.Backend, error)
	// Log receives a line per stage; Progress the progress bar of one
	// running stage at a time (nil: none).
	Log, Progress io.Writer
	// Reproduce is the command line shown in the report.
	Reproduce string
}

// Summary is what a run produced.
type Summary struct {
	// Report is the report's index.html.
	Report string
	// Seconds is the run's wall time.
	Seconds float64
	// Results are the stages, in the order they finished.
	Results []*Result
}

// model is one captioner of the run and its stages' results.
type model struct {
	lambda              float64
	seed                int
	name                string
	train, eval, interp *Result
}

// Run runs every stage of plan over d — topics, the trainings, then eval and
// interpretation of every model, transfer of the first seed's models to the
// dataset's class labels, revision of the first interpretive model's wrong
// captions — at most cfg.Jobs at a time as soon as the stages they read are
// done, and writes the report. Stages found finished in cfg.Out/stages are
// reused; a training interrupted earlier resumes from its newest checkpoint.
// One run at a time holds cfg.Out: a second waits for the first.
func Run(ctx context.Context, d *dataset.Dataset, plan Plan, cfg RunConfig) (*Summary, error) {
	start := time.Now()
	newBackend := cfg.NewBackend
	if newBackend == nil {
		newBackend = backend.New
	}
	logw := cfg.Log
	if logw == nil {
		logw = io.Discard
	}
	progress := cfg.Progress
	if progress == nil {
		progress = io.Discard
	}
	release, err := LockDir(cfg.Out, func(holder string) { fmt.Fprintln(logw, holder) })
	if err != nil {
		return nil, err
	}
	defer release()
	stagesDir := filepath.Join(cfg.Out, "stages")
	r := &Runner{Root: stagesDir, Force: cfg.Force}
	// topics, 3 stages a model, revise, transfer (with labels), the report.
	nModels := len(plan.Lambdas) * len(plan.Seeds)
	sl := &stageLog{w: logw, of: 1 + 3*nModels + 2, r: r}
	if d.Labels != nil {
		sl.of++
	}
	// The dataset is the first stage every other one depends on: its key is
	// the hash of its content (or of the synthetic corpus' configuration).
	dataRes := &Result{Name: "data", Key: d.Key}

	// 1. topics.
	var topicsOut *topics.StageResult
	topicsRes, err := sl.do(Stage{Name: StageTopics, Config: plan.TopicsConfig(), After: []*Result{dataRes}, Run: func(dir string) error {
		log, closeLog := logFile(dir)
		defer closeLog()
		var err error
		topicsOut, err = topics.Stage(ctx, topics.StageInput{Data: d, Log: log}, plan.TopicsConfig(), dir)
		return err
	}})
	if err != nil {
		return nil, err
	}
	if topicsOut == nil {
		if topicsOut, err = topics.LoadStage(topicsRes.Dir); err != nil {
			return nil, err
		}
	}
	targets, err := captioner.LoadTargets(topicsRes.Dir)
	if err != nil {
		return nil, err
	}
	data := captioner.DataOf(d, targets)
	truth := topicsOut.Truth
	// On data without ground truth, units are dissected against the topic
	// labels, which correspond to themselves.
	topicConcepts := topicsOut.TopicConcepts
	if topicsOut.Derived {
		topicConcepts = nil
	}

	// 2. Train every model, then evaluate and interpret each, transfer the
	// first seed's models and revise the first interpretive model's wrong
	// captions.
	var models []*model
	var trains, later []*task
	for si, seed := range plan.Seeds {
		for i, lambda := range plan.Lambdas {
			m := &model{lambda: lambda, seed: seed, name: ModelName(lambda, seed)}
			models = append(models, m)
			tcfg, err := captioner.NewTrainStageConfig(plan.ModelSettings(lambda, seed))
			if err != nil {
				return nil, fmt.Errorf("settings %q: %w", plan.Settings, err)
			}
			train := &task{build: func(bar io.Writer) Stage {
				st := Stage{Name: StageTrain + m.name, Config: tcfg, After: []*Result{topicsRes}}
				key, err := Key(st)
				if err != nil {
					st.Run = func(string) error { return err }
					return st
				}
				// Checkpoints go to a folder outside the stage's temporary
				// one, so that an interrupted run resumes from them.
				ckpt := filepath.Join(stagesDir, "checkpoints", st.Name+"-"+key)
				st.Run = func(dir string) error {
					log, closeLog := logFile(dir)
					defer closeLog()
					b, err := newBackend()
					if err != nil {
						return err
					}
					in := captioner.TrainStageInput{Data: data, Backend: b, CheckpointDir: ckpt, Log: log,
						Notes: map[string]string{"data": d.Name, "data_key": d.Key}}
					if bar != io.Discard {
						in.Progress = bar
					}
					_, err = captioner.TrainStage(ctx, in, tcfg, dir)
					return err
				}
				return st
			}}
			train.done = func(res *Result) { m.train = res }
			trains = append(trains, train)

			ecfg := captioner.DefaultEvalConfig()
			ecfg.Baselines = si == 0 && i == 0 // the human ceiling and constant floor, once
			eval := &task{deps: []*task{train}, build: func(io.Writer) Stage {
				return Stage{Name: StageEval + m.name, Config: ecfg, After: []*Result{m.train}, Run: func(dir string) error {
					log, closeLog := logFile(dir)
					defer closeLog()
					b, err := newBackend()
					if err != nil {
						return err
					}
					_, err = captioner.EvalStage(ctx, captioner.EvalInput{Data: d, Targets: targets, Backend: b, Model: m.train.Dir, Log: log}, ecfg, dir)
					return err
				}}
			}}
			eval.done = func(res *Result) { m.eval = res }
			icfg := interpret.DefaultStageConfig()
			icfg.Clips, icfg.TrainClips, icfg.FigDir = plan.InterpretClips, plan.InterpretTrainClips, "plots"
			if lambda == 0 {
				icfg.Head = "probe" // a baseline's topic head is untrained
			}
			interp := &task{deps: []*task{train}, build: func(bar io.Writer) Stage {
				return Stage{Name: StageInterpret + m.name, Config: icfg, After: []*Result{m.train, topicsRes}, Run: func(dir string) error {
					log, closeLog := logFile(dir)
					defer closeLog()
					b, err := newBackend()
					if err != nil {
						return err
					}
					in := interpret.StageInput{Data: d, Backend: b, Model: m.train.Dir, Targets: targets,
						TopicConcepts: topicConcepts, TopicWords: topicsOut.TopicWords, Log: log}
					if bar != io.Discard {
						in.Progress = bar
					}
					_, err = interpret.RunStage(ctx, in, icfg, dir)
					return err
				}}
			}}
			interp.done = func(res *Result) { m.interp = res }
			later = append(later, eval, interp)
		}
	}
	// The interpretive model is the last λ of the first seed.
	last := len(plan.Lambdas) - 1
	base, interpModel := models[0], models[last]
	var transferRes, reviseRes *Result
	var extra []*task
	transferAbsent := ""
	if d.Labels == nil {
		transferAbsent = "the dataset has no class labels (the synthetic corpus has its action classes, MSR-VTT its categories; MSVD has none)."
	} else {
		tcfg := transfer.DefaultStageConfig()
		tcfg.Pools = []string{"mean", "mean+delta"}
		tcfg.Seeds = nil
		for s := 1; s <= plan.TransferSeeds; s++ {
			tcfg.Seeds = append(tcfg.Seeds, uint64(s))
		}
		tr := &task{deps: []*task{trains[0], trains[last]}, build: func(bar io.Writer) Stage {
			return Stage{Name: StageTransfer, Config: tcfg, After: []*Result{base.train, interpModel.train}, Run: func(dir string) error {
				log, closeLog := logFile(dir)
				defer closeLog()
				b, err := newBackend()
				if err != nil {
					return err
				}
				in := transfer.StageInput{Data: d, Backend: b, Interp: interpModel.train.Dir, Baseline: base.train.Dir, Log: log, Command: cfg.Reproduce}
				if bar != io.Discard {
					in.Progress = bar
				}
				_, err = transfer.RunStage(ctx, in, tcfg, dir)
				return err
			}}
		}}
		tr.done = func(res *Result) { transferRes = res }
		extra = append(extra, tr)
	}
	rcfg := plan.ReviseConfig()
	rv := &task{deps: trains[last : last+1], build: func(bar io.Writer) Stage {
		return Stage{Name: StageRevise, Config: rcfg, After: []*Result{interpModel.train, topicsRes}, Run: func(dir string) error {
			log, closeLog := logFile(dir)
			defer closeLog()
			b, err := newBackend()
			if err != nil {
				return err
			}
			in := revise.MeasureStageInput{Data: d, GroundTruth: truth, Backend: b, Model: interpModel.train.Dir,
				ConceptTopics: topicsOut.ConceptTopics, Log: log}
			if bar != io.Discard {
				in.Progress = bar
			}
			_, err = revise.MeasureStage(ctx, in, rcfg, dir)
			return err
		}}
	}}
	rv.done = func(res *Result) { reviseRes = res }
	extra = append(extra, rv)
	// Longest first: trainings, then the transfer and the revision, then the
	// others in order. Of the trainings, the paper's setting goes last: the
	// transfer and the revision wait for the baseline and the interpretive
	// model only, and run beside it.
	tasks := append(append(trainOrder(trains, models, plan), extra...), later...)
	if err := sl.runTasks(tasks, cfg.Jobs, progress); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("interrupted (finished stages and the newest training checkpoints are kept; run again to resume): %w", err)
		}
		return nil, err
	}

	// 3. The report.
	fmt.Fprintf(logw, "[%d/%d] report …\n", sl.of, sl.of)
	in := runreport.Input{Out: cfg.Out, Config: plan, Data: d.Name, GroundTruth: d.GroundTruth != nil,
		Lambdas: plan.Lambdas, Seeds: plan.Seeds, InterpLoss: plan.InterpLoss, ActivityL1: plan.ActivityL1, Paper: plan.Paper,
		TopicsK: plan.TopicsK, TopicsIterations: plan.TopicsIterations, Reproduce: cfg.Reproduce,
		TopicsDir: topicsRes.Dir, TransferAbsent: transferAbsent}
	if d.Join != nil && (len(d.Join.NoCaptions) > 0 || len(d.Join.NoFeatures) > 0 || d.GroundTruth == nil) {
		in.Join = d.Join
	}
	if d.Labels != nil {
		in.LabelsName = d.Labels.Name
	}
	if transferRes != nil {
		in.TransferDir = transferRes.Dir
	}
	if reviseRes != nil {
		in.ReviseDir = reviseRes.Dir
	}
	for _, res := range r.Results {
		in.Stages = append(in.Stages, runreport.Stage{Name: res.Name, Dir: res.Dir, Seconds: res.Seconds, Cached: res.Cached})
	}
	for _, m := range models {
		in.Models = append(in.Models, runreport.Model{Name: m.name, Lambda: m.lambda, Seed: m.seed, EvalDir: m.eval.Dir, InterpDir: m.interp.Dir})
	}
	if err := runreport.Write(in); err != nil {
		return nil, err
	}
	abs, _ := filepath.Abs(filepath.Join(cfg.Out, "index.html"))
	return &Summary{Report: abs, Seconds: time.Since(start).Seconds(), Results: r.Results}, nil
}

// logFile opens dir/log.txt for a stage's messages; on error it returns
// io.Discard.
func logFile(dir string) (io.Writer, func()) {
	f, err := createLog(filepath.Join(dir, "log.txt"))
	if err != nil {
		return io.Discard, func() {}
	}
	return f, func() { f.Close() }
}

// Reproduce formats the command line of a run for the report.
func Reproduce(args []string) string {
	return "neurotopics " + strings.Join(args, " ")
}

func createLog(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
}

// trainOrder returns the trainings in the order they start: those of
// models[i] (trains[i]'s model) in plan order, the paper's setting's after
// all others.
func trainOrder(trains []*task, models []*model, plan Plan) []*task {
	var first, paper []*task
	for i, t := range trains {
		if plan.IsPaper(models[i].lambda) {
			paper = append(paper, t)
		} else {
			first = append(first, t)
		}
	}
	return append(first, paper...)
}
