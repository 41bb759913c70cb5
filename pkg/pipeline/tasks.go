package pipeline

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"
)

// stageLog prints one line per stage: its number, name and time, or that
// its cached output was reused.
type stageLog struct {
	mu    sync.Mutex
	w     io.Writer
	n, of int
	r     *Runner
}

// next numbers a stage and prints its start.
func (l *stageLog) next(name string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	fmt.Fprintf(l.w, "[%d/%d] %s …\n", l.n, l.of, name)
	return l.n
}

func (l *stageLog) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, format, args...)
}

// do runs stage s through the runner and prints its line.
func (l *stageLog) do(s Stage) (*Result, error) {
	n := l.next(s.Name)
	res, err := l.r.Do(s)
	switch {
	case err != nil:
		l.printf("[%d/%d] %s failed\n", n, l.of, s.Name)
	case res.Cached:
		l.printf("[%d/%d] %s: cached (%s)\n", n, l.of, s.Name, res.Dir)
	default:
		l.printf("[%d/%d] %s: done in %.1fs\n", n, l.of, s.Name, res.Seconds)
	}
	return res, err
}

// task is a stage of the run that waits for others: build makes its stage
// once the stages of deps are done (their results are read then), with the
// writer its progress bar goes to; done receives its result.
type task struct {
	deps  []*task
	build func(bar io.Writer) Stage
	done  func(*Result)

	started, finished bool
}

// runTasks runs tasks, at most jobs at a time: each starts, in the order of
// tasks, as soon as its dependencies are done. One running task at a time
// draws its progress bar on bar; the others draw none. After a failure no
// new task starts; it returns the failures once the running tasks end.
func (l *stageLog) runTasks(tasks []*task, jobs int, bar io.Writer) error {
	type outcome struct {
		t      *task
		res    *Result
		err    error
		hadBar bool
	}
	finished := make(chan outcome)
	running, barFree := 0, true
	var errs []error
	for {
		for _, t := range tasks {
			if running >= max(1, jobs) || len(errs) > 0 {
				break
			}
			waiting := slices.ContainsFunc(t.deps, func(d *task) bool { return !d.finished })
			if t.started || waiting {
				continue
			}
			t.started = true
			running++
			w, hasBar := io.Discard, barFree
			if hasBar {
				w, barFree = bar, false
			}
			st := t.build(w)
			go func() {
				res, err := l.do(st)
				finished <- outcome{t, res, err, hasBar}
			}()
		}
		if running == 0 {
			break
		}
		o := <-finished
		running--
		barFree = barFree || o.hadBar
		if o.err != nil {
			errs = append(errs, o.err)
			continue
		}
		o.t.finished = true
		if o.t.done != nil {
			o.t.done(o.res)
		}
	}
	if len(errs) == 0 && slices.ContainsFunc(tasks, func(t *task) bool { return !t.finished }) {
		errs = append(errs, fmt.Errorf("internal: a task waits for one that is not in the list"))
	}
	return errors.Join(errs...)
}

// step runs a step that is not a cached stage and prints its line.
func (l *stageLog) step(name string, run func() error) error {
	n := l.next(name)
	start := time.Now()
	if err := run(); err != nil {
		l.printf("[%d/%d] %s failed\n", n, l.of, name)
		return err
	}
	l.printf("[%d/%d] %s: done in %.1fs\n", n, l.of, name, time.Since(start).Seconds())
	return nil
}
