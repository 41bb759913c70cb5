#!/usr/bin/env bash
# Installs the notebook environment of neurotopics on Debian with Go:
#   - Jupyter from Debian: jupyter-nbconvert (headless execution) and
#     jupyter-notebook (the server, classic 6.x; Debian has no JupyterLab);
#   - the GoNB Go kernel at a pinned version, goimports and gopls (GoNB uses
#     them for imports and completion);
#   - the kernel spec, registered with `gonb --install --raw_error` into
#     $JUPYTER_DATA_DIR (default: Jupyter's per-user folder), with
#     GOEXPERIMENT=simd in its environment.
# Idempotent: what is already installed at the pinned version is kept. CI
# (.ci/run) and docker/Dockerfile run this same script.
#
# Environment: JUPYTER_DATA_DIR (where the kernel spec goes), GOBIN (where the
# Go tools go; default $(go env GOPATH)/bin), NO_APT=1 to skip apt-get (e.g.
# when Jupyter is already installed by other means), APT_ONLY=1 to install
# only the Debian packages (the Docker image does that as root).
set -euo pipefail

GONB_VERSION=v0.11.5      # newest GoNB the module proxy serves; works with GoMLX v0.28.8
XTOOLS_VERSION=v0.45.0    # golang.org/x/tools for goimports (gopls v0.23.0 requires x/tools ≥ v0.44)
GOPLS_VERSION=v0.23.0     # later gopls versions need Go 1.27

log() { printf '[install-notebook-env] %s\n' "$*" >&2; }

# 1. Jupyter from Debian, at the versions pinned in docker/apt-versions.txt.
mapfile -t pins < <(grep -v '^[[:space:]]*\(#\|$\)' "$(dirname "$0")/apt-versions.txt")
if [ "${NO_APT:-0}" != 1 ] && ! { command -v jupyter-nbconvert >/dev/null && command -v jupyter-notebook >/dev/null; }; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  log "installing ${pins[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  if ! $SUDO apt-get install -y -qq --no-install-recommends "${pins[@]}" >/dev/null; then
    log "apt-get could not install the pinned ${pins[*]}: if Debian serves other versions now (apt-cache policy <package>), update docker/apt-versions.txt"
    exit 1
  fi
fi
command -v jupyter >/dev/null || { log "jupyter not found after install"; exit 1; }
for pin in "${pins[@]}"; do
  have=$(dpkg-query -W -f '${Version}' "${pin%%=*}" 2>/dev/null || true)
  [ "$have" = "${pin#*=}" ] || log "note: ${pin%%=*} ${have:-is not installed by dpkg}; docker/apt-versions.txt pins ${pin#*=}"
done
[ "${APT_ONLY:-0}" = 1 ] && exit 0

# 2. Go tools at pinned versions.
GOBIN=${GOBIN:-$(go env GOPATH)/bin}
export GOBIN PATH="$GOBIN:$PATH"
mkdir -p "$GOBIN"
stamp="$GOBIN/.neurotopics-notebook-tools"
want="gonb=$GONB_VERSION xtools=$XTOOLS_VERSION gopls=$GOPLS_VERSION go=$(go env GOVERSION)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || ! command -v gonb >/dev/null || ! command -v goimports >/dev/null || ! command -v gopls >/dev/null; then
  log "installing GoNB $GONB_VERSION, goimports (x/tools $XTOOLS_VERSION), gopls $GOPLS_VERSION into $GOBIN"
  # A plain `go install github.com/janpfeifer/gonb@VERSION` fails here on a
  # deprecation lookup, so download the module and install from inside it.
  dir=$(go mod download -json "github.com/janpfeifer/gonb@$GONB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] || { log "could not download github.com/janpfeifer/gonb@$GONB_VERSION"; exit 1; }
  (cd "$dir" && GOFLAGS=-mod=mod go install .)
  go install "golang.org/x/tools/cmd/goimports@$XTOOLS_VERSION"
  go install "golang.org/x/tools/gopls@$GOPLS_VERSION"
  echo "$want" > "$stamp"
fi

# 3. Register the kernel (plain-text errors: readable in CI logs), and give
# it GOEXPERIMENT=simd: cells are compiled with the Go backend's SIMD kernels,
# as `neurotopics` is built by the README and the Docker image.
log "registering the GoNB kernel${JUPYTER_DATA_DIR:+ in $JUPYTER_DATA_DIR}"
gonb --install --raw_error >/dev/null
spec="$(jupyter --data-dir)/kernels/gonb/kernel.json"
[ -f "$spec" ] || { log "the gonb kernel is not registered (no $spec)"; exit 1; }
python3 - "$spec" <<'PY'
import json, sys
path = sys.argv[1]
spec = json.load(open(path))
spec.setdefault("env", {})["GOEXPERIMENT"] = "simd"
with open(path, "w") as f:
    json.dump(spec, f, indent=2)
    f.write("\n")
PY
log "ready: $(gonb --version 2>&1 | head -1), nbconvert $(jupyter nbconvert --version 2>/dev/null), kernel spec $spec"
