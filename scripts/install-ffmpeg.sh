#!/usr/bin/env bash
# Installs ffmpeg and ffprobe from Debian when they are missing: the video
# path (neurotopics run --videos, features, export --videos) runs them as
# subprocesses. Idempotent. .ci/run and docker/Dockerfile run this script.
set -euo pipefail
if command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1; then
  exit 0
fi
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
echo "[install-ffmpeg] installing ffmpeg from Debian" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends ffmpeg >/dev/null
ffmpeg -version | head -1 >&2
