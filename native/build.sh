#!/usr/bin/env bash
# Builds the CUDA kernels in native/kernels/*.cu two ways:
#   - nvcc: one fatbin per .cu (sm_80 and sm_90 SASS, compute_90 PTX for newer GPUs) into the kernels jar's classes,
#     plus compute_90 PTX into target/native (a test checks its entry points against the emulator's registry);
#   - g++: the same sources against native/emu/cuda_emu.h, linked with the fiber runtime and the emulated driver API
#     into target/native/libcudaemu.so, which the tests load in place of libcuda.so.1.
# A missing compiler skips its half with a one-line note. Only what changed since the last build is rebuilt.
# Usage: native/build.sh [kernels/target directory]      Environment: NVCC, CXX, JOBS
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target="${1:-$here/../kernels/target}"
native_out="$target/native"
fatbin_out="$target/classes/dev/latentr3/kernels/cuda"
jobs="${JOBS:-$(nproc 2>/dev/null || echo 2)}"
mkdir -p "$native_out/obj" "$fatbin_out"

kernels=("$here"/kernels/*.cu)
# Outputs of a .cu that no longer exists would still be loaded (fatbins) or linked (objects): remove them.
for out in "$fatbin_out"/*.fatbin "$native_out"/*.ptx "$native_out"/obj/*.o; do
  [ -e "$out" ] || continue
  name="$(basename "$out")"; name="${name%.*}"
  case "$name" in emu_*) continue ;; esac
  [ -e "$here/kernels/$name.cu" ] || rm -f "$out"
done
headers=("$here"/kernels/*.cuh)
emu_sources=("$here"/emu/*.cpp)
emu_headers=("$here"/emu/*.h "$here"/emu/exports.map)

# True when $1 is missing or older than any of the remaining arguments.
stale() {
  local out="$1" dep
  shift
  [ -e "$out" ] || return 0
  for dep in "$@"; do [ "$dep" -nt "$out" ] && return 0; done
  return 1
}

# Runs the queued commands, at most $jobs at a time; fails if any failed.
pids=()
run_queued() {
  "$@" &
  pids+=($!)
  if [ "${#pids[@]}" -ge "$jobs" ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
}
wait_all() {
  local pid status=0
  for pid in "${pids[@]}"; do wait "$pid" || status=1; done
  pids=()
  return $status
}

# ---- nvcc: fatbins and PTX ----
nvcc="${NVCC:-}"
if [ -z "$nvcc" ]; then
  if [ -x /usr/local/cuda/bin/nvcc ]; then nvcc=/usr/local/cuda/bin/nvcc; else nvcc="$(command -v nvcc || true)"; fi
fi
gencode=(-gencode=arch=compute_80,code=sm_80 -gencode=arch=compute_90,code=sm_90 -gencode=arch=compute_90,code=compute_90)
nvcc_flags=(-std=c++17 -O3 --Werror all-warnings -I"$here/kernels")
if [ -n "$nvcc" ] && [ -x "$nvcc" ]; then
  for cu in "${kernels[@]}"; do
    name="$(basename "$cu" .cu)"
    if stale "$fatbin_out/$name.fatbin" "$cu" "${headers[@]}"; then
      run_queued "$nvcc" -fatbin "${gencode[@]}" "${nvcc_flags[@]}" -o "$fatbin_out/$name.fatbin" "$cu"
    fi
    if stale "$native_out/$name.ptx" "$cu" "${headers[@]}"; then
      run_queued "$nvcc" -ptx -arch=compute_90 "${nvcc_flags[@]}" -o "$native_out/$name.ptx" "$cu"
    fi
  done
  wait_all
  # The list of fatbins the Java side loads, one resource name per line.
  (cd "$fatbin_out" && ls -1 ./*.fatbin | sed 's|^\./||') > "$fatbin_out/kernels.list"
else
  echo "native/build.sh: nvcc not found (NVCC, /usr/local/cuda/bin, PATH): building only the emulation library; the jar carries no GPU kernels." >&2
  rm -f "$fatbin_out"/*.fatbin "$fatbin_out/kernels.list" "$native_out"/*.ptx
fi

# ---- g++: the emulation library ----
cxx="${CXX:-g++}"
if ! command -v "$cxx" > /dev/null; then
  echo "native/build.sh: $cxx not found: libcudaemu.so is not built and the emulation tests will be skipped." >&2
  rm -f "$native_out/libcudaemu.so"
  exit 0
fi
cxx_flags=(-std=c++20 -O2 -g -fPIC -fvisibility=hidden -pthread -Wall -Wextra -Werror -Wno-unknown-pragmas
           -I"$here/emu" -I"$here/kernels")
objects=()
for cu in "${kernels[@]}"; do
  obj="$native_out/obj/$(basename "$cu" .cu).o"
  objects+=("$obj")
  # g++ would hand a .cu file to the linker: -x c++ says what it is.
  if stale "$obj" "$cu" "${headers[@]}" "${emu_headers[@]}"; then run_queued "$cxx" "${cxx_flags[@]}" -c -x c++ "$cu" -o "$obj"; fi
done
for cpp in "${emu_sources[@]}"; do
  obj="$native_out/obj/emu_$(basename "$cpp" .cpp).o"
  objects+=("$obj")
  if stale "$obj" "$cpp" "${emu_headers[@]}"; then run_queued "$cxx" "${cxx_flags[@]}" -c "$cpp" -o "$obj"; fi
done
wait_all
# Objects are linked directly (not through a static archive, whose unreferenced members would lose their registrars).
if stale "$native_out/libcudaemu.so" "${objects[@]}"; then
  "$cxx" -shared -pthread -Wl,--version-script="$here/emu/exports.map" -Wl,-z,noexecstack \
    -o "$native_out/libcudaemu.so" "${objects[@]}"
fi
