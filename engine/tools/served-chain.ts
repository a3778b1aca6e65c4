// The chain a server sends, fetched with our client for drift (tools/drift.ts) and the certificate-error explainer:
// a handshake with TLS 1.2 and 1.3 offered, the chain taken as the server sent it (judged elsewhere), then closed.
import { connect, TlsSessionError } from '../net/session';

export interface ServedChain {
  chain: Uint8Array[];
  version?: number;
  /** Set when the handshake failed after (or before) the chain arrived. */
  error?: string;
}

export async function fetchServedChain(host: string, port: number, opts: { serverName?: string; timeoutMs?: number; minVersion?: number } = {}): Promise<ServedChain> {
  let chain: Uint8Array[] = [];
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const session = await connect({
    host, port, connectTimeoutMs: timeoutMs, handshakeTimeoutMs: timeoutMs,
    ...(opts.serverName !== undefined ? { serverName: opts.serverName } : {}),
    ...(opts.minVersion ? { minVersion: opts.minVersion } : {}),
    // Keep the chain whatever it is: drift compares it, it does not judge it.
    verifyPeer: (c) => {
      chain = c.map((d) => d.slice());
      return { ok: true, code: 0, reason: 'kept for comparison' };
    },
  });
  try {
    session.begin();
    const n = await session.handshake();
    return { chain: n.peerCertificates.length ? n.peerCertificates : chain, version: n.version };
  } catch (e) {
    return { chain, error: e instanceof TlsSessionError || e instanceof Error ? e.message : String(e) };
  } finally {
    session.destroy();
  }
}
