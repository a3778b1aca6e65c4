// Splits the incoming byte stream into TLS records (RFC 8446 section 5.1, RFC 5246 section 6.2.1) without
// copying more than needed. A record longer than the limit is record_overflow before its body even arrives.
import { ProtocolError } from '../conn/errors';

export const CT = { change_cipher_spec: 20, alert: 21, handshake: 22, application_data: 23, heartbeat: 24 } as const;

export interface RecordIn {
  type: number;
  version: number;
  /** The record body as received (ciphertext when protected). */
  fragment: Uint8Array;
  /** Header and body, for the trace. */
  raw: Uint8Array;
}

export class RecordFramer {
  private chunks: Uint8Array[] = [];
  private buffered = 0;

  /** `maxCiphertext`: 2^14 + 256 for TLS 1.3 (RFC 8446 section 5.2), 2^14 + 2048 before. */
  constructor(public maxCiphertext = (1 << 14) + 256) {}

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.chunks.push(bytes);
    this.buffered += bytes.length;
  }

  get pendingBytes(): number {
    return this.buffered;
  }

  /** The next whole record, or undefined until more bytes arrive. */
  next(): RecordIn | undefined {
    if (this.buffered < 5) return undefined;
    const head = this.peek(5);
    const type = head[0]!;
    const version = (head[1]! << 8) | head[2]!;
    const length = (head[3]! << 8) | head[4]!;
    if (type < 20 || type > 26) {
      const hint = type === 0x80 || type === 0x16 || /^[A-Z]/.test(String.fromCharCode(type)) ? ' (is the peer speaking TLS? this looks like ' + (/^[A-Z]/.test(String.fromCharCode(type)) ? 'plain text, e.g. HTTP or SMTP' : 'an SSLv2 hello') + ')' : '';
      throw new ProtocolError('unexpected_message', `record type ${type} is not a TLS content type${hint}`, { message: 'record header', field: 'type', offset: 0 });
    }
    if (length > this.maxCiphertext)
      throw new ProtocolError('record_overflow', `record of ${length} bytes exceeds the limit of ${this.maxCiphertext}`, { message: 'record header', field: 'length', offset: 3 });
    if (this.buffered < 5 + length) return undefined;
    const raw = this.take(5 + length);
    return { type, version, fragment: raw.subarray(5), raw };
  }

  private peek(n: number): Uint8Array {
    if (this.chunks[0]!.length >= n) return this.chunks[0]!.subarray(0, n);
    return this.gather(n, false);
  }

  private take(n: number): Uint8Array {
    const first = this.chunks[0]!;
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return out;
    }
    return this.gather(n, true);
  }

  private gather(n: number, consume: boolean): Uint8Array {
    const out = new Uint8Array(n);
    let off = 0;
    let i = 0;
    while (off < n) {
      const c = this.chunks[i]!;
      const k = Math.min(c.length, n - off);
      out.set(c.subarray(0, k), off);
      off += k;
      if (consume) {
        if (k === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(k);
      } else i++;
    }
    if (consume) this.buffered -= n;
    return out;
  }
}

export function recordHeader(type: number, version: number, length: number): Uint8Array {
  return new Uint8Array([type, version >> 8, version & 0xff, length >> 8, length & 0xff]);
}
