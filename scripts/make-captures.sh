#!/usr/bin/env bash
# The README's animated captures (docs/images/*.gif), cut from a video of the real UI checks:
#   1. run-in-code-server.mjs --suite none --record DIR: the UI checks of test/vscode/ui.mjs in a real VS Code
#      (code-server + Chromium), filmed by Playwright, with DIR/timeline.json saying when each check ran;
#   2. ffmpeg cuts the checks named below and turns each into a small looping GIF (two-pass palette).
# Not part of `npm test`: run it by hand after the UI changes, look at the GIFs, and commit them.
#   usage: bash scripts/make-captures.sh [CHECK=NAME ...]   (default: hover, checkkey-mismatch, connect-to-host)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v ffmpeg >/dev/null || { echo "make-captures: ffmpeg is missing (apt-get install ffmpeg)" >&2; exit 1; }
CODE_SERVER_DIR=${CODE_SERVER_DIR:-.vscode-test/code-server}
checks=("$@")
[ ${#checks[@]} -gt 0 ] || checks=(hover=hover checkkey-mismatch=check-key connect-to-host=connect-to-host)

rec=$(mktemp -d "${TMPDIR:-/tmp}/tls-lens-captures.XXXXXX")
trap 'rm -rf "$rec"' EXIT
node esbuild.mjs --tests >/dev/null
bash scripts/install-code-server.sh "$CODE_SERVER_DIR" >/dev/null
node test/vscode/run-in-code-server.mjs --code-server "$CODE_SERVER_DIR" --suite none --record "$rec" --out "$rec/artifacts"

video="$rec/$(node -p "require('$rec/timeline.json').video")"
for pair in "${checks[@]}"; do
  name=${pair%%=*} file=${pair#*=}
  [ "$file" != "$pair" ] || file=$name
  read -r start end < <(node -e "
    const t = require('$rec/timeline.json').checks.find((c) => c.name === process.argv[1]);
    if (!t) { console.error('make-captures: no check named ' + process.argv[1] + ' passed in this run'); process.exit(1); }
    console.log(Math.max(0, t.start - 0.3).toFixed(2), (t.end + 1.2).toFixed(2));" "$name")
  out="docs/images/$file.gif"
  # 8 frames a second at 960 px wide: legible text in a few hundred KB.
  filters="fps=8,scale=960:-1:flags=lanczos"
  ffmpeg -loglevel error -y -ss "$start" -to "$end" -i "$video" -vf "$filters,palettegen=stats_mode=diff" "$rec/palette.png"
  ffmpeg -loglevel error -y -ss "$start" -to "$end" -i "$video" -i "$rec/palette.png" \
    -lavfi "$filters [v]; [v][1:v] paletteuse=dither=bayer:bayer_scale=4:diff_mode=rectangle" -loop 0 "$out"
  echo "make-captures: $out ($(du -k "$out" | cut -f1) KB, ${start}s to ${end}s of the UI run)"
done
