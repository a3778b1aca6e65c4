// RFC 8446 sections 4.2.3 and 4.4.2.2 (RFC 5246 section 7.4.2 in TLS 1.2): signature_algorithms also names the
// signatures a peer accepts on certificates. A chain signed otherwise gets through (a server with no other chain
// sends it), so the engine says so in the trace, for the server's chain (client side) and for the client's chain
// (server side); self-issued certificates are left out (RFC 5280 section 3.2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { TlsConnection } from '../../engine/conn/connection';
import type { ConnectionConfig } from '../../engine/conn/config';
import { nobleProvider } from '../../engine/crypto/noble';
import { identityFromPem } from '../../engine/tools/identity';
import { scanPem } from '../../engine/pem/blocks';
import { unlistedCertificateSignatures } from '../../engine/handshake/cert-signatures';
import type { TraceEvent } from '../../engine/trace/events';
import { pump } from './pump';

const pki = (n: string) => fs.readFileSync(path.resolve('test/fixtures/pki', n), 'utf8');
const der = (n: string) => scanPem(pki(n)).blocks[0]!.der!;
// leaf.crt: sha256WithRSAEncryption by the intermediate; intermediate-ca.crt: ecdsa-with-SHA384 by the root;
// root-ca.crt: self-signed.
const CHAIN = [der('leaf.crt'), der('intermediate-ca.crt'), der('root-ca.crt')];
const provider = nobleProvider();
const RSA_PSS_256 = 0x0804;
const ECDSA_P256 = 0x0403;

test('unlistedCertificateSignatures: each certificate not listed, by depth and OpenSSL name; the self-signed root left out', () => {
  assert.deepEqual(unlistedCertificateSignatures(CHAIN, [RSA_PSS_256, ECDSA_P256]), [
    { depth: 0, algorithm: 'sha256WithRSAEncryption' },
    { depth: 1, algorithm: 'ecdsa-with-SHA384' },
  ]);
  assert.deepEqual(unlistedCertificateSignatures(CHAIN, [0x0401, 0x0503]), [], 'rsa_pkcs1_sha256 and ecdsa_secp384r1_sha384 cover both');
  assert.deepEqual(unlistedCertificateSignatures([der('ed25519.crt')], []), [], 'a self-signed certificate alone: nothing to say');
  assert.deepEqual(unlistedCertificateSignatures([new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01])], []), [], 'what does not parse is the verifier\'s to report');
});

function handshake(clientOver: Partial<ConnectionConfig>, serverOver: Partial<ConnectionConfig> = {}): { client: TlsConnection; server: TlsConnection; info: { client: string[]; server: string[] } } {
  const leafId = identityFromPem(pki('leaf.crt') + pki('intermediate-ca.crt'), pki('leaf.key'), 'leaf');
  const info = { client: [] as string[], server: [] as string[] };
  const client = new TlsConnection({ side: 'client', provider, serverName: 'leaf.example', ...clientOver });
  const server = new TlsConnection({ side: 'server', provider, certificateChain: leafId.chain, signer: leafId.signer, ...serverOver });
  client.onEvent = (e: TraceEvent) => void (e.kind === 'info' && info.client.push(e.message));
  server.onEvent = (e: TraceEvent) => void (e.kind === 'info' && info.server.push(e.message));
  client.start();
  pump(client, server);
  return { client, server, info };
}

test('TLS 1.3 client: the server\'s chain signed outside our signature_algorithms is named, and the handshake goes on', () => {
  const { client, info } = handshake({ signatureSchemes: [RSA_PSS_256, ECDSA_P256] });
  assert.equal(client.status, 'open', client.error?.message);
  const said = info.client.filter((m) => /is not among the schemes we listed in signature_algorithms/.test(m));
  assert.equal(said.length, 2, info.client.join('\n'));
  assert.match(said[0]!, /^the server's certificate 0 is signed with sha256WithRSAEncryption/);
  assert.match(said[1]!, /^the server's certificate 1 is signed with ecdsa-with-SHA384/);
});

test('TLS 1.3 client with the default schemes: nothing to say about this chain', () => {
  const { client, info } = handshake({});
  assert.equal(client.status, 'open', client.error?.message);
  assert.deepEqual(info.client.filter((m) => /signature_algorithms/.test(m)), []);
});

test('TLS 1.3 server: the client\'s chain signed outside our CertificateRequest\'s signature_algorithms is named', () => {
  const clientId = identityFromPem(pki('leaf.crt') + pki('intermediate-ca.crt'), pki('leaf.key'), 'client');
  const serverId = identityFromPem(pki('ec-p256.crt'), pki('ec-p256.key'), 'server');
  const { server, info } = handshake(
    { certificateChain: clientId.chain, signer: clientId.signer },
    { certificateChain: serverId.chain, signer: serverId.signer, clientAuth: 'require', clientSignatureSchemes: [RSA_PSS_256, ECDSA_P256] },
  );
  assert.equal(server.status, 'open', server.error?.message);
  const said = info.server.filter((m) => /our CertificateRequest listed in signature_algorithms/.test(m));
  assert.deepEqual(said.map((m) => /certificate (\d) is signed with (\S+),/.exec(m)?.slice(1)), [['0', 'sha256WithRSAEncryption'], ['1', 'ecdsa-with-SHA384']]);
});

test('TLS 1.2 client: the same judgement against the pairs of its signature_algorithms (RFC 5246 section 7.4.2)', () => {
  const { client, info } = handshake({ signatureSchemes: [RSA_PSS_256, ECDSA_P256], maxVersion: 0x0303 });
  assert.equal(client.status, 'open', client.error?.message);
  const said = info.client.filter((m) => /RFC 5246 section 7\.4\.2/.test(m));
  assert.deepEqual(said.map((m) => /certificate (\d) is signed with (\S+),/.exec(m)?.slice(1)), [['0', 'sha256WithRSAEncryption'], ['1', 'ecdsa-with-SHA384']]);
});
