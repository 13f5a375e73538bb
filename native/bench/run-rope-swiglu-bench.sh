#!/usr/bin/env bash
# Builds native/bench/rope_swiglu_bench.cu against this checkout's rope.cu / swiglu.cu and, when
# native/bench/baseline/ holds the earlier rows.cu and elementwise.cu (`git show eac8d89:native/kernels/rows.cu`, the
# same for elementwise.cu; the headers come from native/kernels), against those, then runs both on the GPU
# (baseline first). Needs nvcc and a CUDA device. Output: the two tables on stdout.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
nvcc="${NVCC:-nvcc}"
out="${TMPDIR:-/tmp}"
flags=(-O3 -std=c++17 -arch=sm_90)
"$nvcc" "${flags[@]}" -I"$here/../kernels" -I"$here" -o "$out/rope_swiglu_bench" "$here/rope_swiglu_bench.cu"
if [ -f "$here/baseline/rows.cu" ] && [ -f "$here/baseline/elementwise.cu" ]; then
  "$nvcc" "${flags[@]}" -I"$here/baseline" -I"$here/../kernels" -I"$here" -DRSB_BASELINE -o "$out/rope_swiglu_bench_baseline" \
    "$here/rope_swiglu_bench.cu"
  "$out/rope_swiglu_bench_baseline"
fi
"$out/rope_swiglu_bench"
