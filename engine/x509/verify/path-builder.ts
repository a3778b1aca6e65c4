// Candidate certification paths (RFC 4158 in spirit; RFC 5280 section 6 validates each) from an unordered bag:
// the target, extra (untrusted) certificates in any order and with duplicates, and trust anchors.
// Issuers are matched by name (RFC 5280 section 7.1 comparison) and, when both sides carry them, AKI keyIdentifier
// against SKI. Every branch is followed, so a cross-signed intermediate yields one path per anchor it reaches.
import type { VCert } from './cert';
import { isSelfIssued } from './cert';
import { checkCertSignature } from './signature';

export type PathEnd =
  /** Ends in a trusted certificate that is self-signed (or any trusted certificate with partialChain). */
  | 'anchor'
  /** The top certificate's issuer was not found anywhere. */
  | 'no-issuer'
  /** The top is trusted but not self-signed, and nothing above it was found (OpenSSL error 2). */
  | 'trusted-not-root'
  /** The top is self-signed and not trusted (OpenSSL 18 at depth 0, 19 above). */
  | 'untrusted-self-signed'
  /** maxLength certificates and still no anchor (OpenSSL 22, CERT_CHAIN_TOO_LONG). */
  | 'too-long';

export interface CandidatePath {
  /** Target first, the top (anchor or last found) last. */
  certs: VCert[];
  end: PathEnd;
  /** Per certificate, whether it came from the trust store. */
  trusted: boolean[];
  /** Issuers with the right name that were passed over because their SKI differs from the AKI (RFC 5280 4.2.1.1). */
  akiMismatches: VCert[];
}

export interface CertBag {
  trusted: VCert[];
  untrusted: VCert[];
}

export interface BuildOptions {
  /** Accept a trusted certificate that is not self-signed as the end of a path (OpenSSL -partial_chain). */
  partialChain?: boolean;
  /** Maximum number of certificates in a path: OpenSSL's default -verify_depth 100 allows 101 (leaf, 99 CAs, anchor). */
  maxLength?: number;
  /** Stop after this many candidates. */
  maxCandidates?: number;
  /** Time used to prefer currently valid issuers. */
  time?: Date;
}

/** OpenSSL's X509_self_signed(x, 0): self-issued and, when both are present, AKI keyid equals SKI. */
export function looksSelfSigned(c: VCert): boolean {
  return isSelfIssued(c) && (!c.akiKeyId || !c.ski || c.akiKeyId === c.ski);
}

function validAt(c: VCert, t: Date): boolean {
  return new Date(c.info.validity.notBefore) <= t && t <= new Date(c.info.validity.notAfter);
}

export function buildPaths(target: VCert, bag: CertBag, opts: BuildOptions = {}): CandidatePath[] {
  const maxLength = opts.maxLength ?? 101;
  const maxCandidates = opts.maxCandidates ?? 16;
  const time = opts.time ?? new Date();
  // One entry per distinct certificate; a certificate both sent and trusted counts as trusted.
  const trustedIds = new Set(bag.trusted.map((c) => c.id));
  const pool = new Map<string, VCert>();
  for (const c of [...bag.trusted, ...bag.untrusted]) if (!pool.has(c.id)) pool.set(c.id, c);
  const all = [...pool.values()];
  const out: CandidatePath[] = [];
  const sigCache = new Map<string, boolean>();
  const sigOk = (sub: VCert, iss: VCert) => {
    const k = `${sub.id}<${iss.id}`;
    if (!sigCache.has(k)) sigCache.set(k, checkCertSignature(sub, iss).ok);
    return sigCache.get(k)!;
  };

  const issuersOf = (c: VCert, path: VCert[]) => {
    const inPath = new Set(path.map((p) => p.id));
    // Loops: the same certificate, or the same subject and key (a re-issued copy), never appears twice.
    const keysInPath = new Set(path.map((p) => `${p.subjectKey}|${p.info.publicKey.spkiSha256}`));
    const byName = all.filter((x) => x.subjectKey === c.issuerKey && !inPath.has(x.id) && !keysInPath.has(`${x.subjectKey}|${x.info.publicKey.spkiSha256}`));
    const mismatched = byName.filter((x) => c.akiKeyId && x.ski && c.akiKeyId !== x.ski);
    const ok = byName.filter((x) => !mismatched.includes(x));
    const score = (x: VCert) => (trustedIds.has(x.id) ? 8 : 0) + (sigOk(c, x) ? 4 : 0) + (validAt(x, time) ? 2 : 0) + (c.akiKeyId && x.ski === c.akiKeyId ? 1 : 0);
    ok.sort((a, b) => score(b) - score(a));
    return { ok, mismatched };
  };

  const emit = (certs: VCert[], end: PathEnd, akiMismatches: VCert[]) => {
    out.push({ certs, end, trusted: certs.map((c) => trustedIds.has(c.id)), akiMismatches });
  };

  const extend = (path: VCert[], akiMismatches: VCert[]) => {
    if (out.length >= maxCandidates) return;
    const top = path[path.length - 1]!;
    const topTrusted = trustedIds.has(top.id);
    if (topTrusted && (looksSelfSigned(top) || opts.partialChain)) return emit(path, 'anchor', akiMismatches);
    if (!topTrusted && looksSelfSigned(top)) {
      // A self-signed certificate that is not trusted may still have a trusted twin (same name and key) in the store.
      const twin = all.find((x) => trustedIds.has(x.id) && x.subjectKey === top.subjectKey && x.info.publicKey.spkiSha256 === top.info.publicKey.spkiSha256);
      if (twin && path.length > 1) return emit([...path.slice(0, -1), twin], 'anchor', akiMismatches);
      return emit(path, 'untrusted-self-signed', akiMismatches);
    }
    if (path.length >= maxLength) return emit(path, 'too-long', akiMismatches);
    const { ok, mismatched } = issuersOf(top, path);
    const seen = [...akiMismatches, ...mismatched];
    if (!ok.length) return emit(path, topTrusted ? 'trusted-not-root' : 'no-issuer', seen);
    for (const issuer of ok) extend([...path, issuer], seen);
  };

  extend([target], []);
  // Complete paths first (in discovery order: trusted issuers and verifying signatures were tried first).
  const rank: Record<PathEnd, number> = { anchor: 0, 'trusted-not-root': 1, 'untrusted-self-signed': 2, 'too-long': 3, 'no-issuer': 4 };
  return out.map((p, i) => ({ p, i })).sort((a, b) => rank[a.p.end] - rank[b.p.end] || a.i - b.i).map((x) => x.p);
}
