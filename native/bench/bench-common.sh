# Sourced by the run-*.sh scripts here: what building and running the standalone CUDA benchmarks share.
# Sets bench_dir (this folder), kernels (the sources under test, native/kernels), baseline (native/bench/baseline:
# earlier copies of kernel sources under their own file names, see README.md), nvcc ($NVCC, else nvcc on PATH, else
# the toolkit's default place), bench_flags (what every program is built with) and work (a fresh folder for binaries).
bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
kernels="$bench_dir/../kernels"
baseline="$bench_dir/baseline"
nvcc="${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}"
bench_flags=(-O3 -std=c++17 -arch=sm_90)
work="$(mktemp -d)"

# bench_has_baseline FILE...: true when baseline/ holds every FILE.
bench_has_baseline() {
  local f
  for f; do [ -f "$baseline/$f" ] || return 1; done
}

# bench_build BINARY SOURCE [NVCC ARGS...]: builds native/bench/SOURCE against $kernels into $work/BINARY.
bench_build() {
  local bin="$1" src="$2"
  shift 2
  "$nvcc" "${bench_flags[@]}" -I"$kernels" "$bench_dir/$src" "$@" -o "$work/$bin"
}

# bench_run BINARY [ARGS...]: runs $work/BINARY, unless BENCH_BUILD_ONLY=1 (a build check on a host without a GPU).
bench_run() {
  local bin="$1"
  shift
  if [ "${BENCH_BUILD_ONLY:-0}" = 1 ]; then echo "(BENCH_BUILD_ONLY: not running $bin)"; return 0; fi
  "$work/$bin" "$@"
}

# bench_logged NAME COMMAND...: runs COMMAND with its stdout and stderr both on stdout and in ${OUT:-/tmp}/NAME.txt
# (on the device tool $OUT comes back); returns COMMAND's status.
bench_logged() {
  local log="${OUT:-/tmp}/$1.txt"
  shift
  "$@" 2>&1 | tee "$log"
  return "${PIPESTATUS[0]}"
}
