// record_size_limit (RFC 8449), padding (RFC 7685) and certificate_authorities (RFC 8446 section 4.2.4) between
// our own client and server in memory: limits kept when both sides offer one, record_overflow for a record over
// the negotiated limit, the ClientHello padded to a length, CA names carried to the client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { TlsConnection } from '../../engine/conn/connection';
import type { ConnectionConfig } from '../../engine/conn/config';
import { nobleProvider } from '../../engine/crypto/noble';
import { identityFromPem } from '../../engine/tools/identity';
import type { TraceEvent } from '../../engine/trace/events';
import { decodeHandshake, type ClientHello } from '../../engine/msgs/handshake';
import { pump as pumpPair } from './pump';

const PKI = (n: string) => fs.readFileSync(path.resolve('test/fixtures/pki', n), 'utf8');
const provider = nobleProvider();
const id = identityFromPem(PKI('ec-p256.crt'), PKI('ec-p256.key'), 'ec-p256.crt');

function pair(client: Partial<ConnectionConfig>, server: Partial<ConnectionConfig>) {
  const c = new TlsConnection({ side: 'client', provider, serverName: 'localhost', ...client });
  const s = new TlsConnection({ side: 'server', provider, certificateChain: id.chain, signer: id.signer, ...server });
  const events: { c: TraceEvent[]; s: TraceEvent[] } = { c: [], s: [] };
  c.onEvent = (e) => events.c.push(e);
  s.onEvent = (e) => events.s.push(e);
  const pump = () => pumpPair(c, s);
  c.start();
  pump();
  return { c, s, events, pump };
}

const inner = (events: TraceEvent[], dir: 'in' | 'out') => events.flatMap((e) => (e.kind === 'record' && e.dir === dir && e.inner && e.epoch === 'application' ? [e.inner.length + 1 + e.inner.padding] : []));

test('record_size_limit: both sides offer, each keeps to the other\'s limit', () => {
  const { c, s, events, pump } = pair({ recordSizeLimit: 256 }, { recordSizeLimit: 1000 });
  assert.equal(c.status, 'open', c.error?.message ?? s.error?.message);
  assert.deepEqual(c.negotiated?.recordSizeLimit, { ours: 256, peer: 1000 });
  assert.deepEqual(s.negotiated?.recordSizeLimit, { ours: 1000, peer: 256 });
  s.write(new Uint8Array(2000).fill(0x61));
  c.write(new Uint8Array(2500).fill(0x62));
  pump();
  assert.deepEqual(inner(events.s, 'out'), [256, 256, 256, 256, 256, 256, 256, 2000 - 7 * 255 + 1], '255 data bytes and the type byte per record');
  assert.ok(inner(events.c, 'out').every((n) => n <= 1000));
  assert.equal(c.readableBytes, 2000);
  assert.equal(s.readableBytes, 2500);
});

test('record_size_limit: only one side offers: not negotiated, full records', () => {
  for (const [cl, sv] of [[{ recordSizeLimit: 256 }, {}], [{}, { recordSizeLimit: 256 }]] as const) {
    const { c, s, events, pump } = pair(cl, sv);
    assert.equal(c.negotiated?.recordSizeLimit, undefined);
    s.write(new Uint8Array(5000));
    pump();
    assert.deepEqual(inner(events.s, 'out').slice(-1), [5001]);
  }
});

test('record_size_limit: a protected record over our negotiated limit is record_overflow', () => {
  const { c, s, pump } = pair({ recordSizeLimit: 256 }, { recordSizeLimit: 16385 });
  assert.equal(c.status, 'open', c.error?.message ?? s.error?.message);
  // The server ignores the client's limit (as a faulty peer would): its next record is 301 bytes of TLSInnerPlaintext.
  (s as unknown as { writeFragment: number }).writeFragment = 1 << 14;
  s.write(new Uint8Array(300));
  pump();
  assert.equal(c.status, 'failed');
  assert.equal(c.error?.alert, 'record_overflow');
  assert.match(c.error!.message, /301 bytes .* record_size_limit of 256/);
  assert.equal(s.error?.alert, 'record_overflow', 'the server received our record_overflow alert');
});

test('record_size_limit: a record of exactly the limit is accepted', () => {
  const { c, s, pump } = pair({ recordSizeLimit: 256 }, { recordSizeLimit: 16385 });
  s.write(new Uint8Array(255));
  pump();
  assert.equal(c.status, 'open', c.error?.message ?? s.error?.message);
  assert.equal(c.readableBytes, 255);
});

test('padding (RFC 7685): the ClientHello is padded to 512 bytes; the server ignores the extension', () => {
  const { c, events } = pair({ padToLength: 512 }, {});
  assert.equal(c.status, 'open', c.error?.message);
  const ch = events.c.find((e) => e.kind === 'handshake' && e.dir === 'out' && e.name === 'client_hello');
  assert.ok(ch && ch.kind === 'handshake');
  assert.equal(ch.raw.length, 512);
  const hello = decodeHandshake(ch.raw) as ClientHello;
  assert.ok((hello.ext.padding ?? 0) > 0);
  const plain = pair({}, {}).events.c.find((e) => e.kind === 'handshake' && e.name === 'client_hello');
  assert.ok(plain && plain.kind === 'handshake' && plain.raw.length < 512, 'without padToLength the hello is shorter');
});

function subjectDer(pem: string): Uint8Array {
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const cert = new pkijs.Certificate({ schema: asn1js.fromBER(new Uint8Array(Buffer.from(b64, 'base64'))).result });
  return new Uint8Array(cert.subject.toSchema().toBER(false));
}

test('certificate_authorities in CertificateRequest: decoded names in the trace and NegotiatedSession', () => {
  const cas = [subjectDer(PKI('root-ca.crt')), subjectDer(PKI('intermediate-ca.crt'))];
  const { c, events } = pair({}, { clientAuth: 'request', certificateAuthorities: cas });
  assert.equal(c.status, 'open', c.error?.message);
  assert.equal(c.negotiated?.certificateAuthorities?.length, 2);
  assert.match(c.negotiated!.certificateAuthorities![1]!, /CN = TLS Lens Test Intermediate CA/);
  assert.ok(events.c.some((e) => e.kind === 'info' && /certificate_authorities.*Intermediate CA/.test(e.message)));
});
