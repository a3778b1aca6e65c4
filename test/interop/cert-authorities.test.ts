// certificate_authorities in our CertificateRequest (RFC 8446 section 4.2.4), read by `openssl s_client`, which
// prints them as "Acceptable client certificate CA names".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { createServer } from '../../engine/net/session';
import { identityFromPem } from '../../engine/tools/identity';
import type { NegotiatedSession } from '../../engine/conn/types';
import { opensslClient, PKI, readPem } from './peers';

function subjectDer(pem: string): Uint8Array {
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const cert = new pkijs.Certificate({ schema: asn1js.fromBER(new Uint8Array(Buffer.from(b64, 'base64'))).result });
  return new Uint8Array(cert.subject.toSchema().toBER(false));
}

test('openssl s_client -cert/-key to our server requesting a certificate with certificate_authorities', { timeout: 30_000 }, async () => {
  const id = identityFromPem(readPem('ec-p256.crt'), readPem('ec-p256.key'), 'ec-p256.crt');
  let negotiated: NegotiatedSession | undefined;
  const server = createServer({
    certificateChain: id.chain, signer: id.signer, clientAuth: 'require',
    certificateAuthorities: [subjectDer(readPem('intermediate-ca.crt')), subjectDer(readPem('root-ca.crt'))],
  }, (s) => {
    s.on('secure', (n: NegotiatedSession) => (negotiated = n));
    s.on('error', () => undefined);
    s.on('data', (d: Uint8Array) => s.write(d));
    s.on('end', () => s.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const c = opensslClient((server.address() as AddressInfo).port, ['-tls1_3', '-ign_eof', '-cert', PKI('leaf.crt'), '-key', PKI('leaf.key')], 'ping\n');
    await c.waitFor(/Acceptable client certificate CA names[\s\S]*---/, 10_000);
    await c.waitFor(/ping\n[\s\S]*ping/, 10_000).catch(() => undefined);
    c.proc.stdin!.end();
    await c.stop();
    const out = c.output();
    assert.match(out, /Acceptable client certificate CA names\n(.*\n)*?C = US, O = TLS Lens Test, CN = TLS Lens Test Intermediate CA\n/, out);
    assert.match(out, /Acceptable client certificate CA names\n(.*\n)*?.*OU = PKI \+ OU = Testing.*\n/, out);
    assert.equal(negotiated?.peerCertificates.length, 1, 's_client sent its certificate');
  } finally {
    server.close();
  }
});
