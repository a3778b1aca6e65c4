#!/usr/bin/env bash
# Installs with apt what the unit tests need, only what is missing
# (`apt-get update` at most once), then checks that every tool is there.
#   usage: bash scripts/install-test-deps.sh
set -euo pipefail

# Debian packages the tests need. Add packages here (e.g. gnutls-bin tshark).
TEST_APT_PACKAGES="openssl libssl-dev gnutls-bin iproute2 tshark ca-certificates postgresql dovecot-imapd dovecot-pop3d dovecot-lmtpd dovecot-managesieved dovecot-submissiond tinyproxy microsocks slapd vsftpd mariadb-server prosody inspircd curl"
# The command each package must provide (package:command; a package not listed
# here is checked by its name as a command).
TEST_TOOLS="openssl:openssl libssl-dev:openssl gnutls-bin:gnutls-cli iproute2:ip tshark:tshark ca-certificates:update-ca-certificates postgresql:pg_lsclusters dovecot-imapd:dovecot dovecot-pop3d:dovecot dovecot-lmtpd:dovecot dovecot-managesieved:dovecot dovecot-submissiond:dovecot tinyproxy:tinyproxy microsocks:microsocks slapd:slapd vsftpd:vsftpd mariadb-server:mariadbd prosody:prosody inspircd:inspircd curl:curl"

tool_of() {   # tool_of PACKAGE -> the command that package must provide
  local pair
  for pair in $TEST_TOOLS; do
    [ "${pair%%:*}" = "$1" ] && { echo "${pair#*:}"; return; }
  done
  echo "$1"
}

missing=()
for p in $TEST_APT_PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
    && command -v "$(tool_of "$p")" >/dev/null 2>&1 || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=
    if [ "$(id -u)" != 0 ]; then
      command -v sudo >/dev/null 2>&1 && SUDO=sudo || echo "install-test-deps: not root and no sudo; cannot install ${missing[*]}" >&2
    fi
    if [ "$(id -u)" = 0 ] || [ -n "$SUDO" ]; then
      echo "install-test-deps: apt-get install ${missing[*]}"
      # tshark asks whether non-root users may capture; answer no, without a prompt
      echo 'wireshark-common wireshark-common/install-setuid boolean false' | $SUDO debconf-set-selections 2>/dev/null || true
      { $SUDO apt-get update -q && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"; } ||
        echo "install-test-deps: apt-get failed; checking what is missing" >&2
    fi
  else
    echo "install-test-deps: no apt-get; cannot install ${missing[*]}" >&2
  fi
fi

still=()
for p in $TEST_APT_PACKAGES; do
  t=$(tool_of "$p")
  command -v "$t" >/dev/null 2>&1 || still+=("'$t' (Debian package $p)")
done
if [ ${#still[@]} -gt 0 ]; then
  echo "install-test-deps: missing tool ${still[*]}" >&2
  exit 1
fi
echo "install-test-deps: ok ($TEST_APT_PACKAGES)"
