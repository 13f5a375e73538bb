#!/usr/bin/env bash
# Builds a self-contained folder (and a .tar.xz of it) that runs the GPU-tagged tests and the CUDA benchmarks on a GPU
# host that has an NVIDIA driver but no JDK and no Maven:
#   jre/                 a jlinked Java 25 runtime (the modules below; no --compress, so xz packs it small)
#   lib/                 the project's jars (kernels with its fatbins, engine, model, train) and their runtime deps
#   test/                the test classes, as jars, of every module with @Tag("gpu") tests, plus their test deps
#   junit-console.jar    JUnit's console launcher (junit-platform-console-standalone, the version the pom uses)
#   benchmarks.jar       the JMH benchmarks (shaded)
#   latentr3.jar         the CLI (for `doctor`)
#   native/              libcudaemu.so and the PTX, for the emulator tests (run-gpu-suite.sh --emulator)
#   bench/torch/         the PyTorch reference scripts of the report's GPU rows (run under the host's python3)
#   run-gpu-suite.sh     runs it all and writes the results into one folder (see native/run-gpu-suite.sh)
# Usage: native/gpu-bundle.sh [--out DIR] [--skip-native] [--no-tar]
#   --out DIR       where the folder latentr3-gpu-bundle/ and latentr3-gpu-bundle.tar.xz go (default: dist/)
#   --skip-native   keep the native outputs already built (-Dlatentr3.skipNative) instead of running native/build.sh
#   --no-tar        skip the .tar.xz
# It runs `mvn package -DskipTests` (incremental) in the same Maven session that copies the dependencies, so the
# reactor's own modules resolve from this checkout, never from the local repository (nothing is installed).
# Environment: JAVA_HOME (a JDK >= 25; default: the first under /usr/lib/jvm), MVN_ARGS (extra Maven flags, e.g. -o).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/dist"
native_flag=()
tarball=1
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
    --skip-native) native_flag=(-Dlatentr3.skipNative); shift ;;
    --no-tar) tarball=0; shift ;;
    *) echo "gpu-bundle.sh: unknown argument '$1' (expected --out DIR, --skip-native, --no-tar)" >&2; exit 2 ;;
  esac
done

java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1; }
jdk=""
for c in ${JAVA_HOME:-} /usr/lib/jvm/temurin-25* /usr/lib/jvm/*; do
  if [ -x "$c/bin/jlink" ] && [ "$(java_major "$c/bin/java")" -ge 25 ] 2>/dev/null; then jdk="$c"; break; fi
done
[ -n "$jdk" ] || { echo "gpu-bundle.sh: no JDK >= 25 with jlink found (set JAVA_HOME)" >&2; exit 1; }
export JAVA_HOME="$jdk"
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
cd "$root"

version="$(sed -n 's|.*<junit.version>\(.*\)</junit.version>.*|\1|p' pom.xml | head -n1)"
[ -n "$version" ] || { echo "gpu-bundle.sh: pom.xml has no <junit.version>" >&2; exit 1; }

# Modules whose tests carry @Tag("gpu"): their test classes travel (today kernels; engine and others once they have some).
gpu_modules=()
for m in kernels engine model train; do
  if grep -rqs '@Tag("gpu")' "$m/src/test"; then gpu_modules+=("$m"); fi
done
echo "gpu-bundle.sh: modules with GPU tests: ${gpu_modules[*]:-none}" >&2

stage="$out/latentr3-gpu-bundle"
deps="$(mktemp -d)"
trap 'rm -rf "$deps"' EXIT
echo "gpu-bundle.sh: building (mvn package -DskipTests) and copying dependencies ..." >&2
rm -rf ./*/target/dependency  # jars of an earlier dependency set must not come along
# Third-party jars per module and scope (target/dependency/{compile,runtime,test}/), minus the project's own modules
# (taken from target/ below) and JUnit (inside the console launcher).
# shellcheck disable=SC2086
mvn -B -q ${MVN_ARGS:-} "${native_flag[@]}" package -DskipTests \
  org.apache.maven.plugins:maven-dependency-plugin:3.9.0:copy-dependencies -Dmdep.useSubDirectoryPerScope=true \
  -DexcludeGroupIds=dev.latentr3,org.junit.jupiter,org.junit.platform,org.opentest4j,org.apiguardian
# shellcheck disable=SC2086
mvn -B -q -N ${MVN_ARGS:-} org.apache.maven.plugins:maven-dependency-plugin:3.9.0:copy \
  -Dartifact="org.junit.platform:junit-platform-console-standalone:$version" -DoutputDirectory="$deps" -Dmdep.stripVersion=true

rm -rf "$stage"
mkdir -p "$stage/lib" "$stage/test" "$stage/native"
for m in kernels engine model train; do
  jar="$(ls "$m"/target/"$m"-*.jar 2>/dev/null | grep -v -e '-tests.jar$' -e '-sources.jar$' | head -n1)"
  [ -n "$jar" ] || { echo "gpu-bundle.sh: $m/target has no $m jar (build first, or drop --no-build)" >&2; exit 1; }
  cp "$jar" "$stage/lib/$m.jar"
done
# Main code's deps: train's compile and runtime scopes (train depends on every other main module).
for scope in compile runtime; do cp train/target/dependency/$scope/*.jar "$stage/lib/" 2>/dev/null || true; done
for m in "${gpu_modules[@]}"; do
  "$JAVA_HOME/bin/jar" --create --file "$stage/test/$m-tests.jar" -C "$m/target/test-classes" .
done
for m in "${gpu_modules[@]}"; do cp "$m"/target/dependency/test/*.jar "$stage/test/" 2>/dev/null || true; done
# A test dependency that main code already has stays once (lib/ wins).
for j in "$stage"/test/*.jar; do [ -e "$stage/lib/$(basename "$j")" ] && rm -f "$j"; done
cp "$deps/junit-platform-console-standalone.jar" "$stage/junit-console.jar"
cp bench/target/benchmarks.jar "$stage/benchmarks.jar"
cp train/target/latentr3.jar "$stage/latentr3.jar"
if [ -f kernels/target/native/libcudaemu.so ]; then
  cp kernels/target/native/libcudaemu.so kernels/target/native/*.ptx "$stage/native/"
else
  echo "gpu-bundle.sh: kernels/target/native/libcudaemu.so is missing: the bundle cannot run the emulator tests" >&2
fi
if ! unzip -l "$stage/lib/kernels.jar" dev/latentr3/kernels/cuda/kernels.list > /dev/null 2>&1; then
  echo "gpu-bundle.sh: WARNING: the kernels jar carries no fatbins (nvcc was missing at build): GPU tests will skip" >&2
fi
mkdir -p "$stage/bench/torch"
cp bench/torch/*.py "$stage/bench/torch/"
cp native/run-gpu-suite.sh "$stage/run-gpu-suite.sh"
chmod +x "$stage/run-gpu-suite.sh"

# The runtime: what jdeps finds in the project's jars and their deps (jar by jar: jdeps over all of them at once
# reported java.desktop, which none of them needs alone), plus what the launchers need at run time that jdeps does
# not see here: jdk.zipfs (JUnit scans jars through it), java.logging, java.xml, jdk.jfr (JUnit), java.management and
# jdk.unsupported (JMH), jdk.incubator.vector (our kernels). benchmarks.jar is left out on purpose: its
# commons-math3 and JNA reference java.desktop (+24 MiB) in code the CUDA benchmarks and JMH's statistics do not run.
modules="java.base,jdk.incubator.vector,java.logging,java.xml,jdk.jfr,jdk.zipfs,java.management,jdk.unsupported"
for j in "$stage"/lib/*.jar "$stage"/test/*.jar; do
  found="$("$JAVA_HOME/bin/jdeps" --multi-release 25 --ignore-missing-deps --print-module-deps "$j" 2>/dev/null || true)"
  modules="$modules${found:+,$found}"
done
modules="$(echo "$modules" | tr ',' '\n' | sort -u | paste -sd, -)"
echo "gpu-bundle.sh: jlink --add-modules $modules" >&2
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --output "$stage/jre"
# The commit the bundle's classes come from, in the bench report's form: run-gpu-suite.sh hands it to the report,
# whose own `git` would read whatever checkout the bundle happens to be unpacked in (or none).
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
git diff --quiet HEAD 2>/dev/null || commit="$commit+uncommitted"
{
  echo "latentr3 GPU bundle"
  echo "built: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "commit: $commit"
  echo "runtime: $("$stage/jre/bin/java" -version 2>&1 | head -n1); modules $modules"
  echo "GPU-test modules: ${gpu_modules[*]:-none}"
} > "$stage/BUNDLE.txt"

if [ "$tarball" = 1 ]; then
  tar -C "$out" -cJf "$out/latentr3-gpu-bundle.tar.xz.tmp" latentr3-gpu-bundle
  mv "$out/latentr3-gpu-bundle.tar.xz.tmp" "$out/latentr3-gpu-bundle.tar.xz"
fi
echo "gpu-bundle.sh: $stage ($(du -sh "$stage" | cut -f1); jre $(du -sh "$stage/jre" | cut -f1))" >&2
[ "$tarball" = 1 ] && echo "gpu-bundle.sh: $out/latentr3-gpu-bundle.tar.xz ($(du -h "$out/latentr3-gpu-bundle.tar.xz" | cut -f1))" >&2
echo "gpu-bundle.sh: on the GPU host: tar -xJf latentr3-gpu-bundle.tar.xz && latentr3-gpu-bundle/run-gpu-suite.sh --out RESULTS" >&2
