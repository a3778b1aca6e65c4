// The chain a URL's server presents to Node's own TLS (node:tls with its default CAs: Node's bundled roots,
// NODE_EXTRA_CA_CERTS, and whatever VS Code's extension host adds to them, as any extension's connection gets), and
// what Node thought of it. Nothing is rejected and nothing is sent: the handshake is made, verification reported,
// not enforced, and the socket closed at once. A direct connection: an HTTP proxy configured for VS Code is not used.
import tls, { type DetailedPeerCertificate, type PeerCertificate, type TLSSocket } from 'node:tls';

export interface NodeTlsView {
  /** The chain as Node received it, leaf first (DER), following issuerCertificate until it loops. */
  chain: Uint8Array[];
  /** Node's verdict with its default CAs. */
  authorized: boolean;
  /** Node's code for the failure: SELF_SIGNED_CERT_IN_CHAIN, UNABLE_TO_GET_ISSUER_CERT_LOCALLY, CERT_HAS_EXPIRED... */
  error?: string;
  /** Set when no TLS connection was made at all (DNS, refused, timed out). */
  connectError?: string;
}

function chainOf(socket: TLSSocket): Uint8Array[] {
  const out: Uint8Array[] = [];
  const seen = new Set<string>();
  let c: PeerCertificate | DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (c && c.raw && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    out.push(new Uint8Array(c.raw));
    c = (c as DetailedPeerCertificate).issuerCertificate;
  }
  return out;
}

/** Connects to the URL's host and port (443 by default) with SNI unless it is an IP address. */
export function probeWithNodeTls(url: string, timeoutMs = 10_000): Promise<NodeTlsView> {
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch (e) {
      return resolve({ chain: [], authorized: false, connectError: (e as Error).message });
    }
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const ip = /^[\d.]+$|:/.test(host);
    let done = false;
    const finish = (v: NodeTlsView) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(v);
    };
    const sock = tls.connect({ host, port: u.port ? Number(u.port) : 443, ...(ip ? {} : { servername: host }), rejectUnauthorized: false });
    const timer = setTimeout(() => finish({ chain: [], authorized: false, connectError: `no TLS connection within ${timeoutMs / 1000} s` }), timeoutMs);
    sock.once('secureConnect', () => {
      const err = sock.authorizationError as unknown;
      const code = err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.message) : typeof err === 'string' ? err : undefined;
      finish({ chain: chainOf(sock), authorized: sock.authorized, ...(code ? { error: code } : {}) });
    });
    sock.once('error', (e: NodeJS.ErrnoException) => finish({ chain: [], authorized: false, connectError: e.code ?? e.message }));
  });
}
