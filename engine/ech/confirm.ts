// How a server says it accepted ECH and how the client checks it (RFC 9849 section 7.2 and 7.2.1, checked by the
// client as section 6.1.4 says): 8 bytes derived from ClientHelloInner.random and the inner transcript, in the last
// 8 bytes of ServerHello.random, or in a HelloRetryRequest's encrypted_client_hello extension.
import type { CryptoProvider, HashName } from '../crypto/provider';
import { expandLabel } from '../handshake/tls13/key-schedule';
import { ExtensionType } from '../registry/extensions';
import type { HelloRetryRequest } from '../msgs/handshake';

export type ConfirmationLabel = 'ech accept confirmation' | 'hrr ech accept confirmation';

/**
 * accept_confirmation = HKDF-Expand-Label(HKDF-Extract(0, ClientHelloInner.random), label, transcript_hash, 8),
 * "0" being Hash.length zero bytes (RFC 9849 section 7.2).
 */
export function acceptConfirmation(p: CryptoProvider, hash: HashName, innerRandom: Uint8Array, transcriptHash: Uint8Array, label: ConfirmationLabel): Uint8Array {
  const prk = p.hkdfExtract(hash, new Uint8Array(p.hash(hash).outputLen), innerRandom);
  return expandLabel(p, hash, prk, label, transcriptHash, 8);
}

/** Offset of ServerHello.random's last 8 bytes in the message (4-byte header, 2-byte legacy_version, 24 bytes). */
export const SH_CONFIRMATION_OFFSET = 4 + 2 + 24;

/** A copy of an encoded ServerHello with the last 8 bytes of its random set to zero (section 7.2). */
export function zeroServerHelloConfirmation(raw: Uint8Array): Uint8Array {
  const out = raw.slice();
  out.fill(0, SH_CONFIRMATION_OFFSET, SH_CONFIRMATION_OFFSET + 8);
  return out;
}

/** Where the 8 confirmation bytes lie in an encoded HelloRetryRequest, or -1 without the extension. */
export function hrrConfirmationOffset(hrr: Pick<HelloRetryRequest, 'raw' | 'extensions'>): number {
  const e = hrr.extensions.find((x) => x.type === ExtensionType.encrypted_client_hello);
  if (!e || e.data.length !== 8 || e.data.buffer !== hrr.raw.buffer) return -1;
  return e.data.byteOffset - hrr.raw.byteOffset;
}

/** A copy of an encoded HelloRetryRequest with its ECH confirmation set to zeros (section 7.2.1). */
export function zeroHrrConfirmation(hrr: Pick<HelloRetryRequest, 'raw' | 'extensions'>): Uint8Array {
  const out = hrr.raw.slice();
  const at = hrrConfirmationOffset(hrr);
  if (at >= 0) out.fill(0, at, at + 8);
  return out;
}
