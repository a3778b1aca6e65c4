// "self signed certificate in certificate chain" explained (engine/tools/cert-error-explain.ts) from what Node's TLS
// receives (engine/tools/node-tls-probe.ts): a local HTTPS server on 127.0.0.1 whose chain is signed by a private CA
// (test/fixtures/pki: leaf, intermediate, root) gives SELF_SIGNED_CERT_IN_CHAIN; the explanation names the root, says
// it is no public root (Node's tls.rootCertificates) and what to set; a different leaf on the direct connection is
// read as interception; the root in the system store points at http.systemCertificates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { explainCertificateError, certErrorText } from '../../engine/tools/cert-error-explain';
import { probeWithNodeTls } from '../../engine/tools/node-tls-probe';
import { fetchServedChain } from '../../engine/tools/served-chain';
import { certsFromBytes, loadCert } from '../../engine/x509/verify';
import { scanPem } from '../../engine/pem/blocks';

const pki = (n: string) => path.resolve('test/fixtures/pki', n);
const publicRoots = certsFromBytes(new TextEncoder().encode(tls.rootCertificates.join('\n')), 'tls.rootCertificates').certs;
const derOf = (n: string) => scanPem(fs.readFileSync(pki(n), 'utf8')).blocks.map((b) => b.der!);

test('a local server with a private CA\'s chain: Node says SELF_SIGNED_CERT_IN_CHAIN; the explanation names the root, not public, not intercepted, and NODE_EXTRA_CA_CERTS', { timeout: 20_000 }, async () => {
  const server = https.createServer({ cert: fs.readFileSync(pki('chain.pem')), key: fs.readFileSync(pki('leaf.key')) }, (_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  try {
    const url = `https://127.0.0.1:${port}/`;
    const node = await probeWithNodeTls(url);
    assert.equal(node.authorized, false);
    assert.equal(node.error, 'SELF_SIGNED_CERT_IN_CHAIN');
    assert.equal(node.chain.length, 3, 'leaf, intermediate and the root the server sends');
    const direct = await fetchServedChain('127.0.0.1', port);
    assert.ok(publicRoots.length > 50, `Node's public roots loaded: ${publicRoots.length}`);
    const e = explainCertificateError({ url, node, engine: direct, publicRoots, systemRoots: [], env: {}, settings: {} });
    assert.equal(e.verdict, 'private-ca');
    assert.equal(e.signer?.subject, 'C = US, O = TLS Lens Test, OU = PKI + OU = Testing, CN = TLS Lens Test Root CA');
    assert.equal(e.signer?.publicRoot, false);
    assert.equal(e.signer?.inSystemStore, false);
    assert.equal(e.sameAsDirect, true);
    assert.deepEqual(e.fixes.map((f) => f.name), ['http.systemCertificates', 'NODE_EXTRA_CA_CERTS', 'http.proxyStrictSSL']);
    const text = certErrorText(e);
    assert.match(text, /"self signed certificate in certificate chain"/);
    assert.match(text, /is a private CA, not a public root/);
  } finally {
    server.close();
  }
});

test('the direct connection gets another leaf: interception by the CA at the top of the host\'s chain; with that root in the system store, http.systemCertificates is the fix', () => {
  const chain = derOf('chain.pem');
  const root = loadCert(chain[2]!);
  const e = explainCertificateError({
    url: 'https://example.test/', node: { chain, authorized: false, error: 'SELF_SIGNED_CERT_IN_CHAIN' }, engine: { chain: derOf('ec-p256.crt') },
    publicRoots, systemRoots: [root], env: { HTTPS_PROXY: 'http://proxy.corp:3128' }, settings: { systemCertificates: false },
  });
  assert.equal(e.verdict, 'intercepted');
  assert.equal(e.sameAsDirect, false);
  assert.equal(e.signer?.inSystemStore, true);
  assert.match(e.lines.join('\n'), /re-signs the connection: TLS interception by "C = US, O = TLS Lens Test, OU = PKI \+ OU = Testing, CN = TLS Lens Test Root CA"/);
  assert.match(e.fixes[0]!.why, /it is off: turn it on/);
});

test('a chain without its issuer, unknown anywhere: incomplete chain, fixed at the server', () => {
  const e = explainCertificateError({ url: 'https://x.test/', node: { chain: [derOf('leaf.crt')[0]!], authorized: false, error: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' }, publicRoots, systemRoots: [], env: {}, settings: {} });
  assert.equal(e.verdict, 'incomplete-chain');
  assert.deepEqual(e.fixes.map((f) => f.name), ['chain']);
  assert.equal(explainCertificateError({ url: 'https://x.test/', node: { chain: [], authorized: false, error: 'ECONNREFUSED' }, publicRoots, systemRoots: [], env: {}, settings: {} }).verdict, 'other');
});
