// Pieces both TLS 1.3 state machines use.
import { ProtocolError } from '../../conn/errors';
import type { Handshake } from '../../msgs/handshake';
import type { HandshakeHost } from '../../conn/connection';
import type { CryptoProvider } from '../../crypto/provider';
import type { CipherSuite } from '../../registry/suites';
import { nextTrafficSecret } from './key-schedule';

const SERVER_CV = new TextEncoder().encode('TLS 1.3, server CertificateVerify');
const CLIENT_CV = new TextEncoder().encode('TLS 1.3, client CertificateVerify');

/** The signed content of CertificateVerify (RFC 8446 section 4.4.3): 64 spaces, context, 0, transcript hash. */
export function certificateVerifyContent(side: 'server' | 'client', transcriptHash: Uint8Array): Uint8Array {
  const ctx = side === 'server' ? SERVER_CV : CLIENT_CV;
  const out = new Uint8Array(64 + ctx.length + 1 + transcriptHash.length);
  out.fill(0x20, 0, 64);
  out.set(ctx, 64);
  out[64 + ctx.length] = 0;
  out.set(transcriptHash, 65 + ctx.length);
  return out;
}

/** The state machine's "I did not expect this message here" (RFC 8446 section 6.2 unexpected_message). */
export function unexpected(state: string, msg: Handshake, expected: string[]): ProtocolError {
  const got = msg.type === 'unknown' ? `handshake type ${msg.msgType}` : msg.type;
  return new ProtocolError('unexpected_message', `in state ${state} expected ${expected.join(' or ')}, got ${got}`, { message: got });
}

export { bytesEqual } from '../../util/hex';

export function isIpAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

/** The peer's KeyUpdate (RFC 8446 section 4.6.3): our read secret moves on; returns the new one. */
export function receiveKeyUpdate(host: HandshakeHost, p: CryptoProvider, suite: CipherSuite, requestUpdate: number, readSecret: Uint8Array): Uint8Array {
  if (requestUpdate > 1) throw new ProtocolError('illegal_parameter', `KeyUpdate.request_update is ${requestUpdate}`, { message: 'KeyUpdate' });
  const next = nextTrafficSecret(p, suite.prfHash, readSecret);
  host.setReadKeys('application', suite, next);
  return next;
}

/** Our KeyUpdate: sent under the old keys, then our write secret moves on; returns the new one. */
export function sendKeyUpdate(host: HandshakeHost, p: CryptoProvider, suite: CipherSuite, requestPeer: boolean, writeSecret: Uint8Array): Uint8Array {
  host.send({ type: 'key_update', requestUpdate: requestPeer ? 1 : 0 });
  const next = nextTrafficSecret(p, suite.prfHash, writeSecret);
  host.setWriteKeys('application', suite, next);
  return next;
}
