#!/usr/bin/env bash
# check-docs.sh: the docs read as a product, not as a lab diary.
#   - README.md has at most 200 lines (detail goes to docs/);
#   - README.md, docs/*.md (all but docs/history.md, where history goes),
#     notebooks/README.md and every Go file hold no date and no change-history
#     phrasing.
# Prints file:line: text [rule] for each hit and exits 1 if there is any.
# scripts/test.sh runs it.
#
# A date: 2026-12-01 (Go's reference layout 2006-01-02 excepted), 1 December
# 2026, December 1, 2026, Dec. 1 2026, December 2026 (capitalised month
# names only, so "may 2017" in prose is not one), and "until 2026" followed by
# punctuation or the end of the line. A bare year is allowed: a citation such
# as "(Dong et al., CVPR 2017)" stays.
#
# History phrasing (case-insensitive, whole words): the phrases below. Each was
# chosen because it has no present-tense use in this repository's prose or
# code; "no longer" and "used to" are not on the list because they have one
# ("the caption no longer names the wrong concept", "the encoder used to make
# the features").
set -euo pipefail
cd "$(dirname "$0")/.."

max_readme_lines=200

months='Jan(uary)?|Feb(ruary)?|Mar(ch)?|Apr(il)?|May|June?|July?|Aug(ust)?|Sep(t(ember)?)?|Oct(ober)?|Nov(ember)?|Dec(ember)?'
longmonths='January|February|March|April|May|June|July|August|September|October|November|December'
# label|case (s: sensitive, i: insensitive)|hits to let pass (a regex, may be empty)|regex
rules=(
	"date|s|2006-01-02|(^|[^0-9])(19|20)[0-9]{2}-[01][0-9]-[0-3][0-9]([^0-9]|$)"
	"date|s||\\b[0-3]?[0-9](st|nd|rd|th)? ($months)\\.?,? (19|20)[0-9]{2}\\b"
	"date|s||\\b($months)\\.? [0-3]?[0-9](st|nd|rd|th)?,? (19|20)[0-9]{2}\\b"
	"date|s||\\b($longmonths) (19|20)[0-9]{2}\\b"
	"date|i||\\buntil (19|20)[0-9]{2}([^ 0-9]|$)"
	"history: previously|i||\\bpreviously\\b"
	"history: this session|i||\\b(this|that|same) session\\b"
	"history: we changed|i||\\bwe changed\\b"
	"history: used to be|i||\\bused to be\\b"
	"history: was the default|i||\\b(was|were) the default\\b"
	"history: default until|i||\\bdefault until\\b"
	"history: old/new default|i||\\b(old|new|former|previous) defaults?\\b"
	"history: since/until then|i||\\b(since|until) then\\b"
	"history: since that day|i||\\bsince that day\\b"
	"history: for merging into|i||\\bfor merging into\\b"
	"history: at the time of writing|i||\\bat the time of writing\\b"
	"history: today|i||\\b(today|yesterday)\\b"
	"history: earlier measurement|i||\\bearlier (measurement|table|build)s?\\b"
)

status=0

lines=$(wc -l < README.md)
if [ "$lines" -gt "$max_readme_lines" ]; then
	echo "README.md: $lines lines; at most $max_readme_lines (move detail to docs/) [length]"
	status=1
fi

# Tracked files and new ones not ignored, that exist in the work tree.
list() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files --cached --others --exclude-standard -- "$@"
	else
		find . -path ./.git -prune -o -type f -print | sed 's|^\./||'
	fi
}
files=()
while IFS= read -r f; do
	case "$f" in
	docs/history.md) continue ;;
	README.md | notebooks/README.md | docs/*.md | *.go) ;;
	*) continue ;;
	esac
	[ -f "$f" ] && files+=("$f")
done < <(list README.md notebooks/README.md 'docs/*.md' '*.go' | sort -u)

hits=()
for r in "${rules[@]}"; do
	IFS='|' read -r label case pass _ <<<"$r"
	re=${r#*|*|*|}
	flags=(-nHE) tflags=(-qE)
	[ "$case" = i ] && flags+=(-i) tflags+=(-i)
	while IFS= read -r hit; do
		[ -n "$hit" ] || continue
		if [ -n "$pass" ]; then
			text=${hit#*:*:}
			text=$(sed -E "s/$pass//g" <<<"$text")
			grep "${tflags[@]}" -e "$re" <<<"$text" || continue
		fi
		loc=${hit%%:*}:$(cut -d: -f2 <<<"$hit")
		hits+=("$loc"$'\t'"$label"$'\t'"${hit#*:*:}")
	done < <(grep "${flags[@]}" -e "$re" -- "${files[@]}" || true)
done
if [ "${#hits[@]}" -gt 0 ]; then
	# One line per file:line, with every rule it broke.
	printf '%s\n' "${hits[@]}" | sort -t$'\t' -k1,1V -s | awk -F'\t' '
		!($1 in labels) { order[++n] = $1; labels[$1] = $2; text[$1] = $3; next }
		index(labels[$1], $2) == 0 { labels[$1] = labels[$1] ", " $2 }
		END { for (i = 1; i <= n; i++) { k = order[i]; t = text[k]; sub(/^[ \t]+/, "", t); print k ": " substr(t, 1, 160) " [" labels[k] "]" } }'
	status=1
fi

if [ "$status" != 0 ]; then
	echo "check-docs: history (dates, what changed and when) goes to docs/history.md or the git log; README.md stays under $max_readme_lines lines." >&2
fi
exit "$status"
