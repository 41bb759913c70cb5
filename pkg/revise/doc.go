// Package revise puts a person in the loop of the captioner (step 5 of Dong
// et al., CVPR 2017): for one clip it explains the caption by the semantic
// units that drive each word, lets the caller edit those units — by number,
// or by topic through the units' interpretations — re-decodes, and returns
// the new caption with the changed words marked.
//
// Everything is a pure function of the clip's semantic layer a and the
// edits, so a notebook widget, the CLI and a batch measurement drive the
// same code:
//
//	r := revise.NewReviser(model, topics, stats)           // topics: what each unit stands for
//	ex, _ := r.Explain("synth05012", a, 3)                 // units behind each word (PDM)
//	rev, _ := r.Revise("synth05012", a, revise.Request{None: []string{"color:red"}, More: []string{"color:blue"}})
//	fmt.Println(rev.Before, "→", rev.Marked())             // "a [-red-] {+blue+} ball moves left"
//
// A Request (suppress/boost/set units; "none of" / "more of" topics) is
// resolved to unit Edits, which a Revision stores with the captions before
// and after; revisions are saved as JSON (SaveFile) and replayed exactly
// (Reviser.Replay). Retrain fine-tunes the captioner with revised captions
// as extra training data ("revise then retrain").
//
// Measure runs the automatic revision rule against a ground truth
// (dataset.GroundTruth: the synthetic corpus', or one derived from real
// data's references): for every clip whose caption names a concept the clip
// does not have (on the synthetic corpus a wrong colour, shape or motion),
// suppress the units interpreted as the wrong concept and boost those of the
// right one, and count fixes and damage against edits of random units of the
// same count (with stepwise strengths, MeasureConfig.Steps, every random
// edit gets the rule's search: it stops at its own first fix). MeasureStage
// is the pipeline's stage around it: it builds the reviser of a checkpoint
// (BuildReviser), measures a split and writes measure.json, measure.md and
// revisions.json.
package revise
