#!/usr/bin/env bash
# Regenerates the PEM fixtures of the VS Code suite in this folder with openssl.
# The outputs are checked in; run this only to remake them (keys are random, so
# every file changes). See README.md here for what each file is.
#   usage: bash test/vscode/workspace/make.sh
set -euo pipefail
command -v openssl >/dev/null 2>&1 || { echo "make.sh: missing tool 'openssl'" >&2; exit 1; }
cd "$(dirname "$0")"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT

p256() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }   # PKCS#8

# server: P-256, CN=localhost, SAN DNS:localhost,IP:127.0.0.1, valid 100 years
p256 "$T/server.key"
openssl req -x509 -new -key "$T/server.key" -out "$T/server.crt" -days 36500 -sha256 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1
cp "$T/server.crt" server-cert.pem
cp "$T/server.key" server-key.pem
cat "$T/server.crt" "$T/server.key" > server.pem

# mismatch: the same certificate with a different P-256 key
p256 "$T/other.key"
cat "$T/server.crt" "$T/other.key" > mismatch.pem

# expired: CN=expired.example, valid only during 2020, signed by a throwaway CA.
# (openssl 3.0 has no -not_before/-not_after on x509/req, so use `openssl ca`.)
mkdir -p "$T/ca/new"; : > "$T/ca/index.txt"; echo 1000 > "$T/ca/serial"
cat > "$T/ca.cnf" <<EOF
[ ca ]
default_ca = tmpca
[ tmpca ]
dir = $T/ca
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir/new
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = copy
email_in_dn = no
[ anything ]
commonName = supplied
EOF
p256 "$T/ca.key"
openssl req -x509 -new -key "$T/ca.key" -out "$T/ca.crt" -days 36500 -subj "/CN=TLS Lens Test CA"
p256 "$T/expired.key"
openssl req -new -key "$T/expired.key" -out "$T/expired.csr" -subj /CN=expired.example \
  -addext subjectAltName=DNS:expired.example
openssl ca -batch -notext -config "$T/ca.cnf" -cert "$T/ca.crt" -keyfile "$T/ca.key" \
  -in "$T/expired.csr" -out expired.pem -startdate 20200101000000Z -enddate 20201231235959Z 2>/dev/null

# broken: the server certificate with line 4 (1-based; the 3rd base64 line)
# cut to 40 characters and ended with characters that are not base64.
awk 'NR == 4 { print substr($0, 1, 40) "*#!"; next } { print }' "$T/server.crt" > broken.pem

# chains from the unit tests' PKI (test/fixtures/pki: root -> intermediate -> leaf.example.com): in the order a
# server sends them, reversed (root first), and the root alone as the trust store
P=../../fixtures/pki
cat "$P/leaf.crt" "$P/intermediate-ca.crt" > chain.pem
cat "$P/root-ca.crt" "$P/intermediate-ca.crt" "$P/leaf.crt" > chain-reversed.pem
cp "$P/root-ca.crt" chain-root.pem

chmod 644 ./*.pem

# check what we made
openssl x509 -in server.pem -noout -checkend 0 >/dev/null
[ "$(openssl pkey -in server-key.pem -pubout)" = "$(openssl x509 -in server-cert.pem -noout -pubkey)" ]
[ "$(openssl pkey -in mismatch.pem -pubout)" != "$(openssl x509 -in mismatch.pem -noout -pubkey)" ]
! openssl x509 -in expired.pem -noout -checkend 0 >/dev/null
! openssl x509 -in broken.pem -noout 2>/dev/null
echo "fixtures written to $(pwd)"
