#!/usr/bin/env bash
# One HTML page with every finished run, experiment and analysis under runs/ (issue 5), and a screenshot of it
# taken by headless Chromium (Debian: apt-get install chromium), so one can see it renders.
# Usage: scripts/report.sh [page] [screenshot]
set -euo pipefail
cd "$(dirname "$0")/.."
page=${1:-runs/report.html}
shot=${2:-runs/report.png}
mapfile -t dirs < <(find runs -mindepth 1 -maxdepth 3 -name summary.md -printf '%h\n' | sort)
mapfile -t core < <(find runs/core -mindepth 2 -maxdepth 2 -name metrics.json -printf '%h\n' 2>/dev/null | sort)
./re4j report --html "$page" --title "re4j results" "${core[@]}" "${dirs[@]}"
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then echo "no Chromium on PATH: page written, not checked" >&2; exit 0; fi
flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --virtual-time-budget=5000)
"$browser" "${flags[@]}" --dump-dom "file://$PWD/$page" 2>/dev/null | grep -q 'data-images="ok"' \
  || { echo "the browser did not decode every figure of $page" >&2; exit 1; }
"$browser" "${flags[@]}" --screenshot="$shot" --window-size=1280,${HEIGHT:-4000} "file://$PWD/$page" 2>/dev/null
echo "wrote $page and $shot (every figure decoded in $browser)"
