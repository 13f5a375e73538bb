#!/usr/bin/env bash
# On a GPU host with nvcc and cuBLAS: builds gemm_bench.cu against native/kernels (plus old_gemm.cu beside this script,
# when present, as the baseline), prints ptxas's resource report and the SASS instruction mix of the two tiles, runs
# the correctness checks and the timing table. Output also goes to $OUT/gemm-bench.txt when $OUT is set.
# Usage: native/gemm-bench/run.sh [KERNELS_DIR] [--quick]
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
kernels="${1:-$here/../kernels}"
shift || true
log="${OUT:-/tmp}/gemm-bench.txt"
work="$(mktemp -d)"
nvcc="$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)"

# cuBLAS: the toolkit's, else the one the nvidia-cublas Python wheel carries.
blas=(-lcublas)
if ! ls "$(dirname "$nvcc")"/../lib64/libcublas.so* > /dev/null 2>&1 && ! ldconfig -p | grep -q libcublas.so; then
  dir="$(python3 -c 'import nvidia.cublas as c, os; print(os.path.dirname(c.__file__))' 2>/dev/null || true)"
  [ -n "$dir" ] && blas=(-I"$dir/include" -L"$dir/lib" -l:"$(basename "$(ls "$dir"/lib/libcublas.so.* | head -n1)")" -Xlinker -rpath="$dir/lib")
fi
old=()
[ -e "$here/old_gemm.cu" ] && old=(-DWITH_OLD -I"$here")

{
  echo "## nvcc $("$nvcc" --version | tail -n1)"
  "$nvcc" -std=c++17 -O3 -arch=sm_90 -Xptxas -v -I"$kernels" "${old[@]}" "$here/gemm_bench.cu" "${blas[@]}" \
    -o "$work/gemm_bench" 2>&1 | grep -E "error|warning|Compiling entry|Used|stack" || true
  [ -x "$work/gemm_bench" ] || { echo "build failed"; exit 2; }
  for f in sgemm_f32_t128 sgemm_f32_t64; do
    sass="$(cuobjdump -sass -fun "$f" "$work/gemm_bench" 2>/dev/null)"
    printf '## SASS %s:' "$f"
    for op in FFMA LDS.128 'LDS ' LDG.E.128 'LDG.E ' STS.128 'STS ' LDL STL BAR.SYNC; do
      printf ' %s=%s' "$op" "$(grep -c -- "$op" <<< "$sass")"
    done
    echo
  done
  "$work/gemm_bench" "$@"
  echo "gemm_bench exit $?"
} 2>&1 | tee "$log"
