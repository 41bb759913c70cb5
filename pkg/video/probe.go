package video

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os/exec"
	"strconv"
	"strings"
)

// Info are a video file's facts, from ffprobe.
type Info struct {
	// Format is the container ("matroska,webm", "mov,mp4,m4a,3gp,3g2,mj2").
	Format string `json:"format"`
	// Codec is the first video stream's codec ("h264", "ffv1").
	Codec string `json:"codec"`
	// Width and Height are the stream's size in pixels.
	Width  int `json:"width"`
	Height int `json:"height"`
	// FPS is the stream's frame rate (0 where unknown).
	FPS float64 `json:"fps"`
	// Duration is the file's duration in seconds (0 where unknown).
	Duration float64 `json:"duration"`
}

// MaxProbeBytes bounds ffprobe's output read by Probe.
const MaxProbeBytes = 64 << 10

// Probe asks ffprobe for path's container, first video stream and
// duration. A file ffprobe cannot read, or one without a video stream, is an
// error naming the file.
func (t Tools) Probe(ctx context.Context, path string) (Info, error) {
	cmd := exec.CommandContext(ctx, t.FFprobe, "-v", "error", "-select_streams", "v:0",
		"-show_entries", "stream=codec_type,codec_name,width,height,r_frame_rate,avg_frame_rate:format=duration,format_name",
		"-of", "json", "--", path)
	stderr := &limitedBuffer{max: MaxErrorBytes}
	stdout := &limitedBuffer{max: MaxProbeBytes}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return Info{}, ctx.Err()
		}
		return Info{}, runErr("ffprobe", path, err, stderr)
	}
	if stdout.dropped > 0 {
		return Info{}, fmt.Errorf("%s: ffprobe wrote more than %d bytes; expected a short JSON description", path, MaxProbeBytes)
	}
	return ParseProbe(path, stdout.buf.Bytes())
}

// ParseProbe reads ffprobe's JSON (-of json with the entries Probe asks
// for); path names the file in errors.
func ParseProbe(path string, data []byte) (Info, error) {
	var p struct {
		Streams []struct {
			CodecType string `json:"codec_type"`
			CodecName string `json:"codec_name"`
			Width     int    `json:"width"`
			Height    int    `json:"height"`
			RFrame    string `json:"r_frame_rate"`
			AvgFrame  string `json:"avg_frame_rate"`
		} `json:"streams"`
		Format struct {
			Name     string `json:"format_name"`
			Duration string `json:"duration"`
		} `json:"format"`
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return Info{}, fmt.Errorf("%s: reading ffprobe's description: %v", path, err)
	}
	info := Info{Format: p.Format.Name}
	if d, err := strconv.ParseFloat(p.Format.Duration, 64); err == nil && d > 0 && !math.IsInf(d, 0) {
		info.Duration = d
	}
	for _, s := range p.Streams {
		if s.CodecType != "" && s.CodecType != "video" {
			continue
		}
		if s.Width <= 0 || s.Height <= 0 {
			return Info{}, fmt.Errorf("%s: its video stream (%s) has size %dx%d; expected a positive width and height", path, s.CodecName, s.Width, s.Height)
		}
		info.Codec, info.Width, info.Height = s.CodecName, s.Width, s.Height
		info.FPS = rate(s.AvgFrame)
		if info.FPS == 0 {
			info.FPS = rate(s.RFrame)
		}
		return info, nil
	}
	return Info{}, fmt.Errorf("%s: no video stream (container %q); expected a file with a video track", path, p.Format.Name)
}

// rate parses "num/den" (0 where it is not a positive finite rate).
func rate(s string) float64 {
	num, den, ok := strings.Cut(s, "/")
	if !ok {
		den = "1"
	}
	n, err1 := strconv.ParseFloat(num, 64)
	d, err2 := strconv.ParseFloat(den, 64)
	if err1 != nil || err2 != nil || d == 0 {
		return 0
	}
	r := n / d
	if !(r > 0) || math.IsInf(r, 0) {
		return 0
	}
	return r
}

// ParseInfo reads the facts of input #0 and its first video stream from
// ffmpeg's description of its inputs (-v info): the "Input #0, <format>,
// from" line, "Duration: HH:MM:SS.ss" and the first "Stream #0:…: Video:
// <codec> …, WxH …, N fps" line. What it cannot find stays zero.
func ParseInfo(text string) Info {
	var info Info
	input := false
	for _, line := range strings.Split(text, "\n") {
		trim := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "Input #0, "):
			input = true
			f := strings.TrimPrefix(line, "Input #0, ")
			if i := strings.LastIndex(f, ", from "); i >= 0 {
				info.Format = f[:i]
			}
		case strings.HasPrefix(line, "Input #"), strings.HasPrefix(line, "Output #"), strings.HasPrefix(line, "Stream mapping"):
			input = false
		case !input:
		case strings.HasPrefix(trim, "Duration: "):
			d, _, _ := strings.Cut(strings.TrimPrefix(trim, "Duration: "), ",")
			var h, m int
			var sec float64
			if n, _ := fmt.Sscanf(d, "%d:%d:%f", &h, &m, &sec); n == 3 && h >= 0 && m >= 0 && sec >= 0 {
				info.Duration = float64(h)*3600 + float64(m)*60 + sec
			}
		case info.Codec == "" && strings.HasPrefix(trim, "Stream #0:") && strings.Contains(trim, ": Video: "):
			desc := trim[strings.Index(trim, ": Video: ")+len(": Video: "):]
			codec, _, _ := strings.Cut(desc, " ")
			info.Codec = strings.TrimSuffix(codec, ",")
			for _, part := range strings.Split(desc, ", ") {
				part = strings.TrimSpace(part)
				var w, h int
				var fps float64
				if info.Width == 0 {
					if n, _ := fmt.Sscanf(part, "%dx%d", &w, &h); n == 2 && w > 0 && h > 0 {
						info.Width, info.Height = w, h
					}
				}
				if f, ok := strings.CutSuffix(part, " fps"); ok {
					if v, err := strconv.ParseFloat(f, 64); err == nil && v > 0 && !math.IsInf(v, 0) {
						fps = v
						info.FPS = fps
					}
				}
			}
		}
	}
	if math.IsInf(info.Duration, 0) || math.IsNaN(info.Duration) {
		info.Duration = 0
	}
	return info
}

// lastMessages returns the last few lines of ffmpeg's output that are
// messages rather than its description of the streams, or err.
func lastMessages(text string, err error) string {
	var msgs []string
	for _, line := range strings.Split(text, "\n") {
		if line == "" || line[0] == ' ' || strings.HasPrefix(line, "Input #") || strings.HasPrefix(line, "Output #") ||
			strings.HasPrefix(line, "Stream mapping") || strings.HasPrefix(line, "frame=") || strings.HasPrefix(line, "video:") ||
			strings.HasPrefix(line, "Press [q]") {
			continue
		}
		msgs = append(msgs, strings.TrimSpace(line))
	}
	if len(msgs) > 3 {
		msgs = msgs[len(msgs)-3:]
	}
	if len(msgs) == 0 {
		if err != nil {
			return err.Error()
		}
		return "no message"
	}
	return strings.Join(msgs, "; ")
}
