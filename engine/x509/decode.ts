// Decodes a whole file, PEM text or a DER blob, into items with line ranges and problems.
// Every failure becomes a Problem that names the block and the line; nothing throws out of here.
import { bytesToBase64, looksLikePem, scanPem, type PemBlock } from '../pem/blocks';
import { KeyLoadError, loadPrivateKey, publicSpkiOf, spkiFromPkcs1Public, type PrivateKeyHandle } from '../crypto/node-keys';
import { certificateOfTrusted, decodeCertificate, need } from './certificate';
import { decodeCrl } from './crl';
import { decodeCsr } from './csr';
import { DerError, childrenOf, oidOf, parseDer } from './der';
import { describeLegacyEncryption, describePkcs8Encryption } from './key-encryption';
import { decodePkcs7 } from './pkcs7';
import { decodePkcs12, looksLikePkcs12 } from './pkcs12';
import { pbeScheme } from './pbe';
import { decodeSpkiBytes } from './public-key';
import { curveNames } from '../registry/oids';
import type { DecodedFile, DecodedItem, DecodeOptions, Problem } from './file';
import type { DecodedObject, PrivateKeyInfo } from './types';

/** Armour labels we decode (RFC 7468 section 4-13 and OpenSSL's legacy ones), to the decoder for each. */
export const KNOWN_LABELS = [
  'CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE', 'CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST',
  'X509 CRL', 'PUBLIC KEY', 'RSA PUBLIC KEY', 'PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY',
  'ENCRYPTED PRIVATE KEY', 'PKCS7', 'CMS', 'EC PARAMETERS', 'DH PARAMETERS', 'X9.42 DH PARAMETERS',
] as const;

const PRIVATE_KEY_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']);

export function isPrivateKeyLabel(label: string): boolean {
  return PRIVATE_KEY_LABELS.has(label);
}

/** The file as it may be shown or exported: private-key blocks and PKCS#12 files lose their DER (key material never leaves). */
export function withoutSecrets(file: DecodedFile): DecodedFile {
  const secret = (label: string) => isPrivateKeyLabel(label) || label === 'PKCS12';
  return { ...file, items: file.items.map((i) => (secret(i.label) && i.der ? (({ der: _der, ...rest }) => rest)(i) : i)) };
}

export function decodeBytes(bytes: Uint8Array, opts: DecodeOptions = {}): DecodedFile {
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, Math.min(bytes.length, 1 << 20)));
  if (looksLikePem(head)) return decodeText(new TextDecoder().decode(bytes), opts);
  return decodeDer(bytes, opts);
}

export function decodeText(text: string, opts: DecodeOptions = {}): DecodedFile {
  const { blocks } = scanPem(text);
  const items = blocks.map((b) => decodePemBlock(b, opts));
  return { format: 'pem', items, problems: items.flatMap((i) => (i.problem ? [i.problem] : [])) };
}

/** Decodes one scanned block: lets editors decode only the blocks they show. */
export function decodePemBlock(block: PemBlock, opts: DecodeOptions = {}): DecodedItem {
  const item: DecodedItem = { index: block.index, label: block.label, range: block.range, headers: block.headers.map(({ name, value }) => ({ name, value })) };
  if (block.problem) return { ...item, problem: block.problem };
  item.der = block.der!;
  const where = `block ${block.index + 1} (${block.label}, lines ${block.range.startLine + 1}-${block.range.endLine + 1})`;
  const line = block.range.startLine;
  if (!(KNOWN_LABELS as readonly string[]).includes(block.label)) {
    const guess = nearestLabel(block.label);
    return { ...item, problem: { code: 'unknown-label', line, message: `${where}: unknown armour label "${block.label}"${guess ? `; did you mean "${guess}"?` : ''}` } };
  }
  try {
    const res = decodeObject(block.label, block.der!, { ...opts, headers: item.headers, index: block.index });
    return { ...item, object: res.object, ...(res.problem ? { problem: { ...res.problem, line, message: `${where}: ${res.problem.message}` } } : {}) };
  } catch (e) {
    return { ...item, problem: toProblem(e, where, line) };
  }
}

function toProblem(e: unknown, where: string, line: number): Problem {
  // DerError messages already start with the field (e.g. "DER file: ..."), so `where` is optional.
  const at = (m: string) => (where ? `${where}: ${m}` : m);
  if (e instanceof DerError) return { code: /trailing/.test(e.message) ? 'trailing-bytes' : 'bad-der', line, message: at(e.message) };
  if (e instanceof KeyLoadError) return { code: e.reason === 'malformed' ? 'bad-der' : e.reason === 'unsupported' ? 'unsupported' : e.reason, line, message: at(e.message) };
  return { code: 'bad-der', line, message: at((e as Error).message ?? String(e)) };
}

interface ObjectResult {
  object: DecodedObject;
  problem?: Omit<Problem, 'line'>;
}

type BlockContext = DecodeOptions & { headers: { name: string; value: string }[]; index: number };

/** Decodes one object given its armour label. Throws DerError / KeyLoadError on malformed input. */
export function decodeObject(label: string, der: Uint8Array, ctx: BlockContext): ObjectResult {
  const now = ctx.now ?? new Date();
  switch (label) {
    case 'CERTIFICATE': case 'X509 CERTIFICATE':
      return { object: { kind: 'certificate', certificate: decodeCertificate(der, now) } };
    case 'TRUSTED CERTIFICATE': {
      return { object: { kind: 'certificate', certificate: decodeCertificate(certificateOfTrusted(der), now), trusted: true } };
    }
    case 'CERTIFICATE REQUEST': case 'NEW CERTIFICATE REQUEST':
      return { object: { kind: 'csr', csr: decodeCsr(der) } };
    case 'X509 CRL':
      return { object: { kind: 'crl', crl: decodeCrl(der) } };
    case 'PUBLIC KEY':
      return { object: { kind: 'public-key', publicKey: decodeSpkiBytes(der) } };
    case 'RSA PUBLIC KEY':
      parseDer(der, 'RSAPublicKey');
      return { object: { kind: 'public-key', publicKey: decodeSpkiBytes(rsaPublicKeySpki(der)) } };
    case 'PKCS7': case 'CMS': {
      const p7 = decodePkcs7(der, now);
      return { object: { kind: 'pkcs7', certificates: p7.certificates, crls: p7.crls } };
    }
    case 'PKCS12':
      return decodePkcs12Object(der, ctx);
    case 'EC PARAMETERS': {
      const p = parseDer(der, 'ECParameters');
      const oid = oidOf(p, 'ECParameters.namedCurve');
      return { object: { kind: 'parameters', description: `EC parameters: ${curveNames[oid] ?? oid}` } };
    }
    case 'DH PARAMETERS': case 'X9.42 DH PARAMETERS':
      parseDer(der, 'DHParameter');
      return { object: { kind: 'parameters', description: 'Diffie-Hellman parameters' } };
    default:
      if (PRIVATE_KEY_LABELS.has(label)) return decodePrivateKey(label, der, ctx);
      throw new DerError(label, 'no decoder for this label');
  }
}

/** A PKCS#12 file: read without a password first, then with one if it needs it and one can be had. */
function decodePkcs12Object(der: Uint8Array, ctx: BlockContext): ObjectResult {
  const limits = ctx.maxKdfIterations !== undefined ? { maxIterations: ctx.maxKdfIterations } : {};
  let p12 = decodePkcs12(der, { ...limits, ...(ctx.now ? { now: ctx.now } : {}) });
  if (p12.locked === 'needs-passphrase') {
    const password = typeof ctx.passphrase === 'function' ? ctx.passphrase({ index: ctx.index, label: 'PKCS12' }) : ctx.passphrase;
    if (password !== undefined) p12 = decodePkcs12(der, { ...limits, password, ...(ctx.now ? { now: ctx.now } : {}) });
  }
  const object: DecodedObject = { kind: 'pkcs12', pkcs12: p12 };
  if (p12.locked === 'needs-passphrase') return { object, problem: { code: 'needs-passphrase', message: 'the PKCS#12 file is protected: a password is needed to check it and open its encrypted parts' } };
  if (p12.locked === 'wrong-passphrase') return { object, problem: { code: 'wrong-passphrase', message: 'the password does not verify the PKCS#12 file\'s MAC' } };
  const unsupported = p12.contents.find((c) => c.locked === 'unsupported');
  if (unsupported || p12.locked === 'unsupported') return { object, problem: { code: 'unsupported', message: unsupported?.problem ?? 'part of the PKCS#12 file cannot be opened here' } };
  return { object };
}

/** PKCS#1 RSAPublicKey as a SubjectPublicKeyInfo; OpenSSL's refusal (a plain Error from node:crypto) is a DerError. */
function rsaPublicKeySpki(der: Uint8Array): Uint8Array {
  try {
    return spkiFromPkcs1Public(der);
  } catch (e) {
    throw new DerError('RSAPublicKey', `not an RSA public key (${(e as Error).message})`);
  }
}

const FORMAT: Record<string, string> = {
  'PRIVATE KEY': 'PKCS#8',
  'RSA PRIVATE KEY': 'PKCS#1 (RSA PRIVATE KEY)',
  'EC PRIVATE KEY': 'SEC1 (EC PRIVATE KEY)',
  'ENCRYPTED PRIVATE KEY': 'encrypted PKCS#8',
};

function decodePrivateKey(label: string, der: Uint8Array, ctx: BlockContext): ObjectResult {
  const legacy = describeLegacyEncryption(ctx.headers);
  if (!legacy) parseDer(der, label); // a clear structural error before OpenSSL's generic one
  const encryption = label === 'ENCRYPTED PRIVATE KEY' ? describePkcs8Encryption(der) : legacy;
  const info: PrivateKeyInfo = { format: legacy ? `legacy encrypted ${FORMAT[label]}` : FORMAT[label]!, ...(encryption ? { encryption } : {}) };
  const passphrase = typeof ctx.passphrase === 'function' ? (encryption ? ctx.passphrase({ index: ctx.index, label }) : undefined) : ctx.passphrase;
  // A file may ask for any number of PBKDF2 iterations: refuse too many before OpenSSL starts on them.
  if (label === 'ENCRYPTED PRIVATE KEY' && passphrase !== undefined)
    pbeScheme(need(childrenOf(parseDer(der, label), label)[0], 'EncryptedPrivateKeyInfo.encryptionAlgorithm'), 'EncryptedPrivateKeyInfo.encryptionAlgorithm').checkCost(ctx.maxKdfIterations !== undefined ? { maxIterations: ctx.maxKdfIterations } : {});
  try {
    const key = openKey(label, der, ctx.headers, passphrase);
    info.publicKey = decodeSpkiBytes(publicSpkiOf(key));
    return { object: { kind: 'private-key', privateKey: info } };
  } catch (e) {
    if (e instanceof KeyLoadError && (e.reason === 'needs-passphrase' || e.reason === 'wrong-passphrase')) {
      info.locked = e.reason;
      return { object: { kind: 'private-key', privateKey: info }, problem: { code: e.reason, message: e.message } };
    }
    throw e;
  }
}

/** Opens the private key of a PEM block or DER blob. Throws KeyLoadError. */
export function openKey(label: string, der: Uint8Array, headers: { name: string; value: string }[], passphrase?: string): PrivateKeyHandle {
  const head = headers.length ? headers.map((h) => `${h.name}: ${h.value}`).join('\n') + '\n\n' : '';
  const body = (bytesToBase64(der).match(/.{1,64}/g) ?? []).join('\n');
  // An empty passphrase is what OpenSSL sees when none is given: keep "needs a passphrase" distinct.
  return loadPrivateKey({ pem: `-----BEGIN ${label}-----\n${head}${body}\n-----END ${label}-----\n` }, passphrase === undefined ? undefined : passphrase);
}

/** Opens the private key of a decoded item. */
export function openItemKey(item: DecodedItem, passphrase?: string): PrivateKeyHandle {
  if (!item.der) throw new KeyLoadError('malformed', item.problem?.message ?? 'the block did not decode');
  return openKey(item.label, item.der, item.headers, passphrase);
}

// ---- DER files: the type is not written down, so it is recognised by shape ----

const DER_KINDS: { label: string; test: (der: Uint8Array) => boolean }[] = [
  { label: 'CERTIFICATE', test: (d) => tryOk(() => decodeCertificate(d)) },
  { label: 'X509 CRL', test: (d) => tryOk(() => decodeCrl(d)) },
  { label: 'CERTIFICATE REQUEST', test: (d) => tryOk(() => decodeCsr(d)) },
  { label: 'PKCS7', test: (d) => tryOk(() => decodePkcs7(d)) },
  { label: 'PKCS12', test: looksLikePkcs12 },
  { label: 'PUBLIC KEY', test: (d) => tryOk(() => decodeSpkiBytes(d)) },
  { label: 'ENCRYPTED PRIVATE KEY', test: (d) => tryOk(() => { const [a, b] = childrenOf(parseDer(d, 'x'), 'x'); return a && b && !childrenOf(a, 'a')[0]!.idBlock.isConstructed; }) && tryOk(() => describePkcs8Encryption(d)) },
  { label: 'PRIVATE KEY', test: (d) => tryOk(() => loadPrivateKey({ der: d, type: 'pkcs8' })) },
  { label: 'RSA PRIVATE KEY', test: (d) => tryOk(() => loadPrivateKey({ der: d, type: 'pkcs1' })) },
  { label: 'EC PRIVATE KEY', test: (d) => tryOk(() => loadPrivateKey({ der: d, type: 'sec1' })) },
];

function tryOk(fn: () => unknown): boolean {
  try {
    return fn() !== false;
  } catch {
    return false;
  }
}

export function decodeDer(bytes: Uint8Array, opts: DecodeOptions = {}): DecodedFile {
  const base = { index: 0, range: { startLine: 0, endLine: 0 }, headers: [] };
  let der = bytes;
  let problem: Problem | undefined;
  try {
    parseDer(bytes, 'DER file');
  } catch (e) {
    if (e instanceof DerError && e.offset !== undefined) {
      problem = { code: 'trailing-bytes', line: 0, message: e.message };
      der = bytes.subarray(0, e.offset);
    } else {
      const p = toProblem(e, '', 0);
      return { format: 'der', items: [{ ...base, label: 'DER', problem: p }], problems: [p] };
    }
  }
  const kind = DER_KINDS.find((k) => k.test(der));
  if (!kind) {
    const p: Problem = { code: 'unsupported', line: 0, message: 'DER file: not a certificate, CRL, request, PKCS#7 bundle, PKCS#12 file, public key or private key' };
    return { format: 'der', items: [{ ...base, label: 'DER', der, problem: p }], problems: [p] };
  }
  const item: DecodedItem = { ...base, label: kind.label, der };
  try {
    const res = decodeObject(kind.label, der, { ...opts, headers: [], index: 0 });
    item.object = res.object;
    if (res.problem) problem ??= { ...res.problem, line: 0, message: `DER file: ${res.problem.message}` };
  } catch (e) {
    problem ??= toProblem(e, 'DER file', 0);
  }
  if (problem) item.problem = problem;
  return { format: 'der', items: [item], problems: problem ? [problem] : [] };
}

// A typo in an armour label is a common cause of "unable to load certificate".
function nearestLabel(label: string): string | undefined {
  let best: string | undefined;
  let bestD = 4;
  for (const k of KNOWN_LABELS) {
    const d = distance(label.toUpperCase(), k);
    if (d < bestD) { best = k; bestD = d; }
  }
  return best;
}

function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

