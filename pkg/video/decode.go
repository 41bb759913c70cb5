package video

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
)

// DecodeConfig says how clips are sampled.
type DecodeConfig struct {
	// Frames is the number of frames sampled evenly over a clip. Default 12
	// (the synthetic corpus' clip length).
	Frames int `json:"frames"`
	// Size is the side of the square frames the video is resized to (the
	// aspect ratio is not kept: the whole picture is seen). Default 32.
	Size int `json:"size"`
}

// DefaultDecodeConfig samples 12 frames of 32×32 pixels, the synthetic
// corpus' clip shape, which the default frame encoder is made for.
func DefaultDecodeConfig() DecodeConfig { return DecodeConfig{Frames: 12, Size: 32} }

// MaxFrames and MaxSize bound DecodeConfig.
const (
	MaxFrames = 1024
	MaxSize   = 1024
)

// Validate reports a config out of range.
func (c DecodeConfig) Validate() error {
	if c.Frames < 1 || c.Frames > MaxFrames {
		return fmt.Errorf("frames per clip %d; expected 1..%d", c.Frames, MaxFrames)
	}
	if c.Size < 8 || c.Size > MaxSize {
		return fmt.Errorf("frame size %d; expected 8..%d pixels", c.Size, MaxSize)
	}
	return nil
}

// MaxKept is the most resized frames Decode holds at once, in units of
// DecodeConfig.Frames: a longer clip keeps every 2nd, 4th, … frame.
const MaxKept = 64

// Clip is a decoded clip.
type Clip struct {
	// Frames are T×Size×Size×3 bytes, RGB, row-major [T, H, W, 3].
	Frames []byte
	// T is the number of frames (DecodeConfig.Frames).
	T int
	// Size is the frame side.
	Size int
	// Decoded is the number of frames ffmpeg decoded from the file; fewer
	// than T means frames were repeated.
	Decoded int
	// Info are the file's facts.
	Info Info
}

// MaxInfoBytes bounds what Decode keeps of ffmpeg's description of its
// input and its messages.
const MaxInfoBytes = 64 << 10

// Decode decodes path's first video stream resized to cfg.Size×cfg.Size RGB,
// and keeps cfg.Frames frames sampled evenly over the clip: frame i of T is
// decoded frame ⌊(i+½)·F/T⌋ of the F decoded. A clip with fewer frames than
// T repeats frames. The file's facts (Clip.Info) are read from ffmpeg's own
// description of its input, the one ffprobe gives, so that a clip costs one
// process; when ffmpeg fails or yields no frame, ffprobe is asked why (no
// video stream, not a video), and the error names the file.
func (t Tools) Decode(ctx context.Context, path string, cfg DecodeConfig) (*Clip, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := strconv.Itoa(cfg.Size)
	cmd := exec.CommandContext(ctx, t.FFmpeg, "-nostdin", "-hide_banner", "-nostats", "-v", "info", "-threads", "1", "-i", path,
		"-map", "0:v:0", "-vf", "scale="+s+":"+s+":flags=area", "-f", "rawvideo", "-pix_fmt", "rgb24", "-")
	stderr := &limitedBuffer{max: MaxInfoBytes}
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: starting ffmpeg: %w", path, err)
	}
	kept, decoded, readErr := keepFrames(out, cfg.Size*cfg.Size*3, cfg.Frames*MaxKept)
	if readErr != nil {
		drain(out)
	}
	waitErr := cmd.Wait()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	text := stderr.buf.String()
	if waitErr != nil || readErr != nil || len(kept) == 0 {
		// ffprobe says what is wrong with a file that is not a video.
		info, perr := t.Probe(ctx, path)
		if perr != nil {
			return nil, perr
		}
		switch {
		case waitErr != nil:
			return nil, fmt.Errorf("%s: ffmpeg failed: %s", path, lastMessages(text, waitErr))
		case readErr != nil:
			return nil, fmt.Errorf("%s: reading ffmpeg's frames: %w", path, readErr)
		default:
			return nil, fmt.Errorf("%s: ffmpeg decoded no frame from its %s video stream (%s); the file is empty or damaged", path, info.Codec, lastMessages(text, nil))
		}
	}
	frameLen := cfg.Size * cfg.Size * 3
	c := &Clip{Frames: make([]byte, cfg.Frames*frameLen), T: cfg.Frames, Size: cfg.Size, Decoded: decoded, Info: ParseInfo(text)}
	for i := range cfg.Frames {
		k := (2*i + 1) * len(kept) / (2 * cfg.Frames)
		copy(c.Frames[i*frameLen:], kept[k])
	}
	return c, nil
}

// keepFrames reads frames of frameLen bytes from r, keeping at most limit:
// when full, every other kept frame is dropped and from then on only every
// stride-th frame is kept (stride doubling each time), so that the kept
// frames stay evenly spread over the clip. It returns the kept frames and the
// number of frames read.
func keepFrames(r io.Reader, frameLen, limit int) (kept [][]byte, n int, err error) {
	stride := 1
	scratch := make([]byte, frameLen)
	for ; ; n++ {
		if _, err := io.ReadFull(r, scratch); err != nil {
			if errors.Is(err, io.EOF) {
				return kept, n, nil
			}
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return kept, n, fmt.Errorf("the last frame is cut short after %d frames", n)
			}
			return kept, n, err
		}
		if n%stride != 0 {
			continue
		}
		if len(kept) == limit {
			half := kept[:0]
			for i := 0; i < len(kept); i += 2 {
				half = append(half, kept[i])
			}
			clear(kept[len(half):])
			kept = half
			stride *= 2
			if n%stride != 0 {
				continue
			}
		}
		kept = append(kept, append([]byte(nil), scratch...))
	}
}
