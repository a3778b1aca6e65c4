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

# CAPTURES_REC=DIR keeps the recording there, and a later run with the same DIR cuts again without filming.
if [ -n "${CAPTURES_REC:-}" ]; then rec=$CAPTURES_REC; mkdir -p "$rec"
else rec=$(mktemp -d "${TMPDIR:-/tmp}/tls-lens-captures.XXXXXX"); trap 'rm -rf "$rec"' EXIT; fi
[ -f "$rec/timeline.json" ] || {
node esbuild.mjs --tests >/dev/null
bash scripts/install-code-server.sh "$CODE_SERVER_DIR" >/dev/null
node test/vscode/run-in-code-server.mjs --code-server "$CODE_SERVER_DIR" --suite none --record "$rec" --out "$rec/artifacts" --timeout 1200 || true   # cut what passed
}

for pair in "${checks[@]}"; do
  name=${pair%%=*} file=${pair#*=}
  [ "$file" != "$pair" ] || file=$name
  # The frames filmed while the check ran (from 0.3 s before to 1.2 s after), as an ffconcat list: Chromium sends
  # a frame per repaint, so each is shown until the next one came (at most 1.2 s: waits on a loaded machine are cut).
  node -e "
    const [dir, name] = process.argv.slice(1);
    const tl = require(dir + '/timeline.json');
    const c = tl.checks.find((x) => x.name === name);
    if (!c) { console.error('make-captures: no check named ' + name + ' passed in this run'); process.exit(1); }
    const from = c.start - 300, to = c.end + 1200;
    const frames = tl.frames.filter((f) => f.t >= from && f.t <= to);
    const before = tl.frames.filter((f) => f.t < from).pop();
    if (before) frames.unshift({ ...before, t: from });
    if (!frames.length) { console.error('make-captures: no frames for ' + name); process.exit(1); }
    const lines = ['ffconcat version 1.0'];
    frames.forEach((f, i) => lines.push('file ' + f.file, 'duration ' + (Math.min(((frames[i + 1]?.t ?? to) - f.t), 1200) / 1000).toFixed(3)));
    lines.push('file ' + frames[frames.length - 1].file);   // the concat demuxer ignores the last duration otherwise
    require('fs').writeFileSync(dir + '/' + name + '.ffconcat', lines.join('\n') + '\n');
    console.log('make-captures: ' + name + ': ' + frames.length + ' frames, ' + ((to - from) / 1000).toFixed(1) + ' s');
  " "$rec" "$name"
  out="docs/images/$file.gif"
  # Twice the speed, 8 frames a second at 960 px wide: legible text in a few hundred KB.
  filters="setpts=PTS/2,fps=8,scale=960:-1:flags=lanczos"
  ffmpeg -loglevel error -y -f concat -i "$rec/$name.ffconcat" -vf "$filters,palettegen=stats_mode=diff" "$rec/palette.png"
  ffmpeg -loglevel error -y -f concat -i "$rec/$name.ffconcat" -i "$rec/palette.png" \
    -lavfi "$filters [v]; [v][1:v] paletteuse=dither=bayer:bayer_scale=4:diff_mode=rectangle" -loop 0 "$out"
  echo "make-captures: $out ($(du -k "$out" | cut -f1) KB)"
done
