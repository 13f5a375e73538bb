#!/usr/bin/env bash
# Builds native/bench/rope_swiglu_bench.cu against this checkout's rope.cu / swiglu.cu and, when
# native/bench/baseline/ holds the earlier rows.cu and elementwise.cu (`git show eac8d89:native/kernels/rows.cu`, the
# same for elementwise.cu; the headers come from native/kernels), against those, then runs both on the GPU
# (baseline first). Needs nvcc and a CUDA device. Output: the two tables on stdout and in
# ${OUT:-/tmp}/rope-swiglu-bench.txt.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench-common.sh"

main() {
  bench_build rope_swiglu_bench rope_swiglu_bench.cu
  if bench_has_baseline rows.cu elementwise.cu; then
    bench_build rope_swiglu_bench_baseline rope_swiglu_bench.cu -DRSB_BASELINE
    bench_run rope_swiglu_bench_baseline
  fi
  bench_run rope_swiglu_bench
}
bench_logged rope-swiglu-bench main
