// Package corpus reads and writes the data every stage of neurotopics shares:
// captions (MSVD lines, MSR-VTT videodatainfo.json), per-frame features and
// frames (.npy), the tokenizer, the vocabulary, and the join of captions,
// features and labels by clip id.
//
// Every loader returns an error that names the file, the line or field, what
// was expected and what was found. Nothing is dropped silently: whatever a
// loader skips is counted in the Report it returns.
package corpus
