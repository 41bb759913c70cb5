// Package transfer reuses the captioner's semantic layer for video action
// recognition (step 4 of Dong et al., CVPR 2017) and measures how well it
// transfers.
//
// A Task is a labelled set of training and test clips (the synthetic corpus'
// motion classes, or any per-clip label column of real data). A Method learns
// from some of the training clips and predicts the class of every test clip:
//
//   - Probe is a softmax classifier (multinomial logistic regression, plain
//     Go, full-batch Adam, deterministic) on frozen features: the semantic
//     layer a of an interpretive (λ = 0.1) or baseline (λ = 0) captioner
//     (SemanticFeatures), or the frozen frame features pooled over time
//     (PooledFrames).
//   - EndToEnd trains the captioner's encoder and semantic layer with a
//     linear head from scratch on the labels (through captioner.Train, see
//     its doc for how).
//
// Run evaluates every method with 1, 5, 10 or all training clips per class
// (SampleShots) over several seeds and reports accuracy (mean ± sd over
// seeds), per-class accuracy and the confusion matrix (PlotConfusion draws
// it as PNG and SVG).
//
//	task, _ := transfer.NewTask(labels, trainIDs, testIDs)
//	x, _ := transfer.SemanticFeatures(model, features, task.AllIDs())
//	probe := transfer.NewProbe("interpretive λ=0.1", task, x, transfer.DefaultClassifierConfig())
//	res, _ := transfer.Run(ctx, task, []transfer.Method{probe}, transfer.DefaultConfig(), nil)
//	fmt.Print(res.Markdown())
//
// RunStage (stage.go) is all of that as the pipeline's transfer stage: over a
// dataset and its labels (*dataset.Labels), with the captioners' checkpoints,
// writing transfer.json, transfer.md, the figures and the report section.
package transfer
