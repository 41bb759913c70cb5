// Package video reads and writes video files through ffmpeg and ffprobe,
// run as subprocesses: Decode samples N frames evenly over a clip and
// resizes them, read as raw RGB from ffmpeg's pipe, with the file's facts
// (container, codec, size, frame rate, duration) from ffmpeg's description
// of its input; Probe asks ffprobe for the same facts (Decode asks it why a
// file fails); Write encodes frames into a lossless (FFV1 in Matroska) or
// lossy (H.264 in MP4) file.
//
// Any container and codec the installed ffmpeg reads is accepted. Memory is
// bounded whatever the clip's length: Decode keeps at most MaxKept resized
// frames (halving the kept frames when full), and reads at most
// MaxErrorBytes of ffmpeg's messages.
package video

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// Env variables that name the ffmpeg and ffprobe binaries (default: found on
// PATH).
const (
	EnvFFmpeg  = "NEUROTOPICS_FFMPEG"
	EnvFFprobe = "NEUROTOPICS_FFPROBE"
)

// InstallHint says how to install ffmpeg (and ffprobe, in the same package).
const InstallHint = "install it with `sudo apt-get install ffmpeg` (Debian/Ubuntu; scripts/install-ffmpeg.sh does this), " +
	"or point " + EnvFFmpeg + " and " + EnvFFprobe + " at the binaries"

// MaxErrorBytes bounds what is kept of ffmpeg's and ffprobe's messages.
const MaxErrorBytes = 4 << 10

// ErrNoFFmpeg is returned (wrapped) when ffmpeg or ffprobe is not installed.
var ErrNoFFmpeg = errors.New("ffmpeg not found")

// Tools are the ffmpeg and ffprobe binaries.
type Tools struct {
	FFmpeg, FFprobe string
}

// FindTools locates ffmpeg and ffprobe (EnvFFmpeg, EnvFFprobe, else PATH);
// the error names the install command.
func FindTools() (Tools, error) {
	var t Tools
	for _, b := range []struct {
		name, env string
		dst       *string
	}{{"ffmpeg", EnvFFmpeg, &t.FFmpeg}, {"ffprobe", EnvFFprobe, &t.FFprobe}} {
		name := b.name
		if v := os.Getenv(b.env); v != "" {
			name = v
		}
		p, err := exec.LookPath(name)
		if err != nil {
			return Tools{}, fmt.Errorf("%w: %s is not on PATH (%v); %s", ErrNoFFmpeg, name, err, InstallHint)
		}
		*b.dst = p
	}
	return t, nil
}

// Version returns the first line of `ffmpeg -version`.
func (t Tools) Version(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, t.FFmpeg, "-version").Output()
	if err != nil {
		return "", fmt.Errorf("%s -version: %w", t.FFmpeg, err)
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(line), nil
}

// limitedBuffer keeps the first max bytes written to it and counts the rest.
type limitedBuffer struct {
	buf     bytes.Buffer
	max     int
	dropped int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	room := b.max - b.buf.Len()
	if room > 0 {
		b.buf.Write(p[:min(room, len(p))])
	}
	if len(p) > room {
		b.dropped += len(p) - max(room, 0)
	}
	return len(p), nil
}

// String is the kept text on one line, with a note of what was cut.
func (b *limitedBuffer) String() string {
	s := strings.Join(strings.Fields(b.buf.String()), " ")
	if b.dropped > 0 {
		s += fmt.Sprintf(" … (%d more bytes)", b.dropped)
	}
	return s
}

// runErr describes a failed ffmpeg or ffprobe process.
func runErr(tool, path string, err error, stderr *limitedBuffer) error {
	msg := stderr.String()
	if msg == "" {
		msg = err.Error()
	}
	return fmt.Errorf("%s: %s failed: %s", path, tool, msg)
}

// drain reads r to its end, so that a process writing to it can exit.
func drain(r io.Reader) { _, _ = io.Copy(io.Discard, r) }
