// Target `record`: a TLS byte stream (what one side of a session sent) through the record layer:
// RecordFramer fed in chunks cut from the input's own hash, each record's header (record-header.ts), its body
// as a TLSInnerPlaintext, an alert (alert.ts), handshake reassembly (HandshakeReader), and protected-record
// opening under fixed keys for TLS 1.3 and the TLS 1.2 modes (AEAD, CBC MAC-then-encrypt, encrypt-then-MAC,
// TLS 1.0's chained IV). Every body also goes through seal then open, which must give it back.
// Clean rejections: ProtocolError (framer, protectors), DecodeError (headers, alerts, handshake framing).
import { ProtocolError } from '../../../engine/conn/errors';
import { nobleProvider } from '../../../engine/crypto/noble';
import type { AeadName } from '../../../engine/crypto/provider';
import { decodeAlert } from '../../../engine/msgs/alert';
import { decodeHandshake, HandshakeReader } from '../../../engine/msgs/handshake';
import { DecodeError } from '../../../engine/msgs/reader';
import { decodeInnerPlaintext, decodeRecordHeader, MAX_TLS12_CIPHERTEXT_LENGTH, MAX_TLS13_CIPHERTEXT_LENGTH } from '../../../engine/msgs/record-header';
import { CT, RecordFramer, type RecordIn } from '../../../engine/record/framer';
import { Tls12Protector } from '../../../engine/record/protect12';
import { Tls13Protector } from '../../../engine/record/protect13';
import { suiteByCode } from '../../../engine/registry/suites';
import { keyBlockLayout, SSL3, TLS10, TLS12 } from '../../../engine/handshake/tls12/prf';
import { hashBytes, sfc32 } from '../prng';
import { FuzzViolation, type FuzzTarget } from '../target';
import { chunks, equalBytes, tolerate } from './util';

const P = nobleProvider({ random: (n) => new Uint8Array(n).fill(0x5a) });
const fill = (n: number, v: number) => new Uint8Array(n).fill(v);

function tls13(code: number): () => Tls13Protector {
  const s = suiteByCode(code)!;
  const aead = P.aead(s.cipher.name as AeadName);
  return () => new Tls13Protector(aead, fill(aead.keyLen, 0x13), fill(12, 0x31));
}

function tls12(code: number, version: number, encryptThenMac = false): () => Tls12Protector {
  const suite = suiteByCode(code)!;
  const l = keyBlockLayout(version, suite);
  return () => new Tls12Protector({ provider: P, suite, version, macKey: fill(l.macKeyLen, 0x4d), key: fill(l.keyLen, 0x4b), iv: fill(l.ivLen, 0x49), encryptThenMac });
}

const PROTECTORS_13 = [tls13(0x1301), tls13(0x1303)];
const PROTECTORS_12 = [
  tls12(0xc02f, TLS12), // AES-GCM, explicit nonce
  tls12(0xcca8, TLS12), // ChaCha20-Poly1305, implicit nonce
  tls12(0xc0ac, TLS12), // AES-CCM
  tls12(0xc013, TLS12), // CBC, MAC-then-encrypt, explicit IV
  tls12(0x003c, TLS12, true), // CBC, encrypt-then-MAC
  tls12(0xc013, TLS10), // CBC with chained IVs
  tls12(0x002f, SSL3), // SSL 3.0 MAC and padding
];

export const recordTarget: FuzzTarget = {
  name: 'record',
  about: 'TLS records from a byte stream: framer, header, inner plaintext, alert, handshake reassembly, TLS 1.3 and 1.2 record protection',
  typedErrors: [ProtocolError, DecodeError],
  run(input) {
    const rng = sfc32(hashBytes(input));
    const framer = new RecordFramer(rng.chance(0.5) ? MAX_TLS13_CIPHERTEXT_LENGTH : MAX_TLS12_CIPHERTEXT_LENGTH);
    const hs = new HandshakeReader();
    for (const piece of chunks(input, rng.below, rng.chance(0.3) ? 7 : 4096)) {
      framer.push(piece);
      for (let rec = framer.next(); rec; rec = framer.next()) onRecord(rec, hs, rng.u32());
    }
  },
};

function onRecord(rec: RecordIn, hs: HandshakeReader, pick: number): void {
  const t = recordTarget;
  const h = decodeRecordHeader(rec.raw);
  if (h.type !== rec.type || h.length !== rec.fragment.length) throw new FuzzViolation('decodeRecordHeader disagrees with the framer');
  tolerate(t, () => decodeInnerPlaintext(rec.fragment));
  if (rec.type === CT.alert) tolerate(t, () => decodeAlert(rec.fragment));
  if (rec.type === CT.handshake) {
    const msgs = tolerate(t, () => hs.feed(rec.fragment)) ?? [];
    for (const m of msgs) tolerate(t, () => decodeHandshake(m));
  }
  if (rec.type === CT.application_data) {
    tolerate(t, () => PROTECTORS_13[pick % PROTECTORS_13.length]!().open(rec));
    tolerate(t, () => PROTECTORS_12[pick % PROTECTORS_12.length]!().open(rec));
  }
  roundTrip(rec, pick);
}

/** open(seal(x)) must be x: padding and MAC code sees every body length the corpus and mutations make. */
function roundTrip(rec: RecordIn, pick: number): void {
  const content = rec.fragment;
  if (content.length > 1 << 14) return; // seal refuses it (a caller's bug, not the peer's)
  const type = rec.type === CT.application_data ? CT.handshake : rec.type;
  const make12 = PROTECTORS_12[(pick >>> 8) % PROTECTORS_12.length]!;
  const sealed12 = make12().seal(type, content);
  const framer = new RecordFramer(MAX_TLS12_CIPHERTEXT_LENGTH);
  framer.push(sealed12);
  const back12 = make12().open(framer.next()!);
  if (back12.type !== type || !equalBytes(back12.content, content)) throw new FuzzViolation('TLS 1.2 open(seal(x)) is not x');
  if (content.length === 0 && rec.type === CT.application_data) return;
  const make13 = PROTECTORS_13[(pick >>> 16) % PROTECTORS_13.length]!;
  const f13 = new RecordFramer(MAX_TLS13_CIPHERTEXT_LENGTH);
  f13.push(make13().seal(type, content, pick & 7));
  const back13 = make13().open(f13.next()!);
  if (back13.type !== type || !equalBytes(back13.content, content)) throw new FuzzViolation('TLS 1.3 open(seal(x)) is not x');
}
