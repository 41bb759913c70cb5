package nbui

import (
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/pipeline"
)

// WorkDirEnv names the environment variable that overrides WorkDir.
const WorkDirEnv = "NEUROTOPICS_NOTEBOOK_DIR"

// WorkDir is the folder of the notebooks' runs: $NEUROTOPICS_NOTEBOOK_DIR,
// or os.TempDir()/neurotopics-notebooks. Every notebook runs the same
// pipeline into the same report folder under it, so a stage computed by one
// notebook is read back from its cache by the next.
func WorkDir() string {
	if d := os.Getenv(WorkDirEnv); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "neurotopics-notebooks")
}

// Setting is one run of the pipeline from a notebook: the synthetic corpus'
// sizes (when the dataset is the synthetic corpus), the pipeline's options
// and where the report goes. It is the notebooks' only definition of a run:
// RunArgs gives the `neurotopics run` flags of the same run, which writes
// the same metrics.json.
type Setting struct {
	// SynthTrain, SynthVal and SynthTest are the synthetic corpus' training,
	// validation and test clips, FitFrames the frames its frozen frame
	// encoder is fitted on (run's --synth-train, --synth-val, --synth-test,
	// --frame-fit-frames). Unused for other data.
	SynthTrain, SynthVal, SynthTest, FitFrames int
	// Options are the pipeline's options (run's other flags).
	Options pipeline.Options
	// Out is the report folder; stage outputs are cached in Out/stages.
	Out string
	// Cache is the folder caching encoded synthetic features ("": the
	// default, shared with `neurotopics run`). It changes no number.
	Cache string
	// Jobs is the number of stages run at the same time (0: as run's
	// default, up to 2). It changes no number.
	Jobs int
}

// QuickSetting is the notebooks' quick mode (NEUROTOPICS_QUICK=1, as CI
// runs them): a 100/20/40-clip corpus with the frame encoder fitted on 200
// frames, K = 12 topics, 30 training steps a model and one few-shot sample
// per transfer point — every stage in about a minute on 2 cores; its numbers
// only show that everything runs.
func QuickSetting() Setting {
	o := pipeline.DefaultOptions()
	o.Quick, o.Steps, o.TopicsK, o.TransferSeeds = true, 30, 12, 1
	return Setting{SynthTrain: 100, SynthVal: 20, SynthTest: 40, FitFrames: 200, Options: o,
		Out: filepath.Join(WorkDir(), "run-quick")}
}

// FullSetting is `neurotopics run` with its defaults: the default corpus
// (5000/500/1000 clips, the frame encoder fitted on 3000 frames) and
// pipeline.DefaultOptions.
func FullSetting() Setting {
	return Setting{SynthTrain: 5000, SynthVal: 500, SynthTest: 1000, FitFrames: 3000, Options: pipeline.DefaultOptions(),
		Out: filepath.Join(WorkDir(), "run")}
}

// NotebookSetting is the setting every notebook runs: QuickSetting in quick
// mode, otherwise FullSetting.
func NotebookSetting() Setting {
	if Quick() {
		return QuickSetting()
	}
	return FullSetting()
}

// jobs is the number of stages run at the same time.
func (s Setting) jobs() int {
	if s.Jobs > 0 {
		return s.Jobs
	}
	return min(2, runtime.NumCPU())
}

// RunArgs returns the flags of `neurotopics run` (after "run") that run the
// same pipeline as s over the synthetic corpus, or, when data is not nil,
// over the captions and features data names, sorted by flag name as run
// lists them in the report. Options at pipeline.DefaultOptions' values (run's
// flag defaults) are left out, and so are Out, Cache and Jobs: they change
// no number.
func (s Setting) RunArgs(data *dataset.Config) []string {
	o, def := s.Options, pipeline.DefaultOptions()
	flags := map[string]string{}
	// Options at run's defaults are left out, as a person would type it.
	for _, f := range []struct {
		name      string
		v, dflt   any
		formatted string
	}{
		{"seeds", o.Seeds, def.Seeds, strconv.Itoa(o.Seeds)},
		{"steps", o.Steps, def.Steps, strconv.Itoa(o.Steps)},
		{"topics-k", o.TopicsK, def.TopicsK, strconv.Itoa(o.TopicsK)},
		{"topics-alpha", o.TopicsAlpha, def.TopicsAlpha, strconv.FormatFloat(o.TopicsAlpha, 'g', -1, 64)},
		{"topics-label-k", o.TopicsLabelK, def.TopicsLabelK, strconv.Itoa(o.TopicsLabelK)},
		{"paper", o.Paper, def.Paper, strconv.FormatBool(o.Paper)},
		{"topic-head", o.TopicHead, def.TopicHead, o.TopicHead},
		{"free-units", o.FreeUnits, def.FreeUnits, strconv.Itoa(o.FreeUnits)},
		{"interp-set", o.InterpSettings, def.InterpSettings, o.InterpSettings},
		{"lambda", o.Lambda, def.Lambda, strconv.FormatFloat(o.Lambda, 'g', -1, 64)},
		{"interp-loss", o.InterpLoss, def.InterpLoss, o.InterpLoss},
		{"activity-l1", o.ActivityL1, def.ActivityL1, strconv.FormatFloat(o.ActivityL1, 'g', -1, 64)},
		{"set", o.Settings, def.Settings, o.Settings},
		{"interpret-clips", o.InterpretClips, def.InterpretClips, strconv.Itoa(o.InterpretClips)},
		{"transfer-seeds", o.TransferSeeds, def.TransferSeeds, strconv.Itoa(o.TransferSeeds)},
		{"revise-clips", o.ReviseClips, def.ReviseClips, strconv.Itoa(o.ReviseClips)},
	} {
		if f.v != f.dflt {
			flags[f.name] = f.formatted
		}
	}
	// The corpus' sizes are always given: run's defaults for them depend on
	// --quick.
	if data == nil {
		flags["synth-train"], flags["synth-val"] = strconv.Itoa(s.SynthTrain), strconv.Itoa(s.SynthVal)
		flags["synth-test"], flags["frame-fit-frames"] = strconv.Itoa(s.SynthTest), strconv.Itoa(s.FitFrames)
	} else {
		flags["captions"] = strings.Join(data.Captions, ",")
		flags["features"] = data.Features
		for name, v := range map[string]string{"ids": data.IDs, "ground-truth": data.GroundTruth} {
			if v != "" {
				flags[name] = v
			}
		}
		if data.MaxMissing != 0 {
			flags["max-missing"] = strconv.FormatFloat(data.MaxMissing, 'g', -1, 64)
		}
	}
	if o.Quick {
		flags["quick"] = ""
	}
	var args []string
	for _, name := range slices.Sorted(maps.Keys(flags)) {
		switch name {
		case "quick":
			args = append(args, "--quick")
		case "paper": // a boolean flag takes its value after "="
			args = append(args, "--paper="+flags[name])
		default:
			args = append(args, "--"+name, flags[name])
		}
	}
	return args
}

// Command is the command line of `neurotopics run` that runs the same
// pipeline as s (over the synthetic corpus, or data), without --out: run's
// flags with their values quoted, as the report shows it.
func (s Setting) Command(data *dataset.Config) string {
	args := s.RunArgs(data)
	out := []string{"run"}
	for k := 0; k < len(args); k++ {
		out = append(out, args[k])
		if args[k] != "--quick" && !strings.Contains(args[k], "=") && k+1 < len(args) {
			k++
			out = append(out, strconv.Quote(args[k]))
		}
	}
	return pipeline.Reproduce(out)
}
