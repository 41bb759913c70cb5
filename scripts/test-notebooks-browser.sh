#!/usr/bin/env bash
# Runs the notebooks as a person does: Debian's Jupyter Notebook 6.4 serving
# this checkout on 127.0.0.1 with a random token, the GoNB kernel, and
# Debian's Chromium (headless) driven by puppeteer-core
# (scripts/browser/check-notebooks.mjs). Each notebook is opened, run with
# "Run All" and checked as shown on the page: no error output, no Go panic or
# stderr block, no failed shell command, every key output of
# metadata.neurotopics.expect, no broken image, no 404 in the server's log, no
# output that restyles the page (the notebook's own elements keep their size
# and font), and for revision widgets: the "after" caption equals "before"
# before any widget moved, every unit asked for has a slider whose label
# follows it, and moving sliders changes the caption. Screenshots go to a
# folder the script prints (CI artifacts). The server it starts is always
# stopped, and the notebooks in the tree are left as they were.
#
#   scripts/test-notebooks-browser.sh               # notebooks/*.ipynb, then the negative cases
#   scripts/test-notebooks-browser.sh notebooks/05_transfer_revision.ipynb
#   scripts/test-notebooks-browser.sh --negatives   # the negative cases alone
#
# The negative cases, scripts/browser/negatives/*.ipynb, each carry one fault
# (a broken image, a leaking <style>, a dead widget;
# metadata.neurotopics.browser_fault names the failure the checker must
# report): each passes only if the checker fails on it, with that failure.
#
# Environment: NEUROTOPICS_BROWSER_ARTIFACTS (the screenshots' folder;
# default a new folder under the temp folder), CHROMIUM (default
# /usr/bin/chromium). Installs what is missing: Jupyter and GoNB
# (docker/install-notebook-env.sh), chromium, nodejs and npm from Debian,
# and puppeteer-core at the version pinned by scripts/browser/package-lock.json
# (npm ci).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
negatives=0
if [ "${1:-}" = --negatives ]; then negatives=1; shift; fi
nbs=("$@")
if [ ${#nbs[@]} = 0 ]; then
  nbs=(scripts/browser/negatives/*.ipynb)
  [ $negatives = 1 ] || nbs=(notebooks/*.ipynb "${nbs[@]}")
fi

systmp=${TMPDIR:-/tmp}
tmp=$(mktemp -d "$systmp/neurotopics-browser.XXXXXX")
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. What the test needs.
export JUPYTER_DATA_DIR=$tmp/jupyter JUPYTER_CONFIG_DIR=$tmp/jupyter-config JUPYTER_RUNTIME_DIR=$tmp/jupyter-runtime
docker/install-notebook-env.sh
export PATH="$(go env GOPATH)/bin:$PATH"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
missing=()
command -v "${CHROMIUM:-chromium}" >/dev/null 2>&1 || missing+=(chromium)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} from Debian"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
CHROMIUM=$(command -v "${CHROMIUM:-chromium}")
lock=$(sha256sum scripts/browser/package-lock.json | cut -d' ' -f1)
if [ "$(cat scripts/browser/node_modules/.neurotopics-lock 2>/dev/null)" != "$lock" ]; then
  (cd scripts/browser && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  echo "$lock" > scripts/browser/node_modules/.neurotopics-lock
fi

# 2. The kernel's environment: quick mode, the SIMD build the Docker image
# uses, widgets on (a browser answers them) and a run folder of this test's own.
export NEUROTOPICS_QUICK=1 GOEXPERIMENT=simd NEUROTOPICS_WIDGETS=1 NEUROTOPICS_WIDGET_TIMEOUT=3m
export TMPDIR=$tmp/tmp
mkdir -p "$TMPDIR"
unset NEUROTOPICS_NOTEBOOK_DIR NEUROTOPICS_CAPTIONS NEUROTOPICS_FEATURES NEUROTOPICS_IDS NEUROTOPICS_GROUND_TRUTH NEUROTOPICS_VIDEOS NEUROTOPICS_MAPPING

artifacts=${NEUROTOPICS_BROWSER_ARTIFACTS:-$(mktemp -d "$systmp/neurotopics-browser-artifacts.XXXXXX")}
mkdir -p "$artifacts"
artifacts=$(cd "$artifacts" && pwd)
echo "screenshots: $artifacts"

# The notebooks must not change while a browser has them open (no autosave
# reaches them; the driver turns it off): their checksums before and after.
sums() { find notebooks scripts/browser/negatives -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' -exec sha256sum {} + | sort; ls -d notebooks/.ipynb_checkpoints scripts/browser/negatives/.ipynb_checkpoints 2>/dev/null || true; }
before=$(sums)

# 3. The server: this checkout as its root, on a free port, a random token;
# its checkpoints (Jupyter makes one when a notebook opens) in the temp folder.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
token=$(python3 -c 'import secrets; print(secrets.token_hex(24))')
root_flag=(); [ "$(id -u)" = 0 ] && root_flag=(--allow-root)
# (The token goes by the environment, not the command line ps shows.)
JUPYTER_TOKEN=$token jupyter-notebook --no-browser "${root_flag[@]}" --ip=127.0.0.1 --port="$port" --port-retries=0 \
  --NotebookApp.notebook_dir="$repo" \
  --FileCheckpoints.checkpoint_dir="$tmp/checkpoints" \
  >"$tmp/server.log" 2>&1 &
server_pid=$!
up() { JUPYTER_TOKEN=$token python3 -c 'import os, sys, urllib.request
urllib.request.urlopen("http://127.0.0.1:%s/api/status?token=%s" % (sys.argv[1], os.environ["JUPYTER_TOKEN"]), timeout=2)' "$port" 2>/dev/null; }
for _ in $(seq 120); do
  up && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.5
done
up || { cat "$tmp/server.log"; echo "FAILED: the notebook server did not start"; exit 1; }
echo "Jupyter Notebook $(jupyter-notebook --version) on 127.0.0.1:$port (pid $server_pid), $("$CHROMIUM" --version 2>/dev/null)"

# 4. The browser.
status=0
JUPYTER_TOKEN=$token node scripts/browser/check-notebooks.mjs --url "http://127.0.0.1:$port" --server-log "$tmp/server.log" \
  --chromium "$CHROMIUM" --out "$artifacts" "${nbs[@]}" || status=$?

after=$(sums)
if [ "$before" != "$after" ]; then
  echo "FAILED: the browser run changed notebooks in the tree:"; diff <(echo "$before") <(echo "$after") || true; status=1
fi
echo "screenshots: $artifacts"
exit $status
