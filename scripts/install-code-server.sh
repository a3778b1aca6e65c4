#!/usr/bin/env bash
# Install a real VS Code for the extension tests, offline: the code-server npm
# package (VS Code 1.100.3 server + web workbench) and playwright-core, into DIR,
# using only the npm registry and Debian's packages (Chromium drives the page).
# Idempotent: a second run with the same DIR checks the install and returns in
# about a second.
#
#   usage: bash scripts/install-code-server.sh DIR      (e.g. .vscode-test/code-server, git-ignored)
#   env:   CODE_SERVER_VERSION (default 4.100.3), PLAYWRIGHT_CORE_VERSION (default 1.65.1)
#
# Afterwards: node DIR/node_modules/code-server/out/node/entry.js ...
#             require('playwright-core') resolves from DIR/node_modules
# test/vscode/run-in-code-server.mjs uses both.
set -euo pipefail

DIR=${1:?usage: install-code-server.sh DIR}
CS=${CODE_SERVER_VERSION:-4.100.3}   # 4.100.x is the last code-server line that runs on Node 20
PW=${PLAYWRIGHT_CORE_VERSION:-1.65.1}
NATIVE="@vscode/spdlog kerberos native-watchdog @vscode/deviceid @parcel/watcher node-pty"
STAMP="code-server@$CS playwright-core@$PW"
# Debian packages: kerberos builds against libkrb5-dev; ripgrep replaces the
# binary that @vscode/ripgrep would download; chromium is the browser; the
# native modules build with g++/make/python3 (node-gyp).
APT_PACKAGES="libkrb5-dev ripgrep chromium g++ make python3"

die() { echo "install-code-server: $*" >&2; exit 1; }
need_tool() {   # need_tool TOOL [WHY]
  command -v "$1" >/dev/null 2>&1 || die "missing tool '$1'${2:+ ($2)}"
}

need_tool node "Node.js 20 is required"
need_tool npm
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
VS="$DIR/node_modules/code-server/lib/vscode"

check() {   # every native module loads with this Node, and the entry point is there
  [ -f "$DIR/node_modules/code-server/out/node/entry.js" ] || return 1
  [ -x "$VS/node_modules/@vscode/ripgrep/bin/rg" ] || return 1
  [ -x /usr/bin/chromium ] || return 1
  (cd "$VS" && node -e "for (const m of process.argv.slice(1)) require(m)" $NATIVE) >/dev/null 2>&1 || return 1
  (cd "$DIR" && node -e "require('argon2'); require('playwright-core')") >/dev/null 2>&1 || return 1
}

if [ "$(cat "$DIR/.installed" 2>/dev/null)" = "$STAMP" ] && check; then
  echo "code-server $CS already installed in $DIR"; exit 0
fi

# --- system packages (only the missing ones; apt-get update once) -----------
need=()
for p in $APT_PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  need_tool apt-get "to install: ${need[*]}"
  SUDO=
  if [ "$(id -u)" != 0 ]; then need_tool sudo "to install as non-root: ${need[*]}"; SUDO=sudo; fi
  echo "install-code-server: apt-get install ${need[*]}"
  # not --no-install-recommends: chromium's Recommends bring the fonts screenshots need
  { $SUDO apt-get update -q && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"; } ||
    echo "install-code-server: apt-get failed; checking what is missing" >&2
fi
need_tool rg "Debian package ripgrep"
need_tool g++ "Debian package g++"
need_tool make "Debian package make"
need_tool python3 "Debian package python3"
[ -x /usr/bin/chromium ] || die "missing tool '/usr/bin/chromium' (Debian package chromium)"
[ -f /usr/include/krb5.h ] || [ -f /usr/include/krb5/krb5.h ] || die "missing 'krb5.h' (Debian package libkrb5-dev)"

# node-gyp must build against the local Node headers, not download them.
if [ -z "${npm_config_nodedir:-}" ] && [ "$(npm config get nodedir 2>/dev/null)" = "undefined" ]; then
  nd=$(dirname "$(dirname "$(command -v node)")")
  [ -f "$nd/include/node/node.h" ] && export npm_config_nodedir="$nd"
fi
export npm_config_yes=true            # node-pty and argon2 call npx node-gyp
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

# --- npm packages -------------------------------------------------------------
cd "$DIR"
[ -f package.json ] || npm init -y >/dev/null
# --ignore-scripts: code-server's postinstall downloads ripgrep and fails offline.
npm install --ignore-scripts "code-server@$CS" "playwright-core@$PW"

cd "$VS"
npm install --omit=dev --ignore-scripts        # exact versions from its npm-shrinkwrap.json
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
npm rebuild $NATIVE
(cd extensions && npm install --omit=dev --ignore-scripts)
ln -sfn node_modules node_modules.asar
cd "$DIR"
npm rebuild argon2

check || die "a native module of code-server does not load (see the npm output above)"
echo "$STAMP" > "$DIR/.installed"
echo "code-server $CS installed in $DIR"
