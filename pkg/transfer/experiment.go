package transfer

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// Method learns a task from some of its training clips and predicts the
// test clips.
type Method interface {
	// Name names the method in tables ("interpretive λ=0.1", …).
	Name() string
	// FitPredict learns from the training clips train (indices into
	// task.TrainIDs) with seed and returns the predicted class of every test
	// clip, in task.TestIDs order.
	FitPredict(ctx context.Context, task *Task, train []int, seed uint64) ([]int, error)
}

// Probe is a softmax classifier on frozen features.
type Probe struct {
	Label string
	// Train and Test are the features of task.TrainIDs and task.TestIDs.
	Train, Test [][]float32
	Config      ClassifierConfig
}

// NewProbe returns a probe on features x of task.AllIDs() (training clips
// first, then test clips).
func NewProbe(label string, task *Task, x [][]float32, cfg ClassifierConfig) (*Probe, error) {
	n := len(task.TrainIDs)
	if len(x) != n+len(task.TestIDs) {
		return nil, fmt.Errorf("probe %q: %d feature rows for %d training and %d test clips", label, len(x), n, len(task.TestIDs))
	}
	return &Probe{Label: label, Train: x[:n:n], Test: x[n:], Config: cfg}, nil
}

// Name returns the probe's label.
func (p *Probe) Name() string { return p.Label }

// FitPredict trains the classifier on the rows train and predicts the test
// rows. The classifier uses no random numbers: seed only matters through
// train.
func (p *Probe) FitPredict(_ context.Context, task *Task, train []int, _ uint64) ([]int, error) {
	x := make([][]float32, len(train))
	y := make([]int, len(train))
	for j, i := range train {
		x[j], y[j] = p.Train[i], task.TrainY[i]
	}
	c, err := TrainClassifier(x, y, len(task.Classes), p.Config)
	if err != nil {
		return nil, fmt.Errorf("probe %q: %w", p.Label, err)
	}
	return c.Predict(p.Test)
}

// Config says which few-shot settings and seeds Run evaluates.
type Config struct {
	// Shots are the training clips per class (0 = all).
	Shots []int `json:"shots"`
	// Seeds draw the few-shot samples (and seed the methods).
	Seeds []uint64 `json:"seeds"`
	// Workers is the number of goroutines fitting pure methods (0:
	// GOMAXPROCS); it does not change the results.
	Workers int `json:"-"`
}

// DefaultConfig is 1, 5, 10 and all clips per class, seeds 1, 2, 3.
func DefaultConfig() Config {
	return Config{Shots: []int{1, 5, 10, 0}, Seeds: []uint64{1, 2, 3}}
}

// Cell is one method at one number of shots, over the seeds.
type Cell struct {
	Method string `json:"method"`
	// Shots per class (0 = all); TrainClips is the mean number of training
	// clips used.
	Shots      int     `json:"shots"`
	TrainClips float64 `json:"train_clips"`
	// Accuracy[s] is the test accuracy with seed Seeds[s]; Mean and SD their
	// mean and sample standard deviation.
	Seeds    []uint64  `json:"seeds"`
	Accuracy []float64 `json:"accuracy"`
	Mean     float64   `json:"mean"`
	SD       float64   `json:"sd"`
	// PerClass is the mean over seeds of each class's accuracy;
	// Confusion the sum over seeds of the confusion matrices.
	PerClass  []float64 `json:"per_class"`
	Confusion [][]int   `json:"confusion"`
}

// Result is the outcome of Run.
type Result struct {
	Classes    []string `json:"classes"`
	TrainClips int      `json:"train_clips"`
	TestClips  int      `json:"test_clips"`
	Config     Config   `json:"config"`
	Cells      []Cell   `json:"cells"`
}

// Pure is implemented by methods whose FitPredict shares no state between
// calls and uses no random numbers: its result depends on seed only through
// train. Run calls pure methods from several goroutines and fits them once
// per distinct training set (with all clips per class, every seed draws the
// same set).
type Pure interface {
	Method
	Pure() bool
}

// Pure reports that a probe's FitPredict is pure (see the Pure interface).
func (p *Probe) Pure() bool { return true }

// job is one (method, shots, seed) evaluation of Run.
type job struct {
	method      Method
	pure        bool // see Pure
	cell, seed  int  // indices into Result.Cells and Config.Seeds
	train       []int
	pred        []int
	err         error
	reuse       *job // an earlier job with the same pure method and training set
	done        chan struct{}
	description string
}

// Run evaluates every method at every number of shots with every seed.
// Pure methods (see Pure) run on cfg.Workers goroutines (0: GOMAXPROCS) and
// are fitted once per distinct training set; the others run one at a time.
// The result does not depend on the number of workers. progress, if not
// nil, receives a line per (method, shots, seed), in that order, once every
// fit is done.
func Run(ctx context.Context, task *Task, methods []Method, cfg Config, progress func(string)) (*Result, error) {
	if len(cfg.Shots) == 0 || len(cfg.Seeds) == 0 {
		return nil, fmt.Errorf("transfer: need at least one number of shots and one seed")
	}
	if len(methods) == 0 {
		return nil, fmt.Errorf("transfer: no methods")
	}
	seen := map[string]bool{}
	for _, m := range methods {
		if seen[m.Name()] {
			return nil, fmt.Errorf("transfer: two methods are named %q; names identify the rows of the results", m.Name())
		}
		seen[m.Name()] = true
	}
	C := len(task.Classes)
	res := &Result{Classes: task.Classes, TrainClips: len(task.TrainIDs), TestClips: len(task.TestIDs), Config: cfg}

	// Every evaluation as a job; a pure method's job with a training set seen
	// before reuses that job's predictions.
	var jobs []*job
	for _, m := range methods {
		pure := isPure(m)
		bySet := map[string]*job{}
		for _, shots := range cfg.Shots {
			cell := Cell{Method: m.Name(), Shots: max(0, shots), Seeds: cfg.Seeds, PerClass: make([]float64, C), Confusion: make([][]int, C)}
			for k := range cell.Confusion {
				cell.Confusion[k] = make([]int, C)
			}
			res.Cells = append(res.Cells, cell)
			for si, seed := range cfg.Seeds {
				j := &job{method: m, pure: pure, cell: len(res.Cells) - 1, seed: si, train: SampleShots(task.TrainY, C, shots, seed),
					done: make(chan struct{}), description: fmt.Sprintf("%s, %s, seed %d", m.Name(), ShotsName(shots), seed)}
				if pure {
					key := fmt.Sprint(j.train)
					j.reuse = bySet[key]
					if j.reuse == nil {
						bySet[key] = j
					}
				}
				jobs = append(jobs, j)
			}
		}
	}

	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var errMu sync.Mutex
	var firstErr error // the first failed fit, in time
	fit := func(j *job) {
		defer close(j.done)
		if j.reuse != nil {
			<-j.reuse.done
			j.pred, j.err = j.reuse.pred, j.reuse.err
			return
		}
		if err := ctx.Err(); err != nil {
			j.err = err
			return
		}
		j.pred, j.err = j.method.FitPredict(ctx, task, j.train, cfg.Seeds[j.seed])
		if j.err != nil && ctx.Err() == nil {
			errMu.Lock()
			if firstErr == nil {
				firstErr = fmt.Errorf("transfer: %s: %w", j.description, j.err)
			}
			errMu.Unlock()
			cancel() // the other jobs stop
		}
	}
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	queue := make(chan *job)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range queue {
				fit(j)
			}
		})
	}
	// Pure jobs go to the workers; the others run here, one at a time,
	// beside them.
	go func() {
		for _, j := range jobs {
			if j.pure {
				queue <- j
			}
		}
		close(queue)
	}()
	for _, j := range jobs {
		if !j.pure {
			fit(j)
		}
	}
	wg.Wait()

	if firstErr != nil {
		return nil, firstErr
	}
	if err := parent.Err(); err != nil {
		return res, err
	}
	for _, j := range jobs {
		e, err := Evaluate(j.pred, task.TestY, task.Classes)
		if err != nil {
			return nil, fmt.Errorf("transfer: %s: %w", j.method.Name(), err)
		}
		if progress != nil {
			progress(fmt.Sprintf("%s: accuracy %.4f (%d training clips)", j.description, e.Accuracy, len(j.train)))
		}
		cell := &res.Cells[j.cell]
		cell.Accuracy = append(cell.Accuracy, e.Accuracy)
		cell.TrainClips += float64(len(j.train)) / float64(len(cfg.Seeds))
		for k := range C {
			cell.PerClass[k] += e.PerClass[k] / float64(len(cfg.Seeds))
			for p := range C {
				cell.Confusion[k][p] += e.Confusion[k][p]
			}
		}
	}
	for i := range res.Cells {
		res.Cells[i].Mean, res.Cells[i].SD = MeanSD(res.Cells[i].Accuracy)
	}
	return res, nil
}

func isPure(m Method) bool {
	p, ok := m.(Pure)
	return ok && p.Pure()
}

// ShotsName names a number of shots: "1-shot", …, "all".
func ShotsName(shots int) string {
	if shots <= 0 {
		return "all"
	}
	return fmt.Sprintf("%d-shot", shots)
}

// Cell returns the cell of method at shots, or nil.
func (r *Result) Cell(method string, shots int) *Cell {
	for i := range r.Cells {
		if r.Cells[i].Method == method && r.Cells[i].Shots == max(0, shots) {
			return &r.Cells[i]
		}
	}
	return nil
}

// Methods returns the method names in the order they were run.
func (r *Result) Methods() []string {
	var out []string
	for _, c := range r.Cells {
		if !slices.Contains(out, c.Method) {
			out = append(out, c.Method)
		}
	}
	return out
}

// Markdown returns the accuracy table: one row per method, one column per
// number of shots, "mean ± sd" over the seeds.
func (r *Result) Markdown() string {
	var b strings.Builder
	b.WriteString("| features / method |")
	for _, s := range r.Config.Shots {
		fmt.Fprintf(&b, " %s |", ShotsName(s))
	}
	b.WriteString("\n| --- |")
	for range r.Config.Shots {
		b.WriteString(" ---: |")
	}
	b.WriteString("\n")
	for _, m := range r.Methods() {
		fmt.Fprintf(&b, "| %s |", m)
		for _, s := range r.Config.Shots {
			if c := r.Cell(m, s); c != nil {
				fmt.Fprintf(&b, " %.3f ± %.3f |", c.Mean, c.SD)
			} else {
				b.WriteString(" – |")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// PerClassMarkdown returns the per-class accuracy (mean over seeds) of every
// method at shots: one row per method, one column per class.
func (r *Result) PerClassMarkdown(shots int) string {
	var b strings.Builder
	b.WriteString("| features / method |")
	for _, c := range r.Classes {
		fmt.Fprintf(&b, " %s |", c)
	}
	b.WriteString("\n| --- |")
	for range r.Classes {
		b.WriteString(" ---: |")
	}
	b.WriteString("\n")
	for _, m := range r.Methods() {
		c := r.Cell(m, shots)
		if c == nil {
			continue
		}
		fmt.Fprintf(&b, "| %s |", m)
		for _, v := range c.PerClass {
			fmt.Fprintf(&b, " %.3f |", v)
		}
		b.WriteString("\n")
	}
	return b.String()
}
