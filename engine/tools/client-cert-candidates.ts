// Client certificates a user already has, as candidates for a server's CertificateRequest: PEM files holding a
// certificate and its key, and PKCS#12 files (RFC 7292). Each is judged against the request from its certificates
// alone (engine/tools/client-cert-request.ts), so keys stay locked until one is chosen; a chosen candidate becomes
// an Identity once its passphrase opens the key.
import { signerFor } from '../crypto/signer';
import type { PrivateKeyHandle } from '../crypto/node-keys';
import { scanPem } from '../pem/blocks';
import { certificateOfTrusted, certificateSpki } from '../x509/certificate';
import { isPrivateKeyLabel } from '../x509/decode';
import { matchKeyToSpki } from '../x509/match';
import { decodePkcs12 } from '../x509/pkcs12';
import type { Pkcs12Bag } from '../x509/types';
import { IdentityError, type Identity } from './identity';
import { judgeClientCertificate, type CertificateRequestSummary, type ClientCertificateFit } from './client-cert-request';

export interface ClientCertCandidate {
  /** Where it comes from (a path or a name for messages). */
  source: string;
  format: 'pem' | 'pkcs12';
  /** The certificates, leaf first, when they can be read without a passphrase (PKCS#12 often encrypts them too). */
  chain?: Uint8Array[];
  /** Why it cannot be judged yet or at all: 'needs-passphrase' for a PKCS#12 whose certificates are encrypted. */
  locked?: 'needs-passphrase';
  problem?: string;
}

export interface JudgedCandidate extends ClientCertCandidate {
  fit?: ClientCertificateFit;
}

/** A PEM text as a candidate: only when it holds a certificate and a private key block. */
export function pemCandidate(text: string, source: string): ClientCertCandidate | undefined {
  const blocks = scanPem(text).blocks;
  const certs = blocks.filter((b) => /^(X509 |TRUSTED )?CERTIFICATE$/.test(b.label) && b.der);
  if (!certs.length || !blocks.some((b) => isPrivateKeyLabel(b.label))) return undefined;
  return { source, format: 'pem', chain: certs.map((b) => (b.label === 'TRUSTED CERTIFICATE' ? certificateOfTrusted(b.der!) : b.der!)) };
}

interface Pkcs12Contents {
  certs: { der: Uint8Array; localKeyId?: string }[];
  keys: { key: PrivateKeyHandle; localKeyId?: string }[];
}

function pkcs12Contents(der: Uint8Array, password: string | undefined): Pkcs12Contents & { locked: boolean; problem?: string } {
  const keys: Pkcs12Contents['keys'] = [];
  const info = decodePkcs12(der, { ...(password !== undefined ? { password } : {}), onKey: (key, bag) => keys.push({ key, ...(bag.localKeyId ? { localKeyId: bag.localKeyId } : {}) }) });
  const certs: Pkcs12Contents['certs'] = [];
  const walk = (bags: Pkcs12Bag[] | undefined) => bags?.forEach((b) => {
    if (b.certificateDer) certs.push({ der: b.certificateDer, ...(b.localKeyId ? { localKeyId: b.localKeyId } : {}) });
    walk(b.bags);
  });
  info.contents.forEach((c) => walk(c.bags));
  const locked = info.locked === 'needs-passphrase' || info.contents.some((c) => c.locked === 'needs-passphrase');
  const problem = info.locked === 'wrong-passphrase' ? 'the passphrase does not open this PKCS#12 file (its MAC does not verify)' : undefined;
  return { certs, keys, locked, ...(problem ? { problem } : {}) };
}

/** The leaf (the certificate with the key's localKeyId, else the one whose key matches) first, then the others. */
function orderChain(certs: Pkcs12Contents['certs'], key?: Pkcs12Contents['keys'][number]): Uint8Array[] {
  if (!certs.length) return [];
  let leaf = key?.localKeyId ? certs.find((c) => c.localKeyId === key.localKeyId) : undefined;
  if (!leaf && key) leaf = certs.find((c) => matchKeyToSpki(certificateSpki(c.der), key.key).match);
  leaf ??= certs.find((c) => c.localKeyId) ?? certs[0]!;
  return [leaf.der, ...certs.filter((c) => c !== leaf).map((c) => c.der)];
}

/** A PKCS#12 file as a candidate; without the password its certificates are listed only when they are not encrypted. */
export function pkcs12Candidate(der: Uint8Array, source: string, password?: string): ClientCertCandidate {
  try {
    const c = pkcs12Contents(der, password);
    if (c.problem) return { source, format: 'pkcs12', problem: c.problem };
    const chain = orderChain(c.certs, c.keys[0]);
    if (!chain.length) return { source, format: 'pkcs12', ...(c.locked ? { locked: 'needs-passphrase' as const } : { problem: 'it holds no certificate' }) };
    return { source, format: 'pkcs12', chain };
  } catch (e) {
    return { source, format: 'pkcs12', problem: (e as Error).message };
  }
}

/** Each candidate with its fit; fitting ones first, then those that cannot be judged yet, then the rest. */
export function judgeCandidates(request: CertificateRequestSummary, candidates: ClientCertCandidate[]): JudgedCandidate[] {
  const judged = candidates.map((c): JudgedCandidate => (c.chain?.length ? { ...c, fit: judgeClientCertificate(request, { chain: c.chain }) } : c));
  const rank = (c: JudgedCandidate) => (c.fit?.fits ? 0 : !c.fit && !c.problem ? 1 : 2);
  return judged.sort((a, b) => rank(a) - rank(b));
}

/** The identity in a PKCS#12 file (its first key, the certificate for it, the other certificates as the chain). */
export function identityFromPkcs12(der: Uint8Array, source: string, password: string): Identity {
  const c = pkcs12Contents(der, password);
  if (c.problem) throw new IdentityError(`${source}: ${c.problem}`);
  const key = c.keys[0];
  if (!key) throw new IdentityError(`${source}: ${c.locked ? 'the key is encrypted: a passphrase is needed' : 'no private key in this PKCS#12 file'}`);
  const chain = orderChain(c.certs, key);
  if (!chain.length) throw new IdentityError(`${source}: no certificate in this PKCS#12 file`);
  const m = matchKeyToSpki(certificateSpki(chain[0]!), key.key);
  if (!m.match) throw new IdentityError(`${source}: the private key does not match the certificate (${m.reason})`);
  return { chain, signer: signerFor(key.key), key: key.key, source };
}
