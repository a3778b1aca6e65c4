// The protocol cells: every (case, engine, provider, metric) the bench runs, with its size per round and its
// peers. Our engine's rows are compared with node:tls in the same case, or with node-forge in forge's case; the
// noble provider's bulk rows also with noble's AEAD alone, the node provider's with node:crypto's AEAD alone.
import { nobleProvider } from '../../engine/crypto/noble';
import { nodeProvider } from '../../engine/crypto/node-provider';
import type { CryptoProvider } from '../../engine/crypto/provider';
import { cellKey, warmFor, type Cell, type Sample } from '../rounds';
import { forgeBulk, forgeHandshakes, forgeResumed, forgeTtfb } from './forge';
import { nodeBulk, nodeHandshakes, nodeResumed, nodeTtfb } from './node-tls';
import { oursBulk, oursHandshakes, oursResumed, oursTtfb } from './ours';
import { rawAead, type AeadKind } from './raw-aead';
import { BULK_CHACHA, BULK_GCM, ECDSA13, RSA10, RSA12, RSA13, type TlsCase } from './tls-cases';

/** Work per round for each kind of engine: handshakes (connections for TTFB) and bytes. */
export interface Sizes {
  handshakes: Record<Engine, number>;
  ttfb: Record<Engine, number>;
  bulkBytes: Record<Engine, number>;
  /** Minimum warm-up per cell, in ms. */
  warmMs: number;
}

type Engine = 'ours-node' | 'ours-noble' | 'node:tls' | 'forge';

const MIB = 1 << 20;

export const FULL_SIZES: Sizes = {
  handshakes: { 'node:tls': 200, 'ours-node': 200, 'ours-noble': 50, forge: 50 },
  ttfb: { 'node:tls': 40, 'ours-node': 40, 'ours-noble': 15, forge: 15 },
  bulkBytes: { 'node:tls': 64 * MIB, 'ours-node': 64 * MIB, 'ours-noble': 8 * MIB, forge: 8 * MIB },
  warmMs: 3000,
};

/** For trying the bench out: one tenth of everything. */
export const QUICK_SIZES: Sizes = {
  handshakes: { 'node:tls': 20, 'ours-node': 20, 'ours-noble': 5, forge: 5 },
  ttfb: { 'node:tls': 4, 'ours-node': 4, 'ours-noble': 2, forge: 2 },
  bulkBytes: { 'node:tls': 4 * MIB, 'ours-node': 4 * MIB, 'ours-noble': MIB, forge: MIB },
  warmMs: 0,
};

const NODE_TLS = { engine: 'node:tls', provider: `OpenSSL ${process.versions.openssl}` };
const FORGE = { engine: 'node-forge', provider: 'JS' };

export function tlsCells(sizes: Sizes): Cell[] {
  const cells: Cell[] = [];
  // Each cell's warm-up repeats for this long before round 1 (warmFor): steady state, not the JIT's first minutes.
  const providers: [Engine, CryptoProvider][] = [['ours-node', nodeProvider()], ['ours-noble', nobleProvider()]];
  const add = (c: Omit<Cell, 'warmUp'>, warm: () => Promise<Sample>) => cells.push({ ...c, warmUp: () => warmFor(sizes.warmMs, warm) });
  const peerKey = (tc: TlsCase, who: { engine: string; provider: string }, metric: string) => cellKey({ case: tc.name, ...who, metric });

  /** One metric of one case on our engine (each provider) and on the peer engine. */
  const metric = (
    tc: TlsCase, name: string, unit: string, peer: typeof NODE_TLS,
    ours: (p: CryptoProvider, size: number) => Promise<Sample>, theirs: (size: number) => Promise<Sample>,
    size: (e: Engine) => number, warmSize: (e: Engine) => number,
  ) => {
    const peerEngine: Engine = peer === FORGE ? 'forge' : 'node:tls';
    add({ case: tc.name, ...peer, metric: name, unit, run: () => theirs(size(peerEngine)) }, () => theirs(warmSize(peerEngine)));
    for (const [e, p] of providers) {
      add({ case: tc.name, engine: 'tlslens', provider: p.name!, metric: name, unit, peers: [peerKey(tc, peer, name)], run: () => ours(p, size(e)) }, () => ours(p, warmSize(e)));
    }
  };
  const hs = (e: Engine) => sizes.handshakes[e];
  const few = (e: Engine) => Math.max(2, sizes.handshakes[e] >> 4);

  // Full handshakes: the three cases of the issue.
  for (const tc of [ECDSA13, RSA13, RSA12]) metric(tc, 'full handshakes', 'handshakes/s', NODE_TLS, (p, n) => oursHandshakes(tc, p, n), (n) => nodeHandshakes(tc, n), hs, few);
  metric(ECDSA13, 'resumed handshakes', 'handshakes/s', NODE_TLS, (p, n) => oursResumed(ECDSA13, p, n), (n) => nodeResumed(ECDSA13, n), hs, few);
  metric(ECDSA13, 'time to first byte', 'ms', NODE_TLS, (p, n) => oursTtfb(ECDSA13, p, n), (n) => nodeTtfb(ECDSA13, n), (e) => sizes.ttfb[e], () => 2);

  // Bulk, both directions, both AEADs; with the AEADs alone beside them.
  for (const [tc, aead] of [[BULK_GCM, 'AES-128-GCM'], [BULK_CHACHA, 'CHACHA20-POLY1305']] as [TlsCase, AeadKind][]) {
    for (const dir of ['down', 'up'] as const) {
      const name = dir === 'down' ? 'download (server -> client)' : 'upload (client -> server)';
      metric(tc, name, 'MB/s', NODE_TLS, (p, b) => oursBulk(tc, p, b, dir), (b) => nodeBulk(tc, b, dir), (e) => sizes.bulkBytes[e], (e) => sizes.bulkBytes[e] >> 3);
    }
    for (const lib of ['noble', 'node'] as const) {
      const bytes = sizes.bulkBytes[lib === 'noble' ? 'ours-noble' : 'node:tls'];
      const raw = { case: tc.name, engine: `${lib === 'noble' ? '@noble/ciphers' : 'node:crypto'} ${aead} alone`, provider: lib };
      add({ ...raw, metric: 'seal + open 16 KiB', unit: 'MB/s', run: () => rawAead(lib, aead, bytes, true) }, () => rawAead(lib, aead, bytes >> 3, true));
      add({ ...raw, metric: 'seal 16 KiB', unit: 'MB/s', run: () => rawAead(lib, aead, bytes, false) }, () => rawAead(lib, aead, bytes >> 3, false));
      // Our rows with this provider: also against the AEAD alone (seal + open: both ends are in this process).
      for (const c of cells) if (c.case === tc.name && c.engine === 'tlslens' && c.provider === lib) c.peers!.push(cellKey({ ...raw, metric: 'seal + open 16 KiB' }));
    }
  }

  // node-forge's case: TLS 1.0 AES128-SHA.
  metric(RSA10, 'full handshakes', 'handshakes/s', FORGE, (p, n) => oursHandshakes(RSA10, p, n), (n) => forgeHandshakes(RSA10, n), hs, few);
  metric(RSA10, 'resumed handshakes', 'handshakes/s', FORGE, (p, n) => oursResumed(RSA10, p, n), (n) => forgeResumed(RSA10, n), hs, few);
  metric(RSA10, 'time to first byte', 'ms', FORGE, (p, n) => oursTtfb(RSA10, p, n), (n) => forgeTtfb(RSA10, n), (e) => sizes.ttfb[e], () => 2);
  for (const dir of ['down', 'up'] as const) {
    const name = dir === 'down' ? 'download (server -> client)' : 'upload (client -> server)';
    // Every engine moves forge's amount here, so the rounds stay short.
    metric(RSA10, name, 'MB/s', FORGE, (p, b) => oursBulk(RSA10, p, b, dir), (b) => forgeBulk(RSA10, b, dir), () => sizes.bulkBytes.forge, () => sizes.bulkBytes.forge >> 3);
  }
  return cells;
}
