// X509_STORE, X509_STORE_CTX and the peer verification an SSL runs during its handshake (OpenSSL's
// ssl_verify_cert_chain): the store holds trust anchors; the verify callback sees each certificate from the
// top of the path down, with every error at its depth, and may override it; the outcome is what
// SSL_get_verify_result returns, and with SSL_VERIFY_PEER a failure aborts the handshake with the alert
// OpenSSL would send.
import { verifyError } from '../registry/x509-verify-errors';
import { alertForVerifyError } from '../x509/verify-alert';
import { loadCert, verifyChain, type VCert, type VerifyResult } from '../x509/verify/index';
import { loadDirectory, loadFile, type LoadedCerts } from '../x509/verify/trust-store';
import { systemAnchors } from '../x509/system-anchors';
import type { PeerVerdict } from '../conn/config';
import { ERR_raise, R } from './err';
import { X509 } from './objects';

export const X509_V_OK = 0;
export const X509_V_ERR_CERT_CHAIN_TOO_LONG = 22;
export const X509_V_ERR_APPLICATION_VERIFICATION = 50;

export class X509_STORE {
  references = 1;
  readonly anchors: VCert[] = [];
  private readonly seen = new Set<string>();

  add(c: VCert): void {
    if (this.seen.has(c.id)) return; // OpenSSL 1.1.1+: adding a certificate twice is not an error
    this.seen.add(c.id);
    this.anchors.push(c);
  }

  addLoaded(l: LoadedCerts): number {
    for (const c of l.certs) this.add(c);
    return l.certs.length;
  }
}

export function X509_STORE_new(): X509_STORE {
  return new X509_STORE();
}

export function X509_STORE_up_ref(store: X509_STORE): number {
  store.references++;
  return 1;
}

export function X509_STORE_free(store: X509_STORE | null): void {
  if (store) store.references--;
}

/** Returns 1, also for a certificate already in the store (OpenSSL 1.1.1 and later). */
export function X509_STORE_add_cert(store: X509_STORE, x: X509): number {
  try {
    store.add(loadCert(x.der));
    return 1;
  } catch (e) {
    ERR_raise(R.SSL_R_UNKNOWN_CERTIFICATE_TYPE, `X509_STORE_add_cert: ${(e as Error).message}`);
    return 0;
  }
}

/** X509_STORE_load_locations: a PEM file of anchors and/or a directory (c_rehash links or *.pem); 0 when neither loads a certificate. */
export function X509_STORE_load_locations(store: X509_STORE, file: string | null, dir: string | null): number {
  if (file === null && dir === null) return 0;
  let n = 0;
  try {
    if (file !== null) n += store.addLoaded(loadFile(file));
    if (dir !== null) n += store.addLoaded(loadDirectory(dir));
  } catch (e) {
    ERR_raise(R.SSL_R_UNINITIALIZED, `X509_STORE_load_locations: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    return 0;
  }
  if (n === 0) {
    ERR_raise(R.SSL_R_UNINITIALIZED, `X509_STORE_load_locations: no certificate in ${file ?? dir}`);
    return 0;
  }
  return 1;
}

/** The system bundle (Debian's /etc/ssl/certs/ca-certificates.crt and its equivalents), decoded once per process. */
export function X509_STORE_set_default_paths(store: X509_STORE): number {
  store.addLoaded(systemAnchors());
  return 1;
}

/** What a verify callback is handed: the certificate, depth and error being judged. */
export class X509_STORE_CTX {
  error = X509_V_OK;
  errorDepth = 0;
  currentCert?: X509;
  /** The path that was built, leaf first. */
  chain: X509[] = [];
  /** Explanations of every finding (ours, beyond OpenSSL's text). */
  result?: VerifyResult;
  constructor(readonly ssl: unknown) {}
}

export function X509_STORE_CTX_get_error(ctx: X509_STORE_CTX): number {
  return ctx.error;
}

export function X509_STORE_CTX_set_error(ctx: X509_STORE_CTX, err: number): void {
  ctx.error = err;
}

export function X509_STORE_CTX_get_error_depth(ctx: X509_STORE_CTX): number {
  return ctx.errorDepth;
}

export function X509_STORE_CTX_get_current_cert(ctx: X509_STORE_CTX): X509 | undefined {
  return ctx.currentCert;
}

export function X509_STORE_CTX_get0_chain(ctx: X509_STORE_CTX): X509[] {
  return ctx.chain;
}

export function X509_STORE_CTX_get_ex_data_ssl(ctx: X509_STORE_CTX): unknown {
  return ctx.ssl;
}

export function X509_verify_cert_error_string(code: number): string {
  return verifyError(code).text;
}

/** int verify_callback(int preverify_ok, X509_STORE_CTX *x509_ctx). */
export type VerifyCallback = (preverifyOk: number, ctx: X509_STORE_CTX) => number;

export interface PeerVerification {
  /** What SSL_get_verify_result returns. */
  result: number;
  /** The path, for SSL_get0_verified_chain. */
  chain: X509[];
  details: VerifyResult;
}

export interface VerifySettings {
  store: X509_STORE;
  /** SSL_VERIFY_PEER set: a failure ends the handshake. */
  peer: boolean;
  callback?: VerifyCallback;
  /** SSL_CTX_set_verify_depth; -1 when unset (OpenSSL's default of 100). */
  depth: number;
  /** SSL_set1_host. */
  host?: string;
  purpose: 'sslserver' | 'sslclient';
}

/**
 * Runs the verification for a handshake and returns the verdict for the engine plus what the SSL records.
 * The callback is called as OpenSSL's internal_verify does: from the top of the path to the leaf, with
 * preverify_ok 0 for each error at that depth (it may return 1 to carry on) and 1 for each certificate.
 */
export function verifyPeerChain(ssl: unknown, chainDer: Uint8Array[], s: VerifySettings): { verdict: PeerVerdict; record: PeerVerification } {
  const certs = chainDer.map((d) => loadCert(d));
  const details = verifyChain({ target: certs[0]!, untrusted: certs.slice(1), trusted: s.store.anchors }, {
    purpose: s.purpose,
    ...(s.host ? (/^[\d.]+$|:/.test(s.host) ? { ip: s.host } : { hostname: s.host }) : {}),
  });
  const x509s = details.chain.map((l) => x509ByFingerprint(l.fingerprint, certs, s.store.anchors)).filter((x): x is X509 => !!x);
  const errors = [...details.errors];
  if (s.depth >= 0 && details.chain.length > s.depth + 2)
    errors.push({ ...details.errors[0]!, ...verifyErrorFinding(X509_V_ERR_CERT_CHAIN_TOO_LONG, s.depth + 1) });

  const ctx = new X509_STORE_CTX(ssl);
  ctx.chain = x509s;
  ctx.result = details;
  let code = X509_V_OK;
  let failed = false;
  const top = Math.max(details.chain.length - 1, ...errors.map((e) => e.depth));
  for (let d = top; d >= 0 && !failed; d--) {
    ctx.currentCert = x509s[d];
    ctx.errorDepth = d;
    for (const f of errors.filter((e) => e.depth === d)) {
      ctx.error = f.code;
      code = f.code;
      if (!s.callback || !s.callback(0, ctx)) {
        failed = true;
        break;
      }
    }
    if (!failed && s.callback && d < details.chain.length && !s.callback(1, ctx)) {
      failed = true;
      if (ctx.error === X509_V_OK) ctx.error = X509_V_ERR_APPLICATION_VERIFICATION;
      code = ctx.error;
    }
  }
  const record: PeerVerification = { result: code, chain: x509s, details };
  const ok = !failed || !s.peer;
  const e = verifyError(code);
  return {
    record,
    verdict: { ok, code, reason: `${e.text} (${code}) at depth ${ctx.errorDepth}`, alert: alertForVerifyError(code) },
  };
}

function verifyErrorFinding(code: number, depth: number) {
  const e = verifyError(code);
  return { code, name: e.name, text: e.text, meaning: e.meaning, fix: e.fix, detail: `the path is longer than the verify depth allows (${depth - 1})`, rule: 'SSL_CTX_set_verify_depth', depth, order: 0 };
}

function x509ByFingerprint(fp: string, ...sets: VCert[][]): X509 | undefined {
  for (const set of sets) {
    const c = set.find((x) => x.id === fp);
    if (c) return new X509(c.der);
  }
  return undefined;
}
