// Package videodata builds a dataset from a folder of videos and their
// captions: it pairs each video file with its clip id (the file name, or
// MSVD's mapping file), decodes N evenly sampled frames of every captioned
// clip with ffmpeg (pkg/video), fits the frozen frame encoder on the
// training clips' frames and encodes every clip.
//
// Work is kept on disk so that a kill at any point resumes: each clip's
// frames are written atomically as frames/<clip>.<stamp>.npy (uint8
// [T, S, S, 3]; the stamp changes with the video file and the decoding), and
// the encoded features are cached by the content of the decoded frames and
// the encoder's configuration. Extraction can be split into shards that run
// on different machines (Extract with a Shard, then Merge).
package videodata

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// Source says where the videos and their captions are.
type Source struct {
	// Videos is a folder of video files, one a clip, named by clip id (or by
	// the names of Mapping).
	Videos string `json:"videos"`
	// Captions are caption files or folders (MSVD .tsv, MSR-VTT
	// videodatainfo.json).
	Captions []string `json:"captions"`
	// Mapping, optional, maps video file names to clip ids, one
	// "<name> <id>" a line: MSVD's youtube_mapping.txt maps
	// -4wsuPCjDBc_5_15 to vid1.
	Mapping string `json:"mapping,omitempty"`
}

// Clip is a captioned clip with its video file.
type Clip struct {
	ID   string `json:"id"`
	Path string `json:"path"`
}

// Plan pairs captions with video files.
type Plan struct {
	// Captions are every caption read.
	Captions *corpus.Captions
	// Clips are the captioned clips that have a video file, sorted by id.
	Clips []Clip
	// Files counts the video files found; NoCaptions lists the clip ids of
	// those without captions, NoVideo the captioned clips without a video
	// (both sorted).
	Files      int
	NoCaptions []string
	NoVideo    []string
	// Ignored counts the files of the folder that are not videos (by their
	// extension: text, JSON, NumPy, images).
	Ignored int
}

// notVideo are extensions of files a video folder often holds besides the
// videos; every other file is given to ffmpeg.
var notVideo = map[string]bool{".txt": true, ".json": true, ".tsv": true, ".csv": true, ".md": true, ".npy": true,
	".py": true, ".sh": true, ".png": true, ".jpg": true, ".jpeg": true, ".html": true, ".tmp": true}

// NewPlan reads the captions and the mapping, lists the video folder and
// pairs them.
func NewPlan(src Source) (*Plan, error) {
	if src.Videos == "" {
		return nil, errors.New("no video folder given")
	}
	caps, err := corpus.LoadCaptions(src.Captions...)
	if err != nil {
		return nil, err
	}
	var mapping map[string]string
	if src.Mapping != "" {
		if mapping, err = ReadMapping(src.Mapping); err != nil {
			return nil, err
		}
	}
	entries, err := os.ReadDir(src.Videos)
	if err != nil {
		return nil, fmt.Errorf("reading the video folder: %w", err)
	}
	p := &Plan{Captions: caps}
	byID := map[string]string{}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || e.IsDir() {
			continue
		}
		ext := filepath.Ext(name)
		if notVideo[strings.ToLower(ext)] {
			p.Ignored++
			continue
		}
		stem := strings.TrimSuffix(name, ext)
		id := stem
		if v, ok := mapping[stem]; ok {
			id = v
		}
		if prev, ok := byID[id]; ok {
			return nil, fmt.Errorf("video folder %s: %s and %s are both clip %s; keep one file a clip", src.Videos, prev, name, id)
		}
		byID[id] = name
		p.Files++
		if _, ok := caps.ByClip[id]; !ok {
			p.NoCaptions = append(p.NoCaptions, id)
			continue
		}
		p.Clips = append(p.Clips, Clip{ID: id, Path: filepath.Join(src.Videos, name)})
	}
	for _, id := range caps.Clips {
		if _, ok := byID[id]; !ok {
			p.NoVideo = append(p.NoVideo, id)
		}
	}
	slices.SortFunc(p.Clips, func(a, b Clip) int { return strings.Compare(a.ID, b.ID) })
	slices.Sort(p.NoCaptions)
	slices.Sort(p.NoVideo)
	if p.Files == 0 {
		return nil, fmt.Errorf("video folder %s has no video files (%d other files ignored)", src.Videos, p.Ignored)
	}
	if len(p.Clips) == 0 {
		hint := ""
		if src.Mapping == "" {
			hint = "; MSVD's videos are named like -4wsuPCjDBc_5_15.avi: pass the mapping file (youtube_mapping.txt) with --mapping"
		}
		return nil, fmt.Errorf("no video of %s has captions: files name clips like %s, the captions %s%s",
			src.Videos, examples(p.NoCaptions), examples(caps.Clips), hint)
	}
	return p, nil
}

func examples(ids []string) string {
	if len(ids) > 3 {
		return strings.Join(ids[:3], ", ") + ", …"
	}
	return strings.Join(ids, ", ")
}

// Limits of a mapping file.
const (
	MaxMappingBytes = 64 << 20
	MaxMappingLine  = 4 << 10
)

// ReadMapping reads a mapping file: one "<video name> <clip id>" a line
// (separated by spaces or a tab; blank lines skipped).
func ReadMapping(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading the mapping file: %w", err)
	}
	defer f.Close()
	return ParseMapping(path, io.LimitReader(f, MaxMappingBytes+1))
}

// ParseMapping reads a mapping from r; name names it in errors.
func ParseMapping(name string, r io.Reader) (map[string]string, error) {
	m := map[string]string{}
	seen := map[string]int{} // clip id → line
	br := bufio.NewReaderSize(r, MaxMappingLine+1)
	total := 0
	for line := 1; ; line++ {
		text, err := br.ReadSlice('\n')
		total += len(text)
		if total > MaxMappingBytes {
			return nil, fmt.Errorf("%s: larger than %d MiB; expected one short line a clip", name, MaxMappingBytes>>20)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, fmt.Errorf("%s:%d: a line longer than %d bytes; expected \"<video name> <clip id>\"", name, line, MaxMappingLine)
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		fields := strings.Fields(string(text))
		switch {
		case len(fields) == 0:
		case len(fields) != 2:
			return nil, fmt.Errorf("%s:%d: %d fields; expected \"<video name> <clip id>\" (e.g. \"-4wsuPCjDBc_5_15 vid1\")", name, line, len(fields))
		case !validID(fields[1]):
			return nil, fmt.Errorf("%s:%d: clip id %q; expected a name without / or \\ that does not start with a dot", name, line, fields[1])
		default:
			if prev, ok := m[fields[0]]; ok && prev != fields[1] {
				return nil, fmt.Errorf("%s:%d: %s maps to %s, and to %s on an earlier line", name, line, fields[0], fields[1], prev)
			}
			if l, ok := seen[fields[1]]; ok && m[fields[0]] != fields[1] {
				return nil, fmt.Errorf("%s:%d: clip %s is also the clip of another video on line %d", name, line, fields[1], l)
			}
			m[fields[0]] = fields[1]
			seen[fields[1]] = line
		}
		if err != nil {
			break
		}
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("%s: no mapping lines; expected \"<video name> <clip id>\" a line", name)
	}
	return m, nil
}

// validID says whether id can name a file.
func validID(id string) bool {
	return id != "" && !strings.HasPrefix(id, ".") && !strings.ContainsAny(id, "/\\\x00") && len(id) <= 200
}
