#!/usr/bin/env bash
# Renders a report in real headless Chromium (Debian's package), checks that
# the rendered page has every expected section, and saves a screenshot.
#   scripts/check-report-browser.sh REPORT_DIR [SECTION_ID ...]
# Default sections: those of `neurotopics run`'s report. Installs chromium with
# apt-get when it is missing. Writes REPORT_DIR/screenshot.png.
set -euo pipefail
dir=${1:?usage: $0 REPORT_DIR [SECTION_ID ...]}
shift
sections=("$@")
[ ${#sections[@]} -gt 0 ] || sections=(overview topics captioning interpretability neurons transfer revision)
[ -f "$dir/index.html" ] || { echo "no $dir/index.html: run the report first"; exit 1; }
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
url="file://$(cd "$dir" && pwd)/index.html"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir="$profile" --allow-file-access-from-files)
dom=$(timeout 120 chromium "${flags[@]}" --dump-dom "$url" 2>/dev/null)
missing=0
for s in "${sections[@]}"; do
  if ! grep -q "<section id=\"$s\"" <<<"$dom"; then
    echo "missing section: $s"; missing=1
  fi
done
if grep -q "<script" <<<"$dom"; then echo "the rendered page contains a <script> element"; missing=1; fi
# Every image the page shows is there: a relative src names a non-empty file.
images=0
while IFS= read -r src; do
  [ -n "$src" ] || continue
  images=$((images + 1))
  case "$src" in data:*|http:*|https:*) continue ;; esac
  [ -s "$dir/$src" ] || { echo "broken image: $src (no such file in $dir)"; missing=1; }
done < <(grep -o '<img [^>]*src="[^"]*"' <<<"$dom" | sed 's/.*src="\([^"]*\)".*/\1/')
timeout 120 chromium "${flags[@]}" --window-size=1200,3000 --screenshot="$dir/screenshot.png" "$url" >/dev/null 2>&1
[ -s "$dir/screenshot.png" ] || { echo "no screenshot was written"; missing=1; }
[ $missing = 0 ] && echo "report renders in $(chromium --version 2>/dev/null): ${#sections[@]} sections present, $images images there; screenshot $dir/screenshot.png"
exit $missing
