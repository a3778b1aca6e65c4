// TLS 1.3 record protection (RFC 8446 section 5.2-5.4): one protector per direction, installed with a
// traffic secret's key and IV; per-record nonce = IV xor sequence number; AAD = the record header.
import type { Aead, AeadKey } from '../crypto/provider';
import { ProtocolError } from '../conn/errors';
import { CT, recordHeader, type RecordIn } from './framer';
import { wipe } from '../util/wipe';
import { concatBytes } from '../util/hex';

const MAX_PLAINTEXT = 1 << 14;

export interface Opened {
  type: number;
  content: Uint8Array;
  /** Zero padding that followed the content type. */
  padding: number;
  seq: bigint;
}

export class Tls13Protector {
  private readonly key: AeadKey;
  seq = 0n;

  constructor(private readonly aead: Aead, private readonly rawKey: Uint8Array, private readonly iv: Uint8Array) {
    this.key = aead.init(rawKey);
  }

  /** Zeroes the key and IV we hold (util/wipe.ts); the protector must not be used after. */
  wipe(): void {
    wipe(this.rawKey, this.iv);
  }

  private nonce(): Uint8Array {
    const n = Uint8Array.from(this.iv); // a copy even when iv is a Buffer (whose slice() is a view)
    let s = this.seq;
    for (let i = n.length - 1; i >= n.length - 8; i--) {
      n[i]! ^= Number(s & 0xffn);
      s >>= 8n;
    }
    if (this.seq === 0xffffffffffffffffn) throw new ProtocolError('internal_error', 'sequence number would wrap: a KeyUpdate was due');
    this.seq++;
    return n;
  }

  /** TLSInnerPlaintext = content || type || zeros, sealed into an application_data record. */
  seal(type: number, content: Uint8Array, padding = 0): Uint8Array {
    const pieces = this.sealPieces(type, content, padding);
    return pieces.length === 1 ? pieces[0]! : concatBytes(pieces);
  }

  /** The same record in pieces, header first, for a gathered write: the sealed body is not copied behind the header. */
  sealPieces(type: number, content: Uint8Array, padding = 0): Uint8Array[] {
    if (content.length > MAX_PLAINTEXT) throw new RangeError(`record content of ${content.length} bytes exceeds 2^14`);
    const length = content.length + 1 + padding + this.aead.tagLen;
    const header = recordHeader(CT.application_data, 0x0303, length);
    if (this.key.sealRecord) {
      const trailer = new Uint8Array(1 + padding);
      trailer[0] = type;
      return this.key.sealRecord(this.nonce(), header, content, trailer);
    }
    const inner = new Uint8Array(content.length + 1 + padding);
    inner.set(content);
    inner[content.length] = type;
    return [header, this.key.seal(this.nonce(), header, inner)];
  }

  open(rec: RecordIn): Opened {
    if (rec.type !== CT.application_data)
      throw new ProtocolError('unexpected_message', `protected record has outer type ${rec.type}, not application_data (23)`, { message: 'record', field: 'type' });
    const seq = this.seq;
    const plain = this.key.open(this.nonce(), rec.raw.subarray(0, 5), rec.fragment);
    if (!plain) throw new ProtocolError('bad_record_mac', `record ${seq} does not decrypt: wrong keys, or the bytes were changed in transit`, { message: 'record' });
    let i = plain.length - 1;
    while (i >= 0 && plain[i] === 0) i--;
    if (i < 0) throw new ProtocolError('unexpected_message', `record ${seq} holds only padding, no content type (RFC 8446 section 5.4)`, { message: 'record' });
    if (i > MAX_PLAINTEXT) throw new ProtocolError('record_overflow', `record ${seq} plaintext is ${i} bytes, over 2^14`, { message: 'record' });
    return { type: plain[i]!, content: plain.subarray(0, i), padding: plain.length - 1 - i, seq };
  }
}
