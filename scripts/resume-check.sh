#!/usr/bin/env bash
# kill -9 of a real `re4j train` after its first checkpoint, then `re4j train --resume`: the resumed run must end with
# the metrics and parameters of the same command run without interruption. Prints one line per check and a verdict.
#   scripts/resume-check.sh [DATA] [MODEL] [STEPS] [CHECKPOINT_EVERY]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${1:-$here/../shared/data/ml-100k/u.data}"
model="${2:-comirec-sa}"
steps="${3:-3000}"
every="${4:-500}"
work="$(mktemp -d "${TMPDIR:-/tmp}/re4j-resume.XXXXXX")"
trap 'rm -rf "$work"' EXIT
re4j() { "$here/re4j" "$@"; }
args=(--data "$data" --model "$model" --steps "$steps" --eval-every "$every" --patience 100 --seed 7 --no-progress)

start=$(date +%s.%N)
re4j train "${args[@]}" --out "$work/whole" > "$work/whole.json" 2> "$work/whole.err"
whole=$(echo "$(date +%s.%N) - $start" | bc)

re4j train "${args[@]}" --out "$work/killed" --checkpoint-every "$every" > /dev/null 2> "$work/killed.err" &
pid=$!
# wait until the first checkpoint exists, then a random part of one checkpoint interval more, then SIGKILL
until compgen -G "$work/.killed.training-*/checkpoint.safetensors" > /dev/null; do
  kill -0 $pid 2>/dev/null || { echo "the run ended before its first checkpoint"; exit 1; }
  sleep 0.2
done
sleep "$(python3 -c "import random; print(round(random.uniform(0, $whole / ($steps / $every)), 2))")"
pkill -9 -P $pid 2>/dev/null || true; kill -9 $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
step=$(python3 - "$work" <<'PY'
import glob, json, struct, sys
f = glob.glob(sys.argv[1] + "/.killed.training-*/checkpoint.safetensors")[0]
with open(f, "rb") as h:
    n = struct.unpack("<Q", h.read(8))[0]
    print(json.loads(h.read(n))["__metadata__"]["step"])
PY
)
echo "killed (SIGKILL) with its last checkpoint at step $step; model directory present: $([ -d "$work/killed" ] && echo yes || echo no)"
re4j train --resume "$work/killed" --no-progress > "$work/resumed.json" 2> "$work/resumed.err"
grep "resuming" "$work/resumed.err"
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
a, b = json.load(open(w + "/whole.json")), json.load(open(w + "/killed/metrics.json"))
same = a["test"] == b["test"] and a["valid"] == b["valid"] and a["train"]["best_step"] == b["train"]["best_step"]
print("test recall@50: uninterrupted %.6f, resumed %.6f; best step %d and %d" % (
    a["test"]["recall@50"], b["test"]["recall@50"], a["train"]["best_step"], b["train"]["best_step"]))
print("identical metrics" if same else "DIFFERENT metrics")
sys.exit(0 if same else 1)
PY
cmp -s <(tail -c +$((8 + $(python3 -c "import struct;print(struct.unpack('<Q',open('$work/whole/model.safetensors','rb').read(8))[0])") + 1)) "$work/whole/model.safetensors") \
       <(tail -c +$((8 + $(python3 -c "import struct;print(struct.unpack('<Q',open('$work/killed/model.safetensors','rb').read(8))[0])") + 1)) "$work/killed/model.safetensors") \
  && echo "identical parameters (model.safetensors data bytes)" || { echo "DIFFERENT parameters"; exit 1; }
