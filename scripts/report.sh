#!/usr/bin/env bash
# Regenerates the tables of docs/results.md from docs/results/*.json (re4j report --update; text outside the
# generated blocks is left as it is), then writes one HTML page with every finished run, experiment and analysis
# under runs/ and a screenshot of it taken by headless Chromium (Debian: apt-get install chromium), so one can see
# it renders. Without runs/ only the docs are regenerated.
# Usage: scripts/report.sh [page] [screenshot]
set -euo pipefail
cd "$(dirname "$0")/.."
page=${1:-runs/report.html}
shot=${2:-runs/report.png}
./re4j report --update docs/results.md
if [ ! -d runs ]; then echo "no runs/ folder: no page written" >&2; exit 0; fi
mapfile -t dirs < <(find runs -mindepth 1 -maxdepth 3 -name summary.md -printf '%h\n' | sort)
mapfile -t core < <(find runs/core -mindepth 2 -maxdepth 2 -name metrics.json -printf '%h\n' 2>/dev/null | sort)
if [ $(( ${#core[@]} + ${#dirs[@]} )) -eq 0 ]; then echo "nothing finished under runs/: no page written" >&2; exit 0; fi
./re4j report --html "$page" --title "re4j results" "${core[@]}" "${dirs[@]}"
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then echo "no Chromium on PATH: page written, not checked" >&2; exit 0; fi
flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --virtual-time-budget=5000)
"$browser" "${flags[@]}" --dump-dom "file://$PWD/$page" 2>/dev/null | grep -q 'data-images="ok"' \
  || { echo "the browser did not decode every figure of $page" >&2; exit 1; }
"$browser" "${flags[@]}" --screenshot="$shot" --window-size=1280,${HEIGHT:-4000} "file://$PWD/$page" 2>/dev/null
echo "wrote $page and $shot (every figure decoded in $browser)"
