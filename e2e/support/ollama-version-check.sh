#!/usr/bin/env bash
# Runs Hone's Ollama-facing tests against another Ollama release, built from its Go module like CI's 0.11.4:
#   bash e2e/support/ollama-version-check.sh 0.17.4 [--style]
# --style adds the real-model acceptance (SmolLM2 tuned on the house style, 30 held-out prompts through that
# server; ~5 min once the trained run is cached). Needs what `.ci/run` installed (Go, the test Python, the model).
#
# Why the extra headers: Go module zips leave out every folder named `vendor`, and from about 0.12 Ollama's
# llama.cpp sources include miniaudio, stb_image and nlohmann/json from llama/llama.cpp/vendor. A plain
# `go install github.com/ollama/ollama@v0.12+` therefore fails. The same single-header libraries ship in PyPI's
# llama-cpp-python sdist (vendor/llama.cpp/vendor), pinned here by hash; they are only compiled in, never committed.
set -euo pipefail
VERSION="${1:?usage: ollama-version-check.sh <version, e.g. 0.17.4> [--style]}"
STYLE="${2:-}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CACHE="${HONE_CI_CACHE:-$HOME/.cache/hone-ci}"
OUT="$CACHE/ollama-$VERSION"
SDIST_NAME=llama_cpp_python-0.3.36.tar.gz
SDIST_SHA256=832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e
export GOPATH="$CACHE/go" GOFLAGS=-modcacherw GOTOOLCHAIN=auto

if [ ! -x "$OUT/bin/ollama" ]; then
  src="$(go mod download -json "github.com/ollama/ollama@v$VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  cp -r "$src" "$work/ollama" && chmod -R u+w "$work/ollama"
  if grep -rqs 'miniaudio/miniaudio.h\|stb/stb_image.h\|nlohmann/json' "$work/ollama/llama" && [ ! -d "$work/ollama/llama/llama.cpp/vendor" ]; then
    sdist="$CACHE/$SDIST_NAME"
    if [ ! -f "$sdist" ] || ! echo "$SDIST_SHA256  $sdist" | sha256sum -c --quiet; then
      url="$(curl -fsS -H 'Accept: application/vnd.pypi.simple.v1+json' https://pypi.org/simple/llama-cpp-python/ |
        python3 -c "import json,sys; print(next(f['url'] for f in json.load(sys.stdin)['files'] if f['filename']=='$SDIST_NAME'))")"
      curl -fsSL -o "$sdist.part" "$url"
      echo "$SDIST_SHA256  $sdist.part" | sha256sum -c --quiet
      mv "$sdist.part" "$sdist"
    fi
    tar xzf "$sdist" -C "$work" --wildcards '*/vendor/llama.cpp/vendor/miniaudio/*' '*/vendor/llama.cpp/vendor/stb/*' '*/vendor/llama.cpp/vendor/nlohmann/*'
    mkdir -p "$work/ollama/llama/llama.cpp/vendor"
    cp -r "$work"/llama_cpp_python-*/vendor/llama.cpp/vendor/{miniaudio,stb,nlohmann} "$work/ollama/llama/llama.cpp/vendor/"
  fi
  mkdir -p "$OUT/bin"
  (cd "$work/ollama" && go build -ldflags "-X=github.com/ollama/ollama/version.Version=$VERSION" -o "$OUT/bin/ollama" .)
fi
"$OUT/bin/ollama" --version 2>&1 | tail -1

cd "$ROOT"
export HONE_OLLAMA_BIN="$OUT/bin/ollama"
export HONE_PYTHON="${HONE_PYTHON:-$CACHE/python-env/bin/python}"
export UV_CACHE_DIR="${UV_CACHE_DIR:-$CACHE/uv}"
unset HONE_TEST_OLLAMA_HOST # each test file starts this server on a free port
tests=(
  electron/core/ollama/integration/chat.test.ts
  electron/core/ollama/integration/template-equivalence.test.ts
  electron/core/ollama/integration/templates.test.ts
  electron/core/ollama/integration/send-to-ollama.test.ts
  electron/core/exports/integration/real-run.test.ts
  electron/core/exports/integration/gguf-export.test.ts
  electron/cli/commands/send-to-ollama.test.ts
  electron/cli/commands/export.test.ts
)
[ "$STYLE" = "--style" ] && tests+=(electron/core/runs/integration/real-style.test.ts)
npx tsx --test "${tests[@]}"
