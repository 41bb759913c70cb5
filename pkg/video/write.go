package video

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// Codecs Write encodes with.
const (
	// CodecFFV1 is lossless FFV1 in Matroska (.mkv), planar RGB: decoding
	// gives back the written bytes exactly.
	CodecFFV1 = "ffv1"
	// CodecH264 is lossy H.264 (libx264, yuv420p, CRF 18) in MP4 (.mp4), what
	// most real clips are.
	CodecH264 = "h264"
)

// Ext returns the file extension of codec's container.
func Ext(codec string) string {
	if codec == CodecH264 {
		return ".mp4"
	}
	return ".mkv"
}

// WriteConfig says how Write encodes.
type WriteConfig struct {
	// Codec is CodecFFV1 or CodecH264.
	Codec string
	// FPS is the frame rate. Default 12.
	FPS int
	// Scale enlarges each frame Scale times (nearest neighbour) before
	// encoding: H.264's 4:2:0 colour planes have half the resolution, which
	// a small frame cannot spare. Default 1.
	Scale int
}

// Write encodes T frames of h×w RGB bytes ([T, h, w, 3]) into path,
// atomically (a temporary file renamed into place).
func (t Tools) Write(ctx context.Context, path string, frames []byte, T, h, w int, cfg WriteConfig) error {
	if T < 1 || h < 1 || w < 1 || len(frames) != T*h*w*3 {
		return fmt.Errorf("writing %s: %d bytes for %d frames of %dx%d; expected %d", path, len(frames), T, h, w, T*h*w*3)
	}
	if cfg.FPS == 0 {
		cfg.FPS = 12
	}
	if cfg.Scale == 0 {
		cfg.Scale = 1
	}
	args := []string{"-nostdin", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
		"-s", fmt.Sprintf("%dx%d", w, h), "-r", strconv.Itoa(cfg.FPS), "-i", "-"}
	if cfg.Scale > 1 {
		args = append(args, "-vf", fmt.Sprintf("scale=%d:%d:flags=neighbor", w*cfg.Scale, h*cfg.Scale))
	}
	switch cfg.Codec {
	case CodecFFV1:
		args = append(args, "-c:v", "ffv1", "-pix_fmt", "gbrp", "-f", "matroska")
	case CodecH264:
		args = append(args, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "18", "-preset", "medium", "-threads", "1", "-f", "mp4")
	default:
		return fmt.Errorf("writing %s: codec %q; expected %q or %q", path, cfg.Codec, CodecFFV1, CodecH264)
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	args = append(args, "--", tmp)
	cmd := exec.CommandContext(ctx, t.FFmpeg, args...)
	cmd.Stdin = bytes.NewReader(frames)
	stderr := &limitedBuffer{max: MaxErrorBytes}
	cmd.Stderr = stderr
	if err := cmd.Run(); err != nil {
		os.Remove(tmp)
		return runErr("ffmpeg", path, err, stderr)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
