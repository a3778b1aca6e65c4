// A file holding a certificate chain, as a server would send it: is it in the order TLS requires (each
// certificate directly certified by the next, RFC 8446 section 4.4.2, RFC 5246 section 7.4.2), does each link
// hold, and which path does a validator build from it. Findings point at blocks, so the editor can put them
// on the right lines; the path is built and judged by engine/x509/verify.
import { loadCert, verifyChain, type VCert, type VerifyResult } from '../x509/verify/index';
import { checkCertSignature } from '../x509/verify/signature';
import { looksSelfSigned } from '../x509/verify/path-builder';
import { BoundedCache, bytesKey } from '../util/bounded-cache';

export interface ChainBlock {
  /** The block's index among all the file's blocks (keys and others included). */
  index: number;
  der: Uint8Array;
}

export type ChainFindingKind = 'reversed' | 'out-of-order' | 'does-not-link' | 'duplicate' | 'after-root';

export interface ChainFinding {
  /** The block the finding is about (where the editor shows it). */
  blockIndex: number;
  kind: ChainFindingKind;
  message: string;
}

export interface PathLink {
  subject: string;
  /** Block index in this file, or undefined when the certificate came from the trust store. */
  blockIndex?: number;
  verdict: 'ok' | 'warning' | 'error';
}

export interface ChainAnalysis {
  certificates: number;
  findings: ChainFinding[];
  /** The path a validator builds from the file's first certificate, leaf first. */
  path: PathLink[];
  verdict?: VerifyResult;
}

/** Beyond this many certificates the order check (pairwise signatures) is skipped: no real chain is that long. */
const MAX_ORDER_CHECK = 40;

/** Block N as people count them (1-based) with its subject's CN or whole name. */
function name(c: VCert, blockIndex: number): string {
  return `block ${blockIndex + 1} (${c.label})`; // also a sentence of engine/l10n (the editor table)
}

/**
 * Certificates as the verifier holds them, by their DER: an edit to a 1,000-certificate bundle re-analyses the file,
 * and decoding every certificate again was most of a hover's time (seconds). Only the DER matters here: the
 * verdicts take their time from verifyChain, not from the cached objects.
 */
const loaded = new BoundedCache<string, VCert>(4096);

function loadCertCached(der: Uint8Array): VCert {
  return loaded.get(bytesKey(der), () => loadCert(der));
}

export function analyzeChainFile(blocks: readonly ChainBlock[], trusted: VCert[], opts: { time?: Date } = {}): ChainAnalysis {
  const certs: { c: VCert; block: number }[] = [];
  for (const b of blocks) {
    try {
      certs.push({ c: loadCertCached(b.der), block: b.index });
    } catch {
      // a block that does not decode has its own diagnostic
    }
  }
  const findings: ChainFinding[] = [];
  if (certs.length === 0) return { certificates: 0, findings, path: [] };

  const seen = new Map<string, number>();
  for (const x of certs) {
    const first = seen.get(x.c.id);
    if (first !== undefined) findings.push({ blockIndex: x.block, kind: 'duplicate', message: `${name(x.c, x.block)} repeats block ${first + 1}: servers should send each certificate once.` });
    else seen.set(x.c.id, x.block);
  }

  if (certs.length >= 2 && certs.length <= MAX_ORDER_CHECK) findings.push(...orderFindings(certs));

  const [leaf, ...rest] = certs;
  const verdict = verifyChain({ target: leaf!.c, untrusted: rest.map((x) => x.c), trusted }, { ...(opts.time ? { time: opts.time } : {}) });
  const blockOf = new Map(certs.map((x) => [x.c.id, x.block]));
  const path = verdict.chain.map((l) => {
    const blockIndex = blockOf.get(l.fingerprint);
    return { subject: l.subject, verdict: l.verdict, ...(blockIndex !== undefined && l.source !== 'trust-store' ? { blockIndex } : {}) };
  });
  return { certificates: certs.length, findings, path, verdict };
}

function orderFindings(certs: { c: VCert; block: number }[]): ChainFinding[] {
  const cache = new Map<string, boolean>();
  // Name match first (cheap), then the signature: only a real issuer counts.
  const issued = (child: VCert, parent: VCert): boolean => {
    if (child.id === parent.id || child.issuerKey !== parent.subjectKey) return false;
    const key = `${child.id}>${parent.id}`;
    let v = cache.get(key);
    if (v === undefined) cache.set(key, (v = checkCertSignature(child, parent).ok));
    return v;
  };
  const n = certs.length;
  // Leaf last, root first: the common mistake of concatenating "root, intermediate, leaf".
  if (n >= 2 && certs.every((x, i) => i === 0 || issued(x.c, certs[i - 1]!.c)) && !certs.every((x, i) => i === n - 1 || issued(x.c, certs[i + 1]!.c))) {
    return [{ blockIndex: certs[0]!.block, kind: 'reversed', message: `The chain is in reverse order: each certificate here is issued by the one before it. TLS sends the leaf first and each issuer after the certificate it signed (RFC 8446 section 4.4.2): reverse the blocks, ${name(certs[n - 1]!.c, certs[n - 1]!.block)} first.` }];
  }
  const out: ChainFinding[] = [];
  for (let i = 0; i + 1 < n; i++) {
    const cur = certs[i]!;
    const next = certs[i + 1]!;
    if (issued(cur.c, next.c) || cur.c.id === next.c.id) continue;
    if (looksSelfSigned(cur.c)) {
      out.push({ blockIndex: next.block, kind: 'after-root', message: `${name(next.c, next.block)} follows ${name(cur.c, cur.block)}, which is self-signed and so ends the chain: nothing after a root is part of it. Move it before the root, or remove it.` });
      continue;
    }
    const issuer = certs.find((x) => issued(cur.c, x.c));
    if (issuer) {
      out.push({ blockIndex: next.block, kind: 'out-of-order', message: `${name(next.c, next.block)} did not issue ${name(cur.c, cur.block)}; ${name(issuer.c, issuer.block)} did. Each certificate must come right before its issuer (RFC 8446 section 4.4.2; strict clients reject other orders): move block ${issuer.block + 1} to just after block ${cur.block + 1}.` });
    } else {
      out.push({ blockIndex: next.block, kind: 'does-not-link', message: `${name(next.c, next.block)} did not issue ${name(cur.c, cur.block)}, and no certificate in this file did: its issuer "${cur.c.info.issuer.text}" is missing. Add that intermediate right after block ${cur.block + 1}.` });
    }
  }
  return out;
}
