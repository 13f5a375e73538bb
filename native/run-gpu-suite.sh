#!/usr/bin/env bash
# Runs inside the folder native/gpu-bundle.sh builds, on a GPU host without a JDK: what this machine has (doctor), the
# tests tagged "gpu" (JUnit console launcher), optionally the emulator tests, and the CUDA benchmarks (the bench
# report's CUDA rows), all written into one output folder. Without a GPU the GPU tests are reported as skipped with
# the reason and the benchmark rows as "not run: no CUDA device (...)"; neither is a failure.
# Usage: run-gpu-suite.sh [--out DIR] [--emulator] [--no-bench] [--no-tests] [--quick | --one-fork | --full] [--only REGEX]
#                         [--bench-seconds N] [--resume CSV]
#   --out DIR     the results folder (default: $OUT when set, as on the device tool, else ./gpu-suite-results)
#   --emulator    also run the CUDA emulator tests (classes named Emulated*, EmulatorTest) on this machine's CPU
#   --no-bench    tests only
#   (default)     the report's device mode (3 forks, 5 + 5 iterations of 100 ms: about 9 min for all CUDA rows on an
#                 H200, see `BenchReport --device-mode --only '^CUDA_' --dry-run`)
#   --quick       the quick mode instead (1 fork, 2 + 3 iterations of 300 ms: a smoke test, figures not for comparison)
#   --one-fork    the device mode with one fork (about a third of its time; the report says fork-to-fork spread
#                 was not sampled): what fits every GPU row, training steps included, into one short device lease
#   --full        the reported mode instead (3 forks, 5 + 5 iterations of each benchmark's own 1 s)
#   --only REGEX  the report rows to run (default '^CUDA_', every GPU row; e.g. '^CUDA_GEMM')
#   --bench-seconds N  stop the report after N seconds; it is rewritten after every row, so what was measured by
#                 then stays, marked partial
#   --resume CSV  continue the report CSV a stopped run left (same machine, commit and mode; any file name): its rows
#                 are kept, the others run, and the whole report is written here (add --no-tests to skip the tests)
#   --no-tests    skip the GPU-tagged tests
# The PyTorch sides (bench/torch/gpu_ops.py, carried in the bundle) run under the first python3 that imports torch.
# Results (8 files, at most two folders deep): summary.txt, environment.txt, tests-gpu.txt,
# junit-gpu/TEST-junit-jupiter.xml, bench.txt, bench/<machine>-<date>.md and .csv, logs.tgz (the report's JMH and
# script logs); with --emulator also tests-emulator.txt. Exit status: 1 when a test failed, else 0.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${OUT:-$PWD/gpu-suite-results}"
emulator=0
bench=1
mode=(--device-mode)
only='^CUDA_'
bench_seconds=0
resume=""
tests=1
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --emulator) emulator=1; shift ;;
    --no-bench) bench=0; shift ;;
    --quick) mode=(--quick); shift ;;
    --one-fork) mode=(--device-one-fork); shift ;;
    --full) mode=(); shift ;;
    --bench-seconds) bench_seconds="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --resume) resume="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift 2 ;;
    --no-tests) tests=0; shift ;;
    *) echo "run-gpu-suite.sh: unknown argument '$1' (expected --out DIR, --emulator, --no-bench, --no-tests, --quick, --one-fork, --full, --only REGEX, --bench-seconds N, --resume CSV)" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
out="$(cd "$out" && pwd)"
java="$here/jre/bin/java"
flags=(--enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector --sun-misc-unsafe-memory-access=allow -Xss4m)
# The bench report names the commit its figures belong to: the bundle's, not that of the folder this runs in.
bundle_commit="$(sed -n 's/^commit: //p' "$here/BUNDLE.txt" 2>/dev/null)"
[ -n "$bundle_commit" ] && flags+=("-Dlatentr3.commit=$bundle_commit")
cp="$(ls "$here"/lib/*.jar "$here"/test/*.jar | paste -sd: -)"
summary="$out/summary.txt"
: > "$summary"
note() { echo "$*" | tee -a "$summary"; }

note "latentr3 GPU suite, $(date -u +%Y-%m-%dT%H:%M:%SZ), host $(hostname)"
sed 's/^/  /' "$here/BUNDLE.txt" | tee -a "$summary"
{
  echo "## uname"; uname -a
  echo "## nvidia-smi"; if command -v nvidia-smi > /dev/null; then nvidia-smi 2>&1; else echo "nvidia-smi not found"; fi
  echo "## java"; "$java" -version 2>&1
  echo "## latentr3 doctor"; "$java" "${flags[@]}" -Dlatentr3.cuda.emulator="$here/native/libcudaemu.so" -jar "$here/latentr3.jar" doctor 2>&1
} > "$out/environment.txt"
note "environment: environment.txt"

# JUnit's console launcher: exit 1 when a test failed, 2 when none was found (with --fail-if-no-tests, not used).
status=0
junit() {  # junit LOG REPORTS-DIR [launcher options...]
  local log="$1" reports="$2"; shift 2
  local extra=()
  [ -n "$reports" ] && extra=(--reports-dir "$reports")
  "$java" "${flags[@]}" -Dlatentr3.cuda.emulator="$here/native/libcudaemu.so" -Dlatentr3.cuda.ptx="$here/native" \
    -jar "$here/junit-console.jar" execute --disable-banner --disable-ansi-colors --details=tree \
    --class-path "$cp" --scan-class-path "${extra[@]}" "$@" > "$log" 2>&1
  local rc=$?
  [ $rc -ne 0 ] && status=1
  note "$(basename "$log"): exit $rc; $(grep -E '^\[ *[0-9]+ tests (successful|failed|skipped|aborted) *\]' "$log" | tr -s ' ' | paste -sd';' -)"
}
if [ "$tests" = 1 ]; then
  junit "$out/tests-gpu.txt" "$out/junit-gpu" --include-tag gpu
  # Only the Jupiter engine runs tests here; the suite and vintage engines' empty reports would crowd $OUT's 8 files.
  rm -f "$out"/junit-gpu/TEST-junit-platform-suite.xml "$out"/junit-gpu/TEST-junit-vintage.xml
  # Why tests were skipped: a failed assumption (no GPU, no cuBLAS) aborts a test with the reason on its tree line.
  grep -oE 'Assumption failed: .*' "$out/tests-gpu.txt" | sort | uniq -c | sed 's/^ */  skipped: /' | tee -a "$summary"
fi
if [ "$emulator" = 1 ]; then
  junit "$out/tests-emulator.txt" "" --exclude-tag gpu --include-classname '.*(Emulated|Emulator)[A-Za-z]*Test'
fi

if [ "$bench" = 1 ]; then
  # The bench report's CUDA rows (device time from CUDA events, L2 flushed): on a host without a device every row says
  # why it did not run, and nothing is measured. Its PyTorch scripts are found under this folder (bench/torch/).
  limit=()
  [ "$bench_seconds" != 0 ] && limit=(timeout "$bench_seconds")
  resume_flag=()
  [ -n "$resume" ] && resume_flag=(--resume-from "$resume")
  "${limit[@]}" "$java" "${flags[@]}" -Dlatentr3.bench.root="$here" -cp "$here/benchmarks.jar" dev.latentr3.bench.report.BenchReport \
    "${mode[@]}" --only "$only" --out "$out/bench" "${resume_flag[@]}" > "$out/bench.txt" 2>&1
  note "bench.txt: exit $?; report $(ls "$out"/bench/*.md 2>/dev/null | xargs -r -n1 basename | paste -sd' ' -)"
  # The JMH and script logs of every side, as one file (the results folder holds at most 8).
  logs="$(sed -n 's/^JMH logs: //p' "$out/bench.txt" | head -n1)"
  if [ -n "$logs" ] && [ -d "$logs" ]; then
    tar -C "$logs" -czf "$out/logs.tgz" . && rm -rf "$logs"
    note "logs.tgz: the report's JMH and script logs"
  fi
  grep -E '^(machine|bench report):|^  where no side' "$out/bench.txt" | sed 's/^/  /' | tee -a "$summary"
  sed -n '/^## GPU/,$p' "$out"/bench/*.md 2>/dev/null | sed -n '3p' | sed 's/^/  GPU: /' | tee -a "$summary"
fi
note "results: $out"
exit $status
