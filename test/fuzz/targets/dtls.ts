// Target `dtls`: input = datagrams, each as u16 length || bytes. They go through the DTLS record layer
// (splitDatagram and DtlsRecordReader, which promise never to throw: epoch 0 in the clear, epoch 1 under fixed
// DTLS 1.2 and 1.0 keys, the replay window) and the handshake records of epoch 0 through two reassemblers, one
// with the defaults and one with tight limits. Every message released is decoded as the connection would, then
// cut into fragments again and fed backwards to a fresh reassembler, which must give the same message.
// Clean rejection: DecodeError (fragment headers; DtlsLimitError is one).
import { nobleProvider } from '../../../engine/crypto/noble';
import { decodeDtlsClientHello, decodeHelloVerifyRequest } from '../../../engine/dtls/cookie';
import { DtlsReassembler, fragmentHandshake, toTlsForm, transcriptBytes, decodeDtlsHandshakeFragments, type DtlsHandshakeMessage } from '../../../engine/dtls/handshake-fragment';
import { DTLS10, DTLS12, DtlsRecordReader, splitDatagram, type DtlsOpenResult } from '../../../engine/dtls/record';
import { keyBlockLayout, TLS11, TLS12 } from '../../../engine/handshake/tls12/prf';
import { decodeHandshake } from '../../../engine/msgs/handshake';
import { DecodeError } from '../../../engine/msgs/reader';
import { CT } from '../../../engine/record/framer';
import { Tls12Protector } from '../../../engine/record/protect12';
import { HandshakeType } from '../../../engine/registry/handshake-types';
import { suiteByCode } from '../../../engine/registry/suites';
import { hashBytes } from '../prng';
import { FuzzViolation, isTyped, type FuzzTarget } from '../target';
import { equalBytes, splitPieces, tolerate } from './util';

const P = nobleProvider({ random: (n) => new Uint8Array(n).fill(0x5a) });
const fill = (n: number, v: number) => new Uint8Array(n).fill(v);

function protector(code: number, version: number, recordVersion: number): Tls12Protector {
  const suite = suiteByCode(code)!;
  const l = keyBlockLayout(version, suite);
  return new Tls12Protector({ provider: P, suite, version, recordVersion, dtls: true, macKey: fill(l.macKeyLen, 0x4d), key: fill(l.keyLen, 0x4b), iv: fill(l.ivLen, 0x49) });
}

/** Calls something that promises never to throw: a typed error from it is a broken promise, not a rejection. */
function never<T>(target: FuzzTarget, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isTyped(target, e)) throw new FuzzViolation(`${what} threw ${(e as Error).name}, though it never throws: ${(e as Error).message}`);
    throw e;
  }
}

export const dtlsTarget: FuzzTarget = {
  name: 'dtls',
  about: 'datagrams (u16 length || bytes each) through splitDatagram, DtlsRecordReader (epochs 0 and 1, replay window), two DtlsReassemblers, the DTLS hello decoders; released messages re-fragment to themselves',
  typedErrors: [DecodeError],
  run(input) {
    const h = hashBytes(input);
    const wire = h & 1 ? DTLS12 : DTLS10;
    const readers = [new DtlsRecordReader(), new DtlsRecordReader({ version: wire, replayWindow: 32 })];
    // AES-GCM (DTLS 1.2 only) or AES-CBC with HMAC-SHA1 (both versions).
    readers[1]!.install(protector(wire === DTLS12 && h & 2 ? 0xc02b : 0xc009, wire === DTLS12 ? TLS12 : TLS11, wire));
    const loose = new DtlsReassembler();
    const tight = new DtlsReassembler({ nextSeq: h % 3, maxMessageLength: 2048, maxCertificateLength: 4096, maxBufferedBytes: 4096, maxMessagesAhead: 2 });
    for (const datagram of splitPieces(input)) {
      never(this, 'splitDatagram', () => splitDatagram(datagram, { maxLength: 1 << 14 }));
      for (const reader of readers) {
        const onRecord = (r: DtlsOpenResult): void => {
          if (!r.ok || r.type !== CT.handshake) return;
          tolerate(this, () => decodeDtlsHandshakeFragments(r.content));
          for (const reassembler of [loose, tight]) {
            const got = tolerate(this, () => reassembler.pushPayload(r.content));
            for (const m of got?.messages ?? []) onMessage(this, m);
          }
        };
        never(this, 'DtlsRecordReader.openDatagram', () => reader.openDatagram(datagram, onRecord));
      }
    }
  },
};

function onMessage(t: FuzzTarget, m: DtlsHandshakeMessage): void {
  const tls = toTlsForm(m);
  tolerate(t, () => decodeHandshake(tls, { version: 'tls12', keyExchange: 'ECDHE', protocolVersion: DTLS12 }));
  if (m.msgType === HandshakeType.client_hello) tolerate(t, () => decodeDtlsClientHello(tls));
  if (m.msgType === HandshakeType.hello_verify_request) tolerate(t, () => decodeHelloVerifyRequest(tls));
  if (m.body.length > 0xffff) return;
  // Cut again (into 1 to 300-byte fragments) and fed last fragment first: the same message must come out.
  const size = 1 + (m.body.length % 300);
  const again = new DtlsReassembler({ nextSeq: m.messageSeq, maxMessagesAhead: 0 });
  const out: DtlsHandshakeMessage[] = [];
  for (const f of fragmentHandshake(m, size).reverse()) out.push(...again.pushPayload(f).messages);
  if (out.length !== 1 || out[0]!.msgType !== m.msgType || !equalBytes(out[0]!.body, m.body) || !equalBytes(transcriptBytes(out[0]!), transcriptBytes(m)))
    throw new FuzzViolation(`a ${m.body.length}-byte message re-fragmented into ${size}-byte pieces did not reassemble to itself (${out.length} messages)`);
}
