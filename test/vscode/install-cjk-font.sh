#!/usr/bin/env bash
# A font with Chinese glyphs for Chromium, so that screenshots of the zh-cn run (run-in-code-server.mjs --locale zh-cn)
# show the extension's Chinese words rather than empty boxes. Debian's WenQuanYi Micro Hei (about 5 MB). Idempotent:
# does nothing when fontconfig already knows a font for Chinese.
set -euo pipefail
if fc-list :lang=zh 2>/dev/null | grep -q .; then exit 0; fi
SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y fonts-wqy-microhei || { $SUDO apt-get update && $SUDO apt-get install -y fonts-wqy-microhei; }
fc-list :lang=zh | grep -q . || { echo "install-cjk-font: still no font for Chinese" >&2; exit 1; }
