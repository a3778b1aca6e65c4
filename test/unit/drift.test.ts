// Drift (engine/tools/drift.ts) and the configuration readers it starts from (engine/tools/config-refs.ts): a served
// chain the same as the workspace's, or with another leaf, a missing intermediate, another order; the workspace key
// checked against the served leaf (SSL_CTX_check_private_key, as tools/check-key.ts); expiry on both sides; and the
// certificate and key references of nginx, Apache httpd, HAProxy, envoy and a Kubernetes TLS Secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { compareDrift, DriftError, driftText } from '../../engine/tools/drift';
import { ConfigRefError, detectFormat, findConfigRefs } from '../../engine/tools/config-refs';
import { scanPem, bytesToBase64 } from '../../engine/pem/blocks';

const pki = (n: string) => path.resolve('test/fixtures/pki', n);
const file = (n: string) => ({ name: n, bytes: new Uint8Array(fs.readFileSync(pki(n))) });
const ders = (n: string) => scanPem(fs.readFileSync(pki(n), 'utf8')).blocks.map((b) => b.der!);
const [LEAF, INTER, ROOT] = ders('chain.pem') as [Uint8Array, Uint8Array, Uint8Array];
const NOW = new Date('2030-01-01T00:00:00Z');
const codes = (r: ReturnType<typeof compareDrift>) => r.findings.map((f) => f.code).sort();

test('the served chain is the workspace\'s, and the key matches the served leaf: no finding', () => {
  const r = compareDrift({ served: [LEAF, INTER, ROOT], certificate: file('chain.pem'), key: file('leaf.key'), now: NOW });
  assert.equal(r.sameChain, true);
  assert.equal(r.keyMatchesServed, true);
  assert.deepEqual(r.findings, []);
  assert.equal(r.workspace[1]!.line, scanPem(fs.readFileSync(pki('chain.pem'), 'utf8')).blocks[1]!.range.startLine, 'each workspace certificate keeps its BEGIN line');
  assert.ok(r.served[0]!.daysLeft > 30_000, 'days to expiry (the fixtures run to 2126)');
  assert.match(driftText(r), /the same as the workspace's/);
});

test('another leaf served: the leaf differs, the workspace key does not belong to it, the workspace intermediates are not sent', () => {
  const r = compareDrift({ served: ders('ec-p256.crt'), certificate: file('chain.pem'), key: file('leaf.key'), now: NOW });
  assert.equal(r.sameLeaf, false);
  assert.equal(r.keyMatchesServed, false);
  assert.deepEqual(codes(r), ['key-mismatch', 'leaf-differs', 'missing-in-served', 'missing-in-served', 'served-older'].sort());
  const leafFinding = r.findings.find((f) => f.code === 'leaf-differs')!;
  assert.equal(leafFinding.file, 'chain.pem');
  assert.equal(leafFinding.line, 0, 'at the workspace leaf\'s BEGIN line');
});

test('the intermediate left out, or the chain in another order (RFC 8446 section 4.4.2)', () => {
  const missing = compareDrift({ served: [LEAF, ROOT], certificate: file('chain.pem'), now: NOW });
  assert.equal(missing.sameLeaf, true);
  assert.equal(missing.sameChain, false);
  assert.deepEqual(codes(missing), ['missing-in-served']);
  assert.match(missing.findings[0]!.message, /Intermediate CA/);
  const order = compareDrift({ served: [LEAF, ROOT, INTER], certificate: file('chain.pem'), now: NOW });
  assert.deepEqual(codes(order), ['chain-order']);
  const extra = compareDrift({ served: [LEAF, INTER, ROOT, ders('ec-p256.crt')[0]!], certificate: file('chain.pem'), now: NOW });
  assert.deepEqual(codes(extra), ['extra-in-served']);
});

test('expiry: an expired served certificate is an error, one within 30 days a warning', () => {
  const expired = ders('expired.crt');
  const r = compareDrift({ served: expired, certificate: file('expired.crt'), now: NOW });
  assert.deepEqual(codes(r), ['expired']);
  const notAfter = Date.parse(r.served[0]!.notAfter);
  const soon = compareDrift({ served: expired, certificate: file('expired.crt'), now: new Date(notAfter - 10 * 86_400_000) });
  assert.deepEqual(codes(soon), ['expires-soon']);
});

test('bad input is a DriftError naming the field', () => {
  assert.throws(() => compareDrift({ served: [], certificate: file('chain.pem') }), (e: unknown) => e instanceof DriftError && e.field === 'served');
  assert.throws(() => compareDrift({ served: [Uint8Array.of(1, 2, 3)], certificate: file('chain.pem') }), (e: unknown) => e instanceof DriftError && e.field === 'served');
  assert.throws(() => compareDrift({ served: [LEAF], certificate: file('leaf.key') }), (e: unknown) => e instanceof DriftError && e.field === 'certificate' && /no certificate in leaf\.key/.test(e.message));
});

test('nginx: ssl_certificate and ssl_certificate_key per server block, comments and data: values skipped', () => {
  const conf = [
    'http {',
    '  server {',
    '    listen 443 ssl;',
    '    server_name a.example;',
    '    ssl_certificate     /etc/ssl/a/fullchain.pem;',
    '    ssl_certificate_key "/etc/ssl/a/privkey.pem";',
    '    # ssl_certificate /old.pem;',
    '  }',
    '  server {',
    '    ssl_certificate certs/b.pem; ssl_certificate_key certs/b.key;',
    '    ssl_certificate data:$var;',
    '  }',
    '}',
  ].join('\n');
  assert.equal(detectFormat(conf, 'site.conf'), 'nginx');
  const refs = findConfigRefs(conf, 'site.conf');
  assert.deepEqual(refs.map((r) => [r.directive, r.role, r.path, r.line, r.group]), [
    ['ssl_certificate', 'certificate', '/etc/ssl/a/fullchain.pem', 4, 'server block 1'],
    ['ssl_certificate_key', 'key', '/etc/ssl/a/privkey.pem', 5, 'server block 1'],
    ['ssl_certificate', 'certificate', 'certs/b.pem', 9, 'server block 2'],
  ]);
});

test('Apache: SSLCertificateFile, SSLCertificateKeyFile, SSLCertificateChainFile per VirtualHost', () => {
  const conf = '<VirtualHost *:443>\n  SSLEngine on\n  SSLCertificateFile /etc/pki/a.crt\n  SSLCertificateKeyFile /etc/pki/a.key\n  SSLCertificateChainFile "/etc/pki/chain.crt"\n</VirtualHost>\n';
  assert.deepEqual(findConfigRefs(conf, 'ssl.conf').map((r) => [r.role, r.path, r.line, r.group]), [
    ['certificate', '/etc/pki/a.crt', 2, 'VirtualHost *:443'], ['key', '/etc/pki/a.key', 3, 'VirtualHost *:443'], ['chain', '/etc/pki/chain.crt', 4, 'VirtualHost *:443'],
  ]);
});

test('HAProxy: crt on a bind line (the PEM holds chain and key); crt-list not followed', () => {
  const conf = 'frontend fe_https\n  bind :443 ssl crt /etc/haproxy/site.pem alpn h2\n  bind :8443 ssl crt-list /etc/haproxy/list.txt\n';
  assert.deepEqual(findConfigRefs(conf, 'haproxy.cfg').map((r) => [r.role, r.path, r.line, r.group]), [['certificate+key', '/etc/haproxy/site.pem', 1, 'frontend fe_https']]);
});

test('envoy: certificate_chain and private_key filenames, on the next line or inline', () => {
  const yaml = [
    'transport_socket:',
    '  typed_config:',
    '    common_tls_context:',
    '      tls_certificates:',
    '      - certificate_chain:',
    '          filename: "/etc/envoy/cert.pem"',
    '        private_key: { filename: /etc/envoy/key.pem }',
  ].join('\n');
  assert.deepEqual(findConfigRefs(yaml, 'envoy.yaml').map((r) => [r.directive, r.role, r.path, r.line]), [
    ['certificate_chain', 'certificate', '/etc/envoy/cert.pem', 5], ['private_key', 'key', '/etc/envoy/key.pem', 6],
  ]);
});

test('Kubernetes Secret (kubernetes.io/tls): tls.crt and tls.key decoded from base64; a value that is not base64 is an error at its line', () => {
  const pem = fs.readFileSync(pki('leaf.crt'));
  const yaml = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: web-tls\ntype: kubernetes.io/tls\ndata:\n  tls.crt: ${bytesToBase64(pem)}\n  tls.key: ${bytesToBase64(fs.readFileSync(pki('leaf.key')))}\n`;
  const refs = findConfigRefs(yaml, 'secret.yaml');
  assert.deepEqual(refs.map((r) => [r.directive, r.role, r.line, r.group]), [['tls.crt', 'certificate', 6, 'Secret web-tls'], ['tls.key', 'key', 7, 'Secret web-tls']]);
  assert.equal(Buffer.from(refs[0]!.inline!).toString(), pem.toString());
  // And it feeds drift directly.
  const r = compareDrift({ served: [LEAF, INTER], certificate: { name: 'secret.yaml', bytes: refs[0]!.inline! }, key: { name: 'secret.yaml', bytes: refs[1]!.inline! }, now: NOW });
  assert.equal(r.keyMatchesServed, true);
  assert.deepEqual(codes(r), ['extra-in-served']);
  assert.throws(() => findConfigRefs('kind: Secret\ndata:\n  tls.crt: not*base64\n  tls.key: AAAA\n'), (e: unknown) => e instanceof ConfigRefError && e.line === 2);
  assert.deepEqual(findConfigRefs('just text'), []);
});
