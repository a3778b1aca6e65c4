// What-if for our own server (Serve TLS Here): the server run again on 127.0.0.1 with its chain as given (or changed
// by engine/tools/what-if.ts), and our own client connecting to it, judging the chain as Connect to Host does (a
// report: the handshake goes on whatever the verdict, as s_client without -verify_return_error). The client's view
// becomes a SessionSnapshot, so two runs compare in the Compare Sessions view. No vscode imports: tests drive it.
import type { AddressInfo } from 'node:net';
import { connect, createServer, type TlsSession, TlsSessionError } from '../../engine/net/session';
import type { Signer } from '../../engine/crypto/provider';
import type { TraceEvent } from '../../engine/trace/events';
import { loadCert, verifyChain, type VCert, type VerifyResult } from '../../engine/x509/verify';
import type { SessionSnapshot, SessionTarget } from '../../webview/shared/protocol';
import { EventBatcher, summarize, verificationView } from './session-runner';

export interface ServedPairOptions {
  /** The chain our server sends, leaf first (DER), and its key. */
  chain: Uint8Array[];
  signer: Signer;
  /** The client's trust anchors, and how to name them in the verdict. */
  anchors: VCert[];
  storeName: string;
  /** SNI and the name checked in the certificate (default: the leaf's first DNS name, else none). */
  serverName?: string;
  alpn?: string[];
  title: string;
  settings: SessionTarget['settings'];
  timeoutMs?: number;
}

/**
 * The anchors a served what-if trusts: the given store plus each self-signed certificate of the original chain
 * (a file that carries its private root names the anchor it is meant for). Certificates that do not decode are skipped.
 */
export function servedAnchors(chain: Uint8Array[], store: VCert[]): VCert[] {
  const own: VCert[] = [];
  for (const der of chain.slice(1)) {
    try {
      const c = loadCert(der);
      if (c.info.subject.text === c.info.issuer.text) own.push(c);
    } catch {
      // not a certificate we can read: it cannot be an anchor
    }
  }
  return [...store, ...own];
}

/** Runs our server with `o.chain` and our client against it once; resolves with the client's side as a snapshot. */
export async function runServedPair(o: ServedPairOptions): Promise<SessionSnapshot> {
  const events: TraceEvent[] = [];
  const batcher = new EventBatcher(() => undefined);
  let verdict: VerifyResult | undefined;
  let error: TlsSessionError | undefined;
  const servers = new Set<TlsSession>();
  const server = createServer({ certificateChain: o.chain, signer: o.signer, ...(o.alpn ? { alpn: o.alpn } : {}) }, (s) => {
    servers.add(s);
    s.on('error', () => undefined); // the client's side is the one reported
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const t0 = Date.now();
  let client: TlsSession | undefined;
  try {
    client = await connect({
      host: '127.0.0.1', port, handshakeTimeoutMs: o.timeoutMs ?? 10_000,
      ...(o.serverName ? { serverName: o.serverName } : { serverName: '' }),
      ...(o.alpn ? { alpn: o.alpn } : {}),
      verifyPeer: (ders) => {
        const [leaf, ...rest] = ders.map((d) => loadCert(d));
        verdict = verifyChain({ target: leaf!, untrusted: rest, trusted: o.anchors }, { purpose: 'sslserver', ...(o.serverName ? { hostname: o.serverName } : {}) });
        return { ok: true, code: verdict.code, reason: verdict.text };
      },
    });
    const c = client;
    c.on('trace', (e: TraceEvent) => {
      events.push(e);
      batcher.push(e);
    });
    c.begin();
    await new Promise<void>((resolve) => {
      c.once('secure', () => resolve());
      c.once('error', (e: TlsSessionError) => {
        error = e;
        resolve();
      });
    });
  } catch (e) {
    error = e instanceof TlsSessionError ? e : new TlsSessionError((e as Error).message);
  } finally {
    client?.destroy();
    for (const s of servers) s.destroy();
    server.close();
  }
  batcher.flush();
  const target: SessionTarget = { mode: 'serve', host: '127.0.0.1', port, protocol: 'TLS', settings: o.settings };
  const summary = summarize(client?.conn.negotiated, {
    chainDer: [], timings: [{ label: 'TLS handshake', ms: Date.now() - t0 }], bytesIn: client?.bytesIn ?? 0, bytesOut: client?.bytesOut ?? 0,
    ...(error ? { error } : {}),
    verification: verdict ? verificationView(verdict, o.storeName, o.serverName) : { state: 'not-performed', text: error?.message ?? '' },
  });
  return { title: o.title, target, summary, events: batcher.all };
}
