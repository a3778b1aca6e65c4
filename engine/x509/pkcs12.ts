// PKCS#12 / PFX files (RFC 7292): what a .p12 or .pfx holds, read as `openssl pkcs12 -info` shows it. Without a
// password: the version, the MAC's algorithm and iterations, each SafeContents (plain, or encrypted and how), and
// the bags of the plain ones with their friendlyName and localKeyID. With the password: the MAC is checked and
// the encrypted SafeContents and shrouded key bags are opened, so the certificates are decoded and each key is
// described by its public half (keys are opened by crypto/node-keys.ts, which keeps them).
// Malformed outer structure throws DerError naming the field; a bag or SafeContents that cannot be read carries
// a `problem` and the rest is still listed.
import * as asn1js from 'asn1js';
import { KeyLoadError, loadPrivateKey, publicSpkiOf, type PrivateKeyHandle } from '../crypto/node-keys';
import { oidLong } from '../registry/oids';
import { colonHexUpper } from '../util/hex';
import { decodeCertificate, need } from './certificate';
import { decodeCrl } from './crl';
import { childrenOf, contentOf, contextTag, DerError, oidOf, parseDer, rawOf, stringOf } from './der';
import { describePkcs8Encryption } from './key-encryption';
import { pbeScheme, readMacData, type PbeLimits } from './pbe';
import { decodeSpkiBytes } from './public-key';
import type { Pkcs12Attribute, Pkcs12Bag, Pkcs12BagType, Pkcs12Info, Pkcs12Lock, Pkcs12SafeContents, PrivateKeyInfo } from './types';

const DATA = '1.2.840.113549.1.7.1';
const SIGNED_DATA = '1.2.840.113549.1.7.2';
const ENVELOPED_DATA = '1.2.840.113549.1.7.3';
const ENCRYPTED_DATA = '1.2.840.113549.1.7.6';

/** RFC 7292 section 4.2: bag types, with the words `openssl pkcs12 -info` uses for them. */
const BAGS: Record<string, { type: Pkcs12BagType; label: string }> = {
  '1.2.840.113549.1.12.10.1.1': { type: 'keyBag', label: 'Key bag' },
  '1.2.840.113549.1.12.10.1.2': { type: 'pkcs8ShroudedKeyBag', label: 'Shrouded Keybag' },
  '1.2.840.113549.1.12.10.1.3': { type: 'certBag', label: 'Certificate bag' },
  '1.2.840.113549.1.12.10.1.4': { type: 'crlBag', label: 'CRL bag' },
  '1.2.840.113549.1.12.10.1.5': { type: 'secretBag', label: 'Secret bag' },
  '1.2.840.113549.1.12.10.1.6': { type: 'safeContentsBag', label: 'Safe Contents bag' },
};
const X509_CERTIFICATE = '1.2.840.113549.1.9.22.1';
const X509_CRL = '1.2.840.113549.1.9.23.1';
const ATTRIBUTES: Record<string, string> = {
  '1.2.840.113549.1.9.20': 'friendlyName',
  '1.2.840.113549.1.9.21': 'localKeyID',
  '1.3.6.1.4.1.311.17.1': 'Microsoft CSP Name',
  '1.3.6.1.4.1.311.17.2': 'Microsoft Local Key set',
  '2.16.840.1.113894.746875.1.1': 'Trusted key usage (Oracle)',
};
/** safeContentsBag nests SafeContents: a file cannot make us recurse without end. */
const MAX_DEPTH = 8;

export interface Pkcs12Options extends PbeLimits {
  password?: string;
  now?: Date;
  /**
   * Given each private key that could be opened, with its bag (for localKeyId and friendlyName): how a caller that
   * needs the key itself (a client certificate for a connection) gets it, while the decoded data keeps only public halves.
   */
  onKey?: (key: PrivateKeyHandle, bag: Pkcs12Bag) => void;
}

/** The bytes of an OCTET STRING, primitive or (BER) constructed from pieces. */
function octetsOf(block: asn1js.AsnType | undefined, field: string): Uint8Array {
  if (block instanceof asn1js.OctetString) {
    if (!block.idBlock.isConstructed) return contentOf(block);
    return joined(childrenOf(block, field).map((c) => octetsOf(c, field)));
  }
  throw new DerError(field, 'expected an OCTET STRING');
}

/** An [n] IMPLICIT OCTET STRING: primitive content, or the pieces of a constructed one. */
function implicitOctets(block: asn1js.AsnType, field: string): Uint8Array {
  const b = block as asn1js.BaseBlock & { valueBlock: { value?: unknown; valueHexView?: Uint8Array } };
  if (!b.idBlock.isConstructed) return new Uint8Array(b.valueBlock.valueHexView ?? new Uint8Array(0));
  return joined(childrenOf(block, field).map((c) => octetsOf(c, field)));
}

function joined(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The single value inside an [0] EXPLICIT wrapper. */
function explicit0(block: asn1js.AsnType | undefined, field: string): asn1js.AsnType {
  if (!block || contextTag(block) !== 0) throw new DerError(field, 'expected [0]');
  return need(childrenOf(block, field)[0], field);
}

function versionOf(block: asn1js.AsnType | undefined, field: string): number {
  if (!(block instanceof asn1js.Integer)) throw new DerError(field, 'expected an INTEGER');
  const bytes = contentOf(block);
  return bytes.length <= 4 ? Number(block.toBigInt()) : NaN;
}

function lockOf(e: KeyLoadError): Pkcs12Lock {
  return e.reason === 'needs-passphrase' || e.reason === 'wrong-passphrase' ? e.reason : 'unsupported';
}

/** Runs a part of the decode whose failure leaves the rest readable: DerError and KeyLoadError become a problem. */
function attempt<T>(fn: () => T): { value?: T; problem?: string; error?: DerError | KeyLoadError } {
  try {
    return { value: fn() };
  } catch (e) {
    if (e instanceof DerError || e instanceof KeyLoadError) return { problem: e.message, error: e };
    throw e;
  }
}

export function decodePkcs12(der: Uint8Array, opts: Pkcs12Options = {}): Pkcs12Info {
  const root = parseDer(der, 'PFX');
  const [versionB, authSafe, macDataB] = childrenOf(root, 'PFX');
  const version = versionOf(versionB, 'PFX.version');
  const [typeB, contentB] = childrenOf(need(authSafe, 'PFX.authSafe'), 'PFX.authSafe');
  const authType = oidOf(typeB, 'PFX.authSafe.contentType');
  const info: Pkcs12Info = { version, integrity: macDataB ? 'password' : 'none', contents: [], certificateCount: 0, keyCount: 0 };
  if (authType === SIGNED_DATA) throw new DerError('PFX.authSafe', 'public-key integrity mode (signedData) is not supported');
  if (authType !== DATA) throw new DerError('PFX.authSafe.contentType', `${oidLong(authType)} is neither data nor signedData`);
  const authOctets = octetsOf(explicit0(contentB, 'PFX.authSafe.content'), 'PFX.authSafe.content');

  const password = opts.password;
  if (macDataB) {
    const mac = readMacData(macDataB);
    info.mac = { algorithm: mac.algorithm, iterations: mac.iterations, macLength: mac.macLength, saltLength: mac.saltLength };
    if (password !== undefined) {
      const checked = attempt(() => mac.verify(password, authOctets, opts));
      if (checked.error instanceof KeyLoadError) info.locked = lockOf(checked.error);
      else info.macVerified = checked.value === true;
      if (checked.value === false) info.locked = 'wrong-passphrase';
    }
  }
  // With a password the MAC refused, nothing is decrypted (OpenSSL stops there too: "Mac verify error").
  const usable = info.locked === 'wrong-passphrase' ? undefined : password;
  const authenticatedSafe = parseDer(authOctets, 'AuthenticatedSafe');
  for (const [i, ci] of childrenOf(authenticatedSafe, 'AuthenticatedSafe').entries()) {
    info.contents.push(readContentInfo(ci, `AuthenticatedSafe[${i}]`, usable, opts));
  }
  const walk = (bags: Pkcs12Bag[] | undefined): void => {
    for (const b of bags ?? []) {
      if (b.type === 'certBag' && b.certificate) info.certificateCount++;
      if (b.type === 'keyBag' || b.type === 'pkcs8ShroudedKeyBag') info.keyCount++;
      walk(b.bags);
    }
  };
  for (const c of info.contents) walk(c.bags);
  if (!info.locked && password === undefined && (macDataB || info.contents.some((c) => c.locked === 'needs-passphrase'))) info.locked = 'needs-passphrase';
  return info;
}

function readContentInfo(ci: asn1js.AsnType, field: string, password: string | undefined, opts: Pkcs12Options): Pkcs12SafeContents {
  const [typeB, contentB] = childrenOf(ci, field);
  const type = oidOf(typeB, `${field}.contentType`);
  if (type === DATA) {
    const out: Pkcs12SafeContents = { type: 'data', label: 'PKCS7 Data' };
    const r = attempt(() => readSafeContents(octetsOf(explicit0(contentB, `${field}.content`), `${field}.content`), field, password, opts, 0));
    return r.problem ? { ...out, problem: r.problem } : { ...out, bags: r.value! };
  }
  if (type === ENCRYPTED_DATA) {
    // EncryptedData ::= SEQUENCE { version, EncryptedContentInfo { contentType, contentEncryptionAlgorithm, [0] IMPLICIT encryptedContent } }
    const [, eci] = childrenOf(explicit0(contentB, `${field}.content`), 'EncryptedData');
    const [, algB, encB] = childrenOf(need(eci, 'EncryptedData.encryptedContentInfo'), 'EncryptedContentInfo');
    const scheme = pbeScheme(need(algB, 'EncryptedContentInfo.contentEncryptionAlgorithm'), 'EncryptedContentInfo.contentEncryptionAlgorithm');
    const out: Pkcs12SafeContents = { type: 'encryptedData', label: `PKCS7 Encrypted data: ${scheme.description}`, encryption: scheme.description };
    if (password === undefined) return { ...out, locked: 'needs-passphrase' };
    if (!encB || contextTag(encB) !== 0) return { ...out, problem: 'EncryptedContentInfo.encryptedContent is absent' };
    const plain = attempt(() => scheme.decrypt(password, implicitOctets(encB, 'EncryptedContentInfo.encryptedContent'), opts));
    if (plain.error instanceof KeyLoadError) return { ...out, locked: lockOf(plain.error), problem: plain.problem! };
    const r = attempt(() => readSafeContents(plain.value!, field, password, opts, 0));
    // A wrong password that happened to leave valid CBC padding gives bytes that are not SafeContents.
    return r.problem ? { ...out, problem: `the decrypted content does not parse (wrong password?): ${r.problem}` } : { ...out, bags: r.value! };
  }
  if (type === ENVELOPED_DATA) return { type: 'envelopedData', label: 'PKCS7 Enveloped data', problem: 'encrypted to a recipient\'s public key: not opened' };
  return { type, label: `Unknown authsafe type ${oidLong(type)}`, problem: `content type ${oidLong(type)} is not data, encryptedData or envelopedData` };
}

function readSafeContents(bytes: Uint8Array, field: string, password: string | undefined, opts: Pkcs12Options, depth: number): Pkcs12Bag[] {
  const seq = parseDer(bytes, `${field}.SafeContents`);
  return childrenOf(seq, `${field}.SafeContents`).map((bag, i) => readBag(bag, `${field}.SafeContents[${i}]`, password, opts, depth));
}

function readAttributes(block: asn1js.AsnType | undefined, field: string): Pkcs12Attribute[] {
  if (!block) return [];
  return childrenOf(block, field).map((a, i) => {
    const [oidB, valuesB] = childrenOf(a, `${field}[${i}]`);
    const oid = oidOf(oidB, `${field}[${i}].attrId`);
    const values = childrenOf(need(valuesB, `${field}[${i}].attrValues`), `${field}[${i}].attrValues`).map((v) =>
      v instanceof asn1js.OctetString ? colonHexUpper(contentOf(v)) : typeof (v as { valueBlock?: { value?: unknown } }).valueBlock?.value === 'string' ? stringOf(v) : colonHexUpper(rawOf(v)));
    return { oid, name: ATTRIBUTES[oid] ?? oidLong(oid), values };
  });
}

function readBag(bag: asn1js.AsnType, field: string, password: string | undefined, opts: Pkcs12Options, depth: number): Pkcs12Bag {
  const [oidB, valueB, attrsB] = childrenOf(bag, field);
  const oid = oidOf(oidB, `${field}.bagId`);
  const kind = BAGS[oid] ?? { type: 'unknown' as const, label: `Warning unsupported bag type: ${oidLong(oid)}` };
  const out: Pkcs12Bag = { type: kind.type, oid, label: kind.label, attributes: [] };
  const attrs = attempt(() => readAttributes(attrsB, `${field}.bagAttributes`));
  if (attrs.problem) out.problem = attrs.problem;
  out.attributes = attrs.value ?? [];
  const friendly = out.attributes.find((a) => a.name === 'friendlyName')?.values[0];
  const keyId = out.attributes.find((a) => a.name === 'localKeyID')?.values[0];
  if (friendly !== undefined) out.friendlyName = friendly;
  if (keyId !== undefined) out.localKeyId = keyId;
  const body = attempt(() => readBagValue(out, explicit0(valueB, `${field}.bagValue`), field, password, opts, depth));
  if (body.problem) out.problem = out.problem ? `${out.problem}; ${body.problem}` : body.problem;
  return out;
}

function readBagValue(out: Pkcs12Bag, value: asn1js.AsnType, field: string, password: string | undefined, opts: Pkcs12Options, depth: number): void {
  switch (out.type) {
    case 'certBag': {
      const [idB, certB] = childrenOf(value, `${field}.CertBag`);
      const certId = oidOf(idB, `${field}.CertBag.certId`);
      if (certId !== X509_CERTIFICATE) throw new DerError(`${field}.CertBag.certId`, `${oidLong(certId)} is not an X.509 certificate`);
      const certDer = octetsOf(explicit0(certB, `${field}.CertBag.certValue`), `${field}.CertBag.certValue`);
      out.certificateDer = certDer;
      out.certificate = decodeCertificate(certDer, opts.now);
      return;
    }
    case 'crlBag': {
      const [idB, crlB] = childrenOf(value, `${field}.CRLBag`);
      const crlId = oidOf(idB, `${field}.CRLBag.crlId`);
      if (crlId !== X509_CRL) throw new DerError(`${field}.CRLBag.crlId`, `${oidLong(crlId)} is not an X.509 CRL`);
      out.crl = decodeCrl(octetsOf(explicit0(crlB, `${field}.CRLBag.crlValue`), `${field}.CRLBag.crlValue`));
      return;
    }
    case 'keyBag': {
      const key = loadPrivateKey({ der: rawOf(value), type: 'pkcs8' });
      out.privateKey = { format: 'PKCS#8', publicKey: decodeSpkiBytes(publicSpkiOf(key)) };
      opts.onKey?.(key, out);
      return;
    }
    case 'pkcs8ShroudedKeyBag': {
      // The bag is an EncryptedPrivateKeyInfo: its scheme is read here, the key opened by node-keys.
      const [algB] = childrenOf(value, `${field}.EncryptedPrivateKeyInfo`);
      const scheme = pbeScheme(need(algB, `${field}.EncryptedPrivateKeyInfo.encryptionAlgorithm`), `${field}.EncryptedPrivateKeyInfo.encryptionAlgorithm`);
      out.encryption = scheme.description;
      out.label = `${out.label}: ${scheme.description}`;
      const info: PrivateKeyInfo = { format: 'encrypted PKCS#8', encryption: describePkcs8Encryption(rawOf(value)) };
      out.privateKey = info;
      if (password === undefined) {
        info.locked = 'needs-passphrase';
        return;
      }
      scheme.checkCost(opts); // before OpenSSL runs however many iterations the file asks for
      try {
        const key = loadPrivateKey({ der: rawOf(value), type: 'pkcs8' }, password);
        info.publicKey = decodeSpkiBytes(publicSpkiOf(key));
        opts.onKey?.(key, out);
      } catch (e) {
        if (e instanceof KeyLoadError && (e.reason === 'needs-passphrase' || e.reason === 'wrong-passphrase')) info.locked = e.reason;
        throw e;
      }
      return;
    }
    case 'safeContentsBag':
      if (depth >= MAX_DEPTH) throw new DerError(field, `safeContentsBag nested deeper than ${MAX_DEPTH}`);
      out.bags = childrenOf(value, `${field}.SafeContents`).map((b, i) => readBag(b, `${field}.SafeContents[${i}]`, password, opts, depth + 1));
      return;
    default:
      return; // secretBag and unknown bags: listed with their attributes, their value left alone
  }
}

/** A quick test for DER recognised by shape: SEQUENCE { INTEGER 3, ContentInfo { data | signedData, ... }, ... }. */
export function looksLikePkcs12(der: Uint8Array): boolean {
  try {
    const [v, authSafe] = childrenOf(parseDer(der, 'PFX'), 'PFX');
    if (versionOf(v, 'PFX.version') !== 3 || !authSafe) return false;
    const t = oidOf(childrenOf(authSafe, 'PFX.authSafe')[0], 'PFX.authSafe.contentType');
    return t === DATA || t === SIGNED_DATA;
  } catch (e) {
    if (e instanceof DerError) return false;
    throw e;
  }
}
