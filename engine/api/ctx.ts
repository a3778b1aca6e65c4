// SSL_CTX: OpenSSL's context object, and the certificate/key loaders of the seed's SSL_CTX_use_certificate
// page, with OpenSSL's return values (1 success, 0 failure and the reason on the error queue).
import { DEFAULT_LIMITS } from '../conn/limits';
import { X509_STORE, X509_STORE_load_locations, X509_STORE_set_default_paths, type VerifyCallback } from './x509-store';
import fs from 'node:fs';
import { scanPem } from '../pem/blocks';
import { KeyLoadError, loadPrivateKey } from '../crypto/node-keys';
import { certificateOfTrusted } from '../x509/certificate';
import { DerError, parseDer } from '../x509/der';
import { isPrivateKeyLabel, openKey } from '../x509/decode';
import { matchKeyToSpki } from '../x509/match';
import { SSL_FILETYPE_ASN1, SSL_FILETYPE_PEM } from './constants';
import { ERR_clear_error, ERR_raise, ERR_raise_system, R } from './err';
import { EVP_PKEY, slotOf, X509, type CertSlot } from './objects';
import type { SSL_METHOD } from './method';
import type { CryptoProvider } from '../crypto/provider';
import { groupByName } from '../registry/groups';
import { sigSchemeByName } from '../registry/sigschemes';
import { suiteByName } from '../registry/suites';
import { parseCipherList } from '../handshake/tls12/cipher-list';
import { providerByName } from '../crypto/node-provider';
import { SessionCache12 } from '../handshake/tls12/session';

export type pem_password_cb = (rwflag: number, userdata: unknown) => string | undefined;

interface Slot {
  x509?: X509;
  privatekey?: EVP_PKEY;
  chain: X509[];
}

export class SSL_CTX {
  references = 1;
  readonly slots = new Map<CertSlot, Slot>();
  /** The slot used last, which SSL_CTX_check_private_key checks (OpenSSL's cert->key). */
  current?: CertSlot;
  extraChain: X509[] = [];
  passwdCb?: pem_password_cb;
  passwdUserdata: unknown;
  /** SSL_CTX_set_mode; SSL_new copies it. */
  mode = 0;
  /** SSL_CTX_set_options: the SSL_OP_* bits this engine acts on (others are kept and reported back). */
  options = 0;
  minVersion = 0;
  maxVersion = 0;
  cipherSuites?: number[];
  /** SSL_CTX_set_cipher_list: TLS 1.2-and-older suites. */
  cipherSuites12?: number[];
  groups?: number[];
  sigalgs?: number[];
  alpn?: string[];
  /** SSL_VERIFY_PEER (1) | SSL_VERIFY_FAIL_IF_NO_PEER_CERT (2). */
  verifyMode = 0;
  verifyCallback?: VerifyCallback;
  /** SSL_CTX_set_verify_depth; -1: unset (OpenSSL's 100). */
  verifyDepth = -1;
  /** SSL_CTX_set_max_cert_list: the largest Certificate message accepted from the peer (limits.ts maxCertificateChainBytes). */
  maxCertList = DEFAULT_LIMITS.maxCertificateChainBytes;
  /** Trust anchors for the peer's chain (SSL_CTX_load_verify_locations, SSL_CTX_get_cert_store). */
  certStore = new X509_STORE();
  provider?: CryptoProvider;
  /** SSL_CTX_set_client_hello_cb: (ssl, al, arg) -> SSL_CLIENT_HELLO_SUCCESS (1), _ERROR (0) or _RETRY (-1). */
  clientHelloCb?: (ssl: unknown, al: { value: number }, arg: unknown) => number;
  clientHelloArg?: unknown;
  /** SSL_CTX_set_client_cert_cb: (ssl, out) -> 1 with out.x509/out.pkey set, 0 for none, -1 to be called again. */
  clientCertCb?: (ssl: unknown, out: { x509?: X509; pkey?: EVP_PKEY }) => number;
  /** TLS 1.2 sessions by ID, for clients that take no ticket (SSL_CTX's session cache). */
  readonly sessionCache = new SessionCache12();
  /** Seals this context's session tickets, so any SSL made from it can resume another's sessions. */
  readonly ticketKey = globalThis.crypto.getRandomValues(new Uint8Array(32));
  constructor(readonly method: SSL_METHOD) {
    if (method.version) this.minVersion = this.maxVersion = method.version;
  }

  slot(s: CertSlot): Slot {
    let v = this.slots.get(s);
    if (!v) this.slots.set(s, (v = { chain: [] }));
    return v;
  }
}

export function SSL_CTX_new(method: SSL_METHOD | null): SSL_CTX | null {
  if (!method) {
    ERR_raise(R.SSL_R_NULL_SSL_METHOD_PASSED);
    return null;
  }
  if (!method.built) {
    ERR_raise(R.SSL_R_UNSUPPORTED_PROTOCOL, `${method.name}: this protocol is not built into the engine yet`);
    return null;
  }
  return new SSL_CTX(method);
}

export function SSL_CTX_up_ref(ctx: SSL_CTX): number {
  ctx.references++;
  return 1;
}

export function SSL_CTX_free(ctx: SSL_CTX | null): void {
  if (ctx) ctx.references--;
}

export function SSL_CTX_set_default_passwd_cb(ctx: SSL_CTX, cb: pem_password_cb | undefined): void {
  ctx.passwdCb = cb;
}

export function SSL_CTX_set_default_passwd_cb_userdata(ctx: SSL_CTX, u: unknown): void {
  ctx.passwdUserdata = u;
}

// ---- protocol settings ----

export const SSL_VERIFY_NONE = 0;
export const SSL_VERIFY_PEER = 1;
export const SSL_VERIFY_FAIL_IF_NO_PEER_CERT = 2;

/** 0 means "the lowest/highest the library supports" (SSL 3.0 / TLS 1.3). */
export function SSL_CTX_set_min_proto_version(ctx: SSL_CTX, version: number): number {
  if (version !== 0 && (version < 0x0300 || version > 0x0304) && ctx.method.family === 'tls') {
    ERR_raise(R.SSL_R_UNSUPPORTED_PROTOCOL, `min version 0x${version.toString(16)}: not a TLS version`);
    return 0;
  }
  ctx.minVersion = version;
  return 1;
}

export function SSL_CTX_set_max_proto_version(ctx: SSL_CTX, version: number): number {
  if (version !== 0 && (version < 0x0300 || version > 0x0304) && ctx.method.family === 'tls') {
    ERR_raise(R.SSL_R_UNSUPPORTED_PROTOCOL, `max version 0x${version.toString(16)}: not a TLS version`);
    return 0;
  }
  ctx.maxVersion = version;
  return 1;
}

export function SSL_CTX_get_min_proto_version(ctx: SSL_CTX): number {
  return ctx.minVersion;
}

export function SSL_CTX_get_max_proto_version(ctx: SSL_CTX): number {
  return ctx.maxVersion;
}

function parseList(list: string, find: (n: string) => number | undefined, what: string): number[] | undefined {
  const out: number[] = [];
  for (const name of list.split(':').map((x) => x.trim()).filter(Boolean)) {
    const code = find(name);
    if (code === undefined) {
      ERR_raise(R.SSL_R_UNINITIALIZED, `unknown ${what} "${name}"`);
      return undefined;
    }
    out.push(code);
  }
  return out.length ? out : undefined;
}

/** TLS 1.2-and-older suites in OpenSSL's cipher list syntax (SSL_CTX_set_cipher_list): 1 when at least one suite is set. */
export function SSL_CTX_set_cipher_list(ctx: SSL_CTX, str: string): number {
  try {
    ctx.cipherSuites12 = parseCipherList(str);
    return 1;
  } catch (e) {
    ERR_raise(R.SSL_R_NO_CIPHER_MATCH, `SSL_CTX_set_cipher_list: ${(e as Error).message}`);
    return 0;
  }
}

/** TLS 1.3 suites, colon-separated (OpenSSL's SSL_CTX_set_ciphersuites). */
export function SSL_CTX_set_ciphersuites(ctx: SSL_CTX, str: string): number {
  const v = parseList(str, (n) => {
    const s = suiteByName(n);
    return s && 'versions' in s && s.versions === 'tls13' ? s.code : undefined;
  }, 'TLS 1.3 cipher suite');
  if (!v) return 0;
  ctx.cipherSuites = v;
  return 1;
}

export function SSL_CTX_set1_groups_list(ctx: SSL_CTX, list: string): number {
  const v = parseList(list, (n) => groupByName(n)?.code, 'group');
  if (!v) return 0;
  ctx.groups = v;
  return 1;
}

export function SSL_CTX_set1_sigalgs_list(ctx: SSL_CTX, list: string): number {
  const v = parseList(list, (n) => sigSchemeByName(n)?.code, 'signature algorithm');
  if (!v) return 0;
  ctx.sigalgs = v;
  return 1;
}

/** ALPN in wire format (length-prefixed names). Note OpenSSL's inverted return: 0 on success. */
export function SSL_CTX_set_alpn_protos(ctx: SSL_CTX, protos: Uint8Array): number {
  const names: string[] = [];
  for (let i = 0; i < protos.length; ) {
    const n = protos[i]!;
    if (n === 0 || i + 1 + n > protos.length) return 1;
    names.push(new TextDecoder().decode(protos.subarray(i + 1, i + 1 + n)));
    i += 1 + n;
  }
  ctx.alpn = names;
  return 0;
}

/** void SSL_CTX_set_verify(SSL_CTX *ctx, int mode, SSL_verify_cb verify_callback). */
export function SSL_CTX_set_verify(ctx: SSL_CTX, mode: number, callback?: VerifyCallback | null): void {
  ctx.verifyMode = mode;
  if (callback) ctx.verifyCallback = callback;
  else delete ctx.verifyCallback;
}

export function SSL_CTX_get_verify_mode(ctx: SSL_CTX): number {
  return ctx.verifyMode;
}

export function SSL_CTX_set_verify_depth(ctx: SSL_CTX, depth: number): void {
  ctx.verifyDepth = depth;
}

/** long SSL_CTX_set_max_cert_list(SSL_CTX *ctx, long size): returns the previous value. */
export function SSL_CTX_set_max_cert_list(ctx: SSL_CTX, size: number): number {
  const old = ctx.maxCertList;
  ctx.maxCertList = size;
  return old;
}

export function SSL_CTX_get_max_cert_list(ctx: SSL_CTX): number {
  return ctx.maxCertList;
}

export function SSL_CTX_get_cert_store(ctx: SSL_CTX): X509_STORE {
  return ctx.certStore;
}

/** Replaces the store; the context takes over the caller's reference (as OpenSSL does). */
export function SSL_CTX_set_cert_store(ctx: SSL_CTX, store: X509_STORE): void {
  ctx.certStore = store;
}

/** int SSL_CTX_load_verify_locations(SSL_CTX *ctx, const char *CAfile, const char *CApath): 1 on success, 0 on failure. */
export function SSL_CTX_load_verify_locations(ctx: SSL_CTX, CAfile: string | null, CApath: string | null): number {
  return X509_STORE_load_locations(ctx.certStore, CAfile, CApath);
}

export function SSL_CTX_set_default_verify_paths(ctx: SSL_CTX): number {
  return X509_STORE_set_default_paths(ctx.certStore);
}

// ---- certificates ----

/** ssl_set_cert: a new certificate drops a private key that does not match it (OpenSSL does the same). */
function setCert(ctx: SSL_CTX, x: X509): number {
  const s = slotOf(x.info.publicKey);
  if (!s) {
    ERR_raise(R.SSL_R_UNKNOWN_CERTIFICATE_TYPE, x.info.publicKey.description);
    return 0;
  }
  const slot = ctx.slot(s);
  if (slot.privatekey && !matchKeyToSpki(x.spki, slot.privatekey.key).publicKeyEqual) {
    delete slot.privatekey;
    ERR_clear_error();
  }
  slot.x509 = x;
  ctx.current = s;
  return 1;
}

export function SSL_CTX_use_certificate(ctx: SSL_CTX, x: X509 | null): number {
  if (!x) {
    ERR_raise(R.SSL_R_NO_CERTIFICATE_ASSIGNED, 'passed a null certificate');
    return 0;
  }
  return setCert(ctx, x);
}

export function SSL_CTX_use_certificate_ASN1(ctx: SSL_CTX, len: number, d: Uint8Array): number {
  const x = x509FromDer(d.subarray(0, len));
  return x ? setCert(ctx, x) : 0;
}

export function SSL_CTX_use_certificate_file(ctx: SSL_CTX, file: string, type: number): number {
  const bytes = readFile(file);
  if (!bytes) return 0;
  if (type === SSL_FILETYPE_ASN1) {
    const x = x509FromDer(bytes, file);
    return x ? setCert(ctx, x) : 0;
  }
  if (type !== SSL_FILETYPE_PEM) {
    ERR_raise(R.SSL_R_BAD_SSL_FILETYPE, String(type));
    return 0;
  }
  const certs = pemCertificates(bytes, file);
  if (!certs || certs.length === 0) return 0;
  return setCert(ctx, certs[0]!);
}

/** Leaf first, then intermediates, as the seed's page requires. */
export function SSL_CTX_use_certificate_chain_file(ctx: SSL_CTX, file: string): number {
  const bytes = readFile(file);
  if (!bytes) return 0;
  const certs = pemCertificates(bytes, file);
  if (!certs || certs.length === 0) return 0;
  if (!setCert(ctx, certs[0]!)) return 0;
  ctx.slot(ctx.current!).chain = certs.slice(1);
  return 1;
}

export function SSL_CTX_add_extra_chain_cert(ctx: SSL_CTX, x: X509): number {
  ctx.extraChain.push(x);
  return 1;
}

// ---- private keys ----

/** ssl_set_pkey: refuses a key that does not match the certificate already in its slot. */
function setKey(ctx: SSL_CTX, pkey: EVP_PKEY): number {
  const s = slotOf(pkey.publicKey);
  if (!s) {
    ERR_raise(R.SSL_R_UNKNOWN_CERTIFICATE_TYPE, pkey.publicKey.description);
    return 0;
  }
  const slot = ctx.slot(s);
  if (slot.x509 && !checkPair(slot.x509, pkey)) return 0;
  slot.privatekey = pkey;
  ctx.current = s;
  return 1;
}

export function SSL_CTX_use_PrivateKey(ctx: SSL_CTX, pkey: EVP_PKEY | null): number {
  if (!pkey) {
    ERR_raise(R.SSL_R_NO_PRIVATE_KEY_ASSIGNED, 'passed a null key');
    return 0;
  }
  return setKey(ctx, pkey);
}

/** `pk` is the EVP_PKEY type OpenSSL takes first; the DER is PKCS#8, or the type's own form. */
export function SSL_CTX_use_PrivateKey_ASN1(pk: number, ctx: SSL_CTX, d: Uint8Array, len: number): number {
  const der = d.subarray(0, len);
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      return setKey(ctx, new EVP_PKEY(loadPrivateKey({ der, type })));
    } catch {
      // next container
    }
  }
  ERR_raise(R.EVP_R_UNSUPPORTED_PRIVATE_KEY_ALGORITHM, `type ${pk}: not a PKCS#8, PKCS#1 or SEC1 private key`);
  return 0;
}

export function SSL_CTX_use_PrivateKey_file(ctx: SSL_CTX, file: string, type: number): number {
  const bytes = readFile(file);
  if (!bytes) return 0;
  if (type === SSL_FILETYPE_ASN1) return SSL_CTX_use_PrivateKey_ASN1(0, ctx, bytes, bytes.length);
  if (type !== SSL_FILETYPE_PEM) {
    ERR_raise(R.SSL_R_BAD_SSL_FILETYPE, String(type));
    return 0;
  }
  const block = scanPem(new TextDecoder().decode(bytes)).blocks.find((b) => isPrivateKeyLabel(b.label));
  if (!block) {
    ERR_raise(R.PEM_R_NO_START_LINE, `Expecting: ANY PRIVATE KEY in ${file}`);
    return 0;
  }
  if (!block.der) {
    ERR_raise(R.PEM_R_BAD_BASE64_DECODE, block.problem?.message);
    return 0;
  }
  const encrypted = block.label === 'ENCRYPTED PRIVATE KEY' || block.headers.some((h) => /ENCRYPTED/i.test(h.value));
  const pass = encrypted ? ctx.passwdCb?.(0, ctx.passwdUserdata) : undefined;
  try {
    return setKey(ctx, new EVP_PKEY(openKey(block.label, block.der, block.headers, pass)));
  } catch (e) {
    if (e instanceof KeyLoadError && e.reason === 'needs-passphrase') ERR_raise(R.PEM_R_BAD_PASSWORD_READ, file);
    else if (e instanceof KeyLoadError && e.reason === 'wrong-passphrase') ERR_raise(R.PEM_R_BAD_DECRYPT, file);
    else ERR_raise(R.EVP_R_UNSUPPORTED_PRIVATE_KEY_ALGORITHM, `${file}: ${(e as Error).message}`);
    return 0;
  }
}

// ---- the check ----

/** X509_check_private_key: 1 when the key's public half equals the certificate's. */
function checkPair(x: X509, pkey: EVP_PKEY): boolean {
  const m = matchKeyToSpki(x.spki, pkey.key);
  const detail = m.reason.replace(/^key (type|values) mismatch: /, '');
  if (!m.sameType) ERR_raise(R.X509_R_KEY_TYPE_MISMATCH, detail);
  else if (!m.publicKeyEqual) ERR_raise(R.X509_R_KEY_VALUES_MISMATCH, detail);
  return m.publicKeyEqual;
}

export function SSL_CTX_check_private_key(ctx: SSL_CTX): number {
  const slot = ctx.current && ctx.slots.get(ctx.current);
  if (!slot?.x509) {
    ERR_raise(R.SSL_R_NO_CERTIFICATE_ASSIGNED);
    return 0;
  }
  if (!slot.privatekey) {
    ERR_raise(R.SSL_R_NO_PRIVATE_KEY_ASSIGNED);
    return 0;
  }
  return checkPair(slot.x509, slot.privatekey) ? 1 : 0;
}

// ---- helpers ----

function readFile(file: string): Uint8Array | undefined {
  try {
    return new Uint8Array(fs.readFileSync(file));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // strerror's wording, as OpenSSL prints it: "No such file or directory".
    const text = err.message.replace(/^[A-Z]+: /, '').replace(/, open .*$/, '');
    ERR_raise_system(err.code ?? 'EIO', text.charAt(0).toUpperCase() + text.slice(1), `calling fopen(${file}, r)`);
    return undefined;
  }
}

export function x509FromDer(der: Uint8Array, where = 'certificate'): X509 | undefined {
  try {
    parseDer(der, where);
    return new X509(der);
  } catch (e) {
    const msg = (e as Error).message;
    ERR_raise(e instanceof DerError && /truncated/.test(msg) ? R.ASN1_R_NOT_ENOUGH_DATA : e instanceof DerError && /trailing/.test(msg) ? R.ASN1_R_TOO_LONG : R.ASN1_R_WRONG_TAG, msg);
    return undefined;
  }
}

function pemCertificates(bytes: Uint8Array, file: string): X509[] | undefined {
  const blocks = scanPem(new TextDecoder().decode(bytes)).blocks.filter((b) => /^(X509 |TRUSTED )?CERTIFICATE$/.test(b.label));
  if (blocks.length === 0) {
    ERR_raise(R.PEM_R_NO_START_LINE, `Expecting: CERTIFICATE in ${file}`);
    return undefined;
  }
  const out: X509[] = [];
  for (const b of blocks) {
    if (!b.der) {
      ERR_raise(R.PEM_R_BAD_BASE64_DECODE, b.problem?.message);
      return undefined;
    }
    const x = x509FromDer(b.label === 'TRUSTED CERTIFICATE' ? certificateOfTrusted(b.der) : b.der, `${file} line ${b.range.startLine + 1}`);
    if (!x) return undefined;
    out.push(x);
  }
  return out;
}

export const SSL_CLIENT_HELLO_SUCCESS = 1;
export const SSL_CLIENT_HELLO_ERROR = 0;
export const SSL_CLIENT_HELLO_RETRY = -1;

export function SSL_CTX_set_client_hello_cb(ctx: SSL_CTX, cb: SSL_CTX['clientHelloCb'], arg?: unknown): void {
  ctx.clientHelloCb = cb;
  ctx.clientHelloArg = arg;
}

export function SSL_CTX_set_client_cert_cb(ctx: SSL_CTX, cb: SSL_CTX['clientCertCb']): void {
  ctx.clientCertCb = cb;
}

// ---- options (SSL_CTX_set_options) ----

/** OpenSSL 3's values for the options the engine acts on. */
export const SSL_OP_NO_TICKET = 0x00004000;
export const SSL_OP_ALLOW_CLIENT_RENEGOTIATION = 0x00000100;
export const SSL_OP_NO_RENEGOTIATION = 0x40000000;

/** Adds options; returns the new set (uint64_t in OpenSSL, a number here). */
export function SSL_CTX_set_options(ctx: SSL_CTX, op: number): number {
  ctx.options = (ctx.options | op) >>> 0;
  return ctx.options;
}

export function SSL_CTX_clear_options(ctx: SSL_CTX, op: number): number {
  ctx.options = (ctx.options & ~op) >>> 0;
  return ctx.options;
}

export function SSL_CTX_get_options(ctx: SSL_CTX): number {
  return ctx.options;
}

/**
 * Chooses the crypto provider of the SSLs made from this context: 'noble' (pure JavaScript, the default) or 'node'
 * (node:crypto). Our extension; OpenSSL picks its providers with OSSL_PROVIDER_load. 1 on success, 0 for an unknown name.
 */
export function SSL_CTX_set_crypto_provider(ctx: SSL_CTX, name: string): number {
  try {
    ctx.provider = providerByName(name);
    return 1;
  } catch (e) {
    ERR_raise(R.SSL_R_UNINITIALIZED, `SSL_CTX_set_crypto_provider: ${(e as Error).message}`);
    return 0;
  }
}
