package captioner

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/dataset"
)

// tinyGroundTruth names the colours of tinyCaptions: a clip has the colours
// of its first caption.
func tinyGroundTruth(d *Data) *dataset.GroundTruth {
	colors := []string{"red", "blue", "green", "yellow", "purple", "orange"}
	g := &dataset.GroundTruth{Families: []dataset.Family{{Name: "color"}}, ByClip: map[string][]string{}, Lexicon: map[string]string{}}
	for _, c := range colors {
		g.Families[0].Concepts = append(g.Families[0].Concepts, "color:"+c)
		g.Lexicon[c] = "color:" + c
	}
	for _, id := range d.Captions.Clips {
		g.ByClip[id] = g.ConceptsInCaption(d.Captions.ByClip[id][0])
	}
	return g
}

func TestEvalStage(t *testing.T) {
	d := tinyData(8, 2, 8, 12, 3)
	b := testBackend(t)
	m, _ := trainTiny(t, d, "train_steps=40", "")
	model := filepath.Join(t.TempDir(), "model.ntc")
	if err := m.SaveFile(model); err != nil {
		t.Fatal(err)
	}
	ds := &dataset.Dataset{Name: "tiny", Captions: d.Captions, Features: d.Features}
	withTruth := *ds
	withTruth.GroundTruth = tinyGroundTruth(d)
	in := EvalInput{Data: ds, Targets: d.Targets, Backend: b, Model: model}
	for _, c := range []struct {
		name     string
		edit     func(*EvalInput)
		cfg      EvalConfig
		beam     int
		families bool
		err      string
	}{
		{name: "greedy", cfg: EvalConfig{Split: "val", Beam: 1}, beam: 1},
		{name: "baselines and ground truth", edit: func(in *EvalInput) { in.Data = &withTruth },
			cfg: EvalConfig{Split: "val", Limit: 6, MaxWords: 8, Baselines: true}, beam: 5, families: true},
		{name: "no targets", edit: func(in *EvalInput) { in.Targets = nil }, cfg: DefaultEvalConfig(), err: "no targets"},
		{name: "no model", edit: func(in *EvalInput) { in.Model = "" }, cfg: DefaultEvalConfig(), err: "no model"},
		{name: "missing model", edit: func(in *EvalInput) { in.Model = filepath.Join(t.TempDir(), "none.ntc") }, cfg: DefaultEvalConfig(), err: "none.ntc"},
		{name: "no split", cfg: EvalConfig{}, err: "no split"},
		{name: "empty split", cfg: DefaultEvalConfig(), err: `split "test" has no clips`},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := in
			if c.edit != nil {
				c.edit(&in)
			}
			dir := t.TempDir()
			rep, err := EvalStage(context.Background(), in, c.cfg, dir)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v; want one containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// The numbers are the model's own evaluation.
			opts := c.cfg.DecodeOptions(m)
			r, err := m.Evaluate(d, c.cfg.Split, opts, c.cfg.Limit)
			if err != nil {
				t.Fatal(err)
			}
			want := scoreMap(r.Captions)
			want["topic_mAP"], want["caption_NLL"], want["word_NLL"], want["interp_loss"] = r.TopicMAP, r.CaptionNLL, r.WordNLL, r.Interp
			if want["topic_mAP_probe"], err = m.ProbeTopicMAP(d, "train", c.cfg.Split, 0); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(rep.Scores, want) {
				t.Errorf("scores %v; want %v", rep.Scores, want)
			}
			if rep.Beam != c.beam || opts.Beam != c.beam || rep.Clips != r.Clips || rep.Step != 40 || rep.Model != model || rep.Split != c.cfg.Split {
				t.Errorf("report %+v", rep)
			}
			if got := len(rep.Families) > 0; got != c.families {
				t.Errorf("families %+v; want some: %v", rep.Families, c.families)
			} else if got {
				f := withTruth.GroundTruth.FamilyAccuracy(r.Generated)[0]
				if rep.Families[0] != (FamilyJSON{f.Family, f.Accuracy(), f.MentionRate(), f.Named}) {
					t.Errorf("family %+v; want %+v", rep.Families[0], f)
				}
			}
			if c.cfg.Baselines {
				text, floor, err := ConstantFloor(d, "val", c.cfg.Split, 50)
				if err != nil {
					t.Fatal(err)
				}
				if rep.FloorText != text || !reflect.DeepEqual(rep.Floor, scoreMap(floor)) || rep.Ceiling["CIDEr-D"] <= 0 {
					t.Errorf("floor %q %v, ceiling %v; want %q %v", rep.FloorText, rep.Floor, rep.Ceiling, text, scoreMap(floor))
				}
			} else if rep.Floor != nil || rep.Ceiling != nil {
				t.Errorf("baselines without Baselines: %v %v", rep.Floor, rep.Ceiling)
			}
			// eval.json is the report as WriteJSON prints it, and LoadEval
			// reads it back.
			var buf bytes.Buffer
			if err := rep.WriteJSON(&buf); err != nil {
				t.Fatal(err)
			}
			file, err := os.ReadFile(filepath.Join(dir, EvalFile))
			if err != nil || !bytes.Equal(file, buf.Bytes()) {
				t.Fatalf("eval.json (%v):\n%s\nwant:\n%s", err, file, buf.Bytes())
			}
			loaded, err := LoadEval(dir)
			if err != nil {
				t.Fatal(err)
			}
			buf.Reset()
			if err := loaded.WriteJSON(&buf); err != nil || !bytes.Equal(buf.Bytes(), file) {
				t.Errorf("LoadEval gave a report that writes:\n%s", buf.Bytes())
			}
		})
	}
	if _, err := LoadEval(t.TempDir()); err == nil {
		t.Error("LoadEval of an empty folder succeeded")
	}
}
