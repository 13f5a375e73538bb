#!/usr/bin/env bash
# Builds native/bench/row_kernels_bench.cu against this checkout's kernels and, when native/bench/baseline/ holds
# older copies of rows.cu and log_prob.cu (e.g. `git show REV:native/kernels/rows.cu`), against those too, then runs
# both on the GPU (baseline first). Needs nvcc and a CUDA device. Output: the table on stdout.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
nvcc="${NVCC:-nvcc}"
out="${TMPDIR:-/tmp}"
flags=(-O3 -std=c++17 -arch=sm_90 -I"$here/../kernels" -I"$here")
"$nvcc" "${flags[@]}" -o "$out/row_kernels_bench" "$here/row_kernels_bench.cu"
if [ -f "$here/baseline/rows.cu" ] && [ -f "$here/baseline/log_prob.cu" ]; then
  "$nvcc" "${flags[@]}" -DROWK_BASELINE -o "$out/row_kernels_bench_baseline" "$here/row_kernels_bench.cu"
  "$out/row_kernels_bench_baseline"
fi
"$out/row_kernels_bench"
