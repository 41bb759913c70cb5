// Package synth generates neurotopics' embedded default corpus: short RGB
// clips of one or two coloured shapes doing one motion on one background,
// each with ten or so human-like captions and complete ground truth.
//
// Everything is drawn deterministically from Config.Seed: the same Config
// gives the same clips, captions and files, byte for byte, whatever the
// number of CPUs (every clip has its own PCG stream derived from the seed,
// its split and its index in the split, so changing the size of one split
// does not change the clips of another).
//
// # Concepts
//
// Every clip is described by concepts "family:value" from six families:
//
//	shape       circle square triangle star cross diamond heart
//	color       red orange yellow green cyan blue purple pink
//	size        small large            (≈0.30·Size and ≈0.47·Size across)
//	motion      left right up down grow shrink rotate bounce
//	count       one two
//	background  dark light striped
//
// The motion is the clip's action label: Action() is its index in Motions.
//
// Motions, over the whole clip: left/right/up/down translate in a straight
// line by 0.30–0.42·Size; grow scales the object ×1.7–1.9 from its size;
// shrink scales it by 1/1.7–1/1.9; rotate turns it by 100°–160° in place
// (clockwise or not); bounce moves it vertically as |sin| with two bounces
// and an amplitude of 0.30–0.40·Size, ending where it started. The size
// concept is the size at the start of the clip. Circles never rotate (a
// rotating circle looks still): a rotating clip has only non-circle shapes.
//
// Two-object clips (TwoObjectRate of the clips): both objects perform the
// same motion, which is the clip's action; their shape, colour and size are
// drawn independently (a third of the time the second is a copy of the
// first), and they are placed apart (side by side, one above the other, or
// diagonally for grow) so that they do not overlap more than a pixel or two.
// Two growing objects are both small, so that they fit in the frame.
//
// # Captions
//
// Captions are made by a grammar from the clip's concepts only (never from
// the action label): synonyms for every concept word, optional omission of
// colour, size, shape, count and background, several sentence forms and verb
// forms, and agreement for two objects ("two crimson boxes are sliding
// leftwards", "a red ball and a blue square both rise"). A NoiseRate fraction
// of captions are deliberately noisy, as real annotators' are: off-topic
// ("this video is short") or wrong in exactly one family ("wrong:color": a
// colour that is not in the clip). Clip.Noise records which.
//
// The lexicon maps each concept word back to its concept: WordConcept and
// ConceptsInCaption. No word belongs to two concepts.
//
// # Files
//
// Corpus.Write writes videodatainfo.json (MSR-VTT layout; category = action),
// frames_<split>.npy (uint8 [N,T,H,W,3]), ids_<split>.txt, groundtruth.json
// and groundtruth.csv. datasets/synthetic.md is the full specification.
package synth
