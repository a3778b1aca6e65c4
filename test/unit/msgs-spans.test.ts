// Field spans (engine/msgs/reader.ts collectSpans): the byte range of every decoded field, which the panel's hex
// view highlights. Checked on RFC 8448's messages (section 3): each byte of each message belongs to a field,
// the spans name the RFC 8446 structure's fields, and they nest (a vector holds its elements).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectSpans, type FieldSpan } from '../../engine/msgs/reader';
import { decodeHandshake } from '../../engine/msgs/handshake';
import { load } from './rfc8448-fixture';

const simple = load('simple-1rtt.txt');
const MESSAGES: [string, string][] = [
  ['{client}  construct a ClientHello', 'ClientHello'],
  ['{server}  construct a ServerHello', 'ServerHello'],
  ['{server}  construct an EncryptedExtensions', 'EncryptedExtensions'],
  ['{server}  construct a Certificate', 'Certificate'],
  ['{server}  construct a CertificateVerify', 'CertificateVerify'],
  ['{server}  construct a Finished', 'Finished'],
  ['{server}  construct a NewSessionTicket', 'NewSessionTicket'],
];

function at(spans: FieldSpan[], path: string): FieldSpan {
  const s = spans.find((x) => x.path === path);
  assert.ok(s, `a span named ${path}; have ${[...new Set(spans.map((x) => x.path))].slice(0, 40).join(', ')}`);
  return s;
}

test('every byte of each RFC 8448 message lies in a named field', () => {
  for (const [step, label] of MESSAGES) {
    const raw = simple(step, label);
    const spans = collectSpans(raw, () => decodeHandshake(raw));
    const covered = new Uint8Array(raw.length);
    for (const s of spans) {
      assert.ok(s.start >= 0 && s.end <= raw.length && s.start < s.end, `${label}: ${s.path} [${s.start}, ${s.end}) within ${raw.length}`);
      covered.fill(1, s.start, s.end);
    }
    const gap = covered.indexOf(0);
    assert.equal(gap, -1, `${label}: byte ${gap} is in no field`);
  }
});

test('ClientHello: header, random, suites and key share at the offsets RFC 8446 section 4.1.2 gives them', () => {
  const raw = simple('{client}  construct a ClientHello', 'ClientHello');
  const spans = collectSpans(raw, () => decodeHandshake(raw));
  assert.deepEqual(at(spans, 'Handshake.msg_type'), { path: 'Handshake.msg_type', start: 0, end: 1 });
  assert.deepEqual(at(spans, 'Handshake.length'), { path: 'Handshake.length', start: 1, end: 4 });
  assert.deepEqual(at(spans, 'ClientHello.legacy_version'), { path: 'ClientHello.legacy_version', start: 4, end: 6 });
  assert.deepEqual(at(spans, 'ClientHello.random'), { path: 'ClientHello.random', start: 6, end: 38 });
  const suites = at(spans, 'ClientHello.cipher_suites');
  assert.equal(raw[suites.start]! * 256 + raw[suites.start + 1]! + 2, suites.end - suites.start, 'the vector span holds its 2-byte length and its contents');
  // The X25519 public key the RFC prints in its own block is exactly the key_exchange span's bytes.
  const pub = simple('{client}  create an ephemeral x25519 key pair', 'public key');
  const ke = spans.find((s) => /key_share.*key_exchange$/.test(s.path));
  assert.ok(ke, 'a key_exchange span');
  assert.deepEqual([...raw.subarray(ke.start, ke.end)], [...pub]);
});

test('spans are only collected inside collectSpans, and a decode that fails keeps those read before it', () => {
  const raw = simple('{client}  construct a ClientHello', 'ClientHello');
  const truncated = raw.slice(0, 40);
  truncated[1] = 0; truncated[2] = 0; truncated[3] = 36; // a consistent header over a body cut inside cipher_suites' length
  const spans = collectSpans(truncated, () => decodeHandshake(truncated));
  assert.ok(spans.some((s) => s.path === 'ClientHello.random'));
  assert.ok(!spans.some((s) => s.path === 'ClientHello.cipher_suites'), 'the suites were not reached');
  assert.deepEqual(collectSpans(new Uint8Array(0), () => undefined), []);
});
