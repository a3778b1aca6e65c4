#!/usr/bin/env bash
# The body of `npm test`. Runs every part, even after one has failed:
#   1. scripts/install-test-deps.sh           (apt: what the unit tests need)
#   2. node esbuild.mjs --tests               (dist/ and out/test/)
#   3. npx tsc -p . --noEmit                  (type check)
#   4. node --test on out/test/unit/**/*.test.mjs and out/test/interop/**/*.test.mjs (real peers on 127.0.0.1)
#   5. a real VS Code: scripts/install-code-server.sh, then test/vscode/run-in-code-server.mjs
#   5b. the same suite and UI checks with VS Code's display language Simplified Chinese (--locale zh-cn,
#      screenshots in test/artifacts/zh-cn; test/vscode/install-cjk-font.sh gives Chromium a Chinese font)
#   6. npm run package, and the UI checks again against that .vsix installed into the same VS Code
# then prints one line "N passed, N failed": the tests counted by the unit and
# VS Code parts, plus one failure for each other part that failed (or for a
# test part that failed without counting). Exits non-zero if any part failed.
#   env: CODE_SERVER_DIR (default .vscode-test/code-server)
set -uo pipefail
cd "$(dirname "$0")/.."

CODE_SERVER_DIR=${CODE_SERVER_DIR:-.vscode-test/code-server}
LOGS=$(mktemp -d "${TMPDIR:-/tmp}/tls-lens-test.XXXXXX")
trap 'rm -rf "$LOGS"' EXIT

passed=0 failed=0 skipped=0
parts=()        # "name: result" lines for the recap

part() { echo; echo "=== $* ==="; }
record() {      # record NAME RESULT
  parts+=("$1: $2")
}
step() {        # step NAME CMD... : a part that passes or fails as a whole
  local name=$1; shift
  part "$name"
  if "$@"; then record "$name" ok
  else local rc=$?; failed=$((failed + 1)); record "$name" "FAILED (exit $rc)"; fi
}

step "test dependencies" bash scripts/install-test-deps.sh
# Remove earlier test bundles so that a deleted or unbuilt test cannot run stale.
rm -rf out/test
step "build" node esbuild.mjs --tests
step "typecheck" npx --no-install tsc -p . --noEmit

# --- unit tests ---------------------------------------------------------------
part "unit tests"
mapfile -t unit_files < <(find out/test/unit out/test/interop -name '*.test.mjs' -type f 2>/dev/null | sort)
if [ ${#unit_files[@]} -eq 0 ]; then
  echo "unit tests: no out/test/unit/**/*.test.mjs (no test/unit/**/*.test.ts, or the build failed)" >&2
  failed=$((failed + 1)); record "unit tests" "FAILED (no test files)"
else
  # Node 20's --test takes no globs: the files are listed here. The spec
  # reporter is for people; the TAP copy is for counting.
  tap="$LOGS/unit.tap"
  node --test --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap" "${unit_files[@]}"
  rc=$?
  count() { sed -n "s/^# $1 \([0-9][0-9]*\)\$/\1/p" "$tap" 2>/dev/null | tail -1; }
  p=$(count pass) f=$(count fail) c=$(count cancelled) s=$(count skipped) t=$(count todo)
  if [ -z "$p" ] || [ -z "$f" ]; then
    failed=$((failed + 1)); record "unit tests" "FAILED (exit $rc, no counts in the TAP output)"
  else
    f=$((f + ${c:-0}))
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + ${s:-0} + ${t:-0}))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
      failed=$((failed + 1)); record "unit tests" "FAILED (exit $rc; $p passed)"
    else
      [ "${c:-0}" -gt 0 ] && c=" (of which $c cancelled)" || c=""
      record "unit tests" "$p passed, $f failed$c, ${s:-0} skipped, ${t:-0} todo"
    fi
  fi
fi

# --- the extension in a real VS Code ------------------------------------------
part "VS Code (code-server): install"
if bash scripts/install-code-server.sh "$CODE_SERVER_DIR"; then
  part "VS Code (code-server): suite and UI"
  log="$LOGS/vscode.log"
  node test/vscode/run-in-code-server.mjs --code-server "$CODE_SERVER_DIR" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
  if [ -z "$line" ]; then
    failed=$((failed + 1)); record "VS Code" "FAILED (exit $rc, no counts)"
  else
    p=${line%% passed*}; f=${line#*, }; f=${f%% failed}
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
      failed=$((failed + 1)); record "VS Code" "FAILED (exit $rc; $line)"
    else
      record "VS Code" "$line"
    fi
  fi
else
  rc=$?
  failed=$((failed + 1))
  record "VS Code install" "FAILED (exit $rc)"
  record "VS Code" "NOT RUN: code-server could not be installed"
fi

# --- the same, with VS Code's display language Simplified Chinese (zh-cn) ------------
part "VS Code (code-server): suite and UI in zh-cn"
if [ -d "$CODE_SERVER_DIR/node_modules/code-server" ]; then
  bash test/vscode/install-cjk-font.sh || echo "zh-cn: no Chinese font for Chromium: the screenshots will show boxes" >&2
  log="$LOGS/vscode-zh-cn.log"
  node test/vscode/run-in-code-server.mjs --code-server "$CODE_SERVER_DIR" --locale zh-cn --out test/artifacts/zh-cn 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
  if [ -z "$line" ]; then
    failed=$((failed + 1)); record "VS Code zh-cn" "FAILED (exit $rc, no counts)"
  else
    p=${line%% passed*}; f=${line#*, }; f=${f%% failed}
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
      failed=$((failed + 1)); record "VS Code zh-cn" "FAILED (exit $rc; $line)"
    else
      record "VS Code zh-cn" "$line"
    fi
  fi
else
  failed=$((failed + 1)); record "VS Code zh-cn" "NOT RUN: code-server could not be installed"
fi

# --- the packaged extension, installed as a user installs it ---------------------
part "VS Code (code-server): the packaged .vsix"
if [ -d "$CODE_SERVER_DIR/node_modules/code-server" ] && npm run --silent package > "$LOGS/package.log" 2>&1; then
  tail -1 "$LOGS/package.log"
  log="$LOGS/vsix.log"
  node test/vscode/run-in-code-server.mjs --code-server "$CODE_SERVER_DIR" --vsix tls-lens.vsix --suite none \
    --out test/artifacts/vsix 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
  if [ -z "$line" ]; then
    failed=$((failed + 1)); record "VS Code .vsix" "FAILED (exit $rc, no counts)"
  else
    p=${line%% passed*}; f=${line#*, }; f=${f%% failed}
    passed=$((passed + p)); failed=$((failed + f))
    record "VS Code .vsix" "$line"
  fi
else
  cat "$LOGS/package.log" 2>/dev/null | tail -20
  failed=$((failed + 1)); record "VS Code .vsix" "FAILED (npm run package, or no code-server)"
fi

echo
echo "=== summary ==="
for r in "${parts[@]}"; do echo "  $r"; done
[ "$skipped" -gt 0 ] && echo "  ($skipped unit tests skipped or todo)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
