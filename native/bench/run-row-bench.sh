#!/usr/bin/env bash
# Builds native/bench/row_kernels_bench.cu against this checkout's kernels and, when native/bench/baseline/ holds
# older copies of rows.cu and log_prob.cu (e.g. `git show REV:native/kernels/rows.cu`), against those too, then runs
# both on the GPU (baseline first). Needs nvcc and a CUDA device. Output: the table on stdout and in
# ${OUT:-/tmp}/row-bench.txt.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench-common.sh"

main() {
  bench_build row_kernels_bench row_kernels_bench.cu
  if bench_has_baseline rows.cu log_prob.cu; then
    bench_build row_kernels_bench_baseline row_kernels_bench.cu -DROWK_BASELINE
    bench_run row_kernels_bench_baseline
  fi
  bench_run row_kernels_bench
}
bench_logged row-bench main
