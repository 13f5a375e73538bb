#!/usr/bin/env bash
# On a GPU host with nvcc and cuBLAS: builds gemm_bench.cu against native/kernels (or KERNELS_DIR), plus, when
# native/bench/baseline/ holds an earlier gemm.cu, that one as the "previous" column; prints ptxas's resource report
# and the SASS instruction mix of the two tiles, runs the correctness checks and the timing table. Output on stdout
# and in ${OUT:-/tmp}/gemm-bench.txt.
# Usage: native/bench/run-gemm-bench.sh [KERNELS_DIR] [--quick]
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench-common.sh"
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then kernels="$1"; shift; fi
# cuobjdump sits beside nvcc, which need not be on PATH.
cuobjdump="$(dirname "$nvcc")/cuobjdump"
[ -x "$cuobjdump" ] || cuobjdump=cuobjdump

# cuBLAS: the toolkit's, else the one the nvidia-cublas Python wheel carries.
blas=(-lcublas)
if ! ls "$(dirname "$nvcc")"/../lib64/libcublas.so* > /dev/null 2>&1 && ! ldconfig -p | grep -q libcublas.so; then
  dir="$(python3 -c 'import nvidia.cublas as c, os; print(os.path.dirname(c.__file__))' 2>/dev/null || true)"
  [ -n "$dir" ] && blas=(-I"$dir/include" -L"$dir/lib" -l:"$(basename "$(ls "$dir"/lib/libcublas.so.* | head -n1)")" -Xlinker -rpath="$dir/lib")
fi
old=()
bench_has_baseline gemm.cu && old=(-DWITH_OLD)

main() {
  echo "## nvcc $("$nvcc" --version | tail -n1)"
  bench_build gemm_bench gemm_bench.cu -Xptxas -v "${old[@]}" "${blas[@]}" 2>&1 \
    | grep -E "error|warning|Compiling entry|Used|stack" || true
  [ -x "$work/gemm_bench" ] || { echo "build failed"; exit 2; }
  for f in sgemm_f32_t128 sgemm_f32_t64; do
    sass="$("$cuobjdump" -sass -fun "$f" "$work/gemm_bench" 2>/dev/null)"
    printf '## SASS %s:' "$f"
    for op in FFMA LDS.128 'LDS ' LDG.E.128 'LDG.E ' STS.128 'STS ' LDL STL BAR.SYNC; do
      printf ' %s=%s' "$op" "$(grep -c -- "$op" <<< "$sass")"
    done
    echo
  done
  bench_run gemm_bench "$@"
  echo "gemm_bench exit $?"
}
bench_logged gemm-bench main "$@"
