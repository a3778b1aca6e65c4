// Options shared by connect and serve, as OpenSSL's OPT_S_OPTIONS are shared by s_client and s_server:
// names from the registries, lists colon- or comma-separated as OpenSSL takes them.
import fs from 'node:fs';
import { groupByName } from '../registry/groups';
import { sigSchemeByName } from '../registry/sigschemes';
import { suiteByName } from '../registry/suites';
import { parseCipherList } from '../handshake/tls12/cipher-list';
import { providerByName } from '../crypto/node-provider';
import { versionByName } from '../registry/versions';
import type { SessionOptions } from '../net/session';
import type { SecretLabel } from '../handshake/tls13/key-schedule';
import { toHex } from '../util/hex';
import { readPassphrase, UsageError, type CliIO } from './io';
import { identityFromPem, type Identity } from '../tools/identity';
import type { Option } from './options';

export const TLS_OPTIONS: Option[] = [
  { name: 'tls1_3', kind: 'flag', help: 'TLS 1.3 only (also --tls1.3)' },
  { name: 'tls1.3', kind: 'flag', help: 'same as --tls1_3' },
  { name: 'tls1_2', kind: 'flag', help: 'TLS 1.2 only (also --tls1.2)' },
  { name: 'tls1.2', kind: 'flag', help: 'same as --tls1_2' },
  { name: 'tls1_1', kind: 'flag', help: 'TLS 1.1 only (also --tls1.1)' },
  { name: 'tls1.1', kind: 'flag', help: 'same as --tls1_1' },
  { name: 'tls1', kind: 'flag', help: 'TLS 1.0 only' },
  { name: 'ssl3', kind: 'flag', help: 'SSL 3.0 only (broken: POODLE; for testing old peers)' },
  { name: 'no_tls1_3', kind: 'flag', help: 'do not use TLS 1.3' },
  { name: 'dtls', kind: 'flag', help: 'DTLS over UDP (DTLS 1.2, or 1.0 with --dtls1)' },
  { name: 'dtls1', kind: 'flag', help: 'DTLS 1.0 only (over UDP)' },
  { name: 'dtls1_2', kind: 'flag', help: 'DTLS 1.2 only (over UDP; also --dtls1.2)' },
  { name: 'dtls1.2', kind: 'flag', help: 'same as --dtls1_2' },
  { name: 'mtu', kind: 'string', arg: 'N', help: 'DTLS: the path MTU that handshake messages are fragmented to (default 1400)' },
  { name: 'min-version', kind: 'string', arg: 'VER', help: 'lowest version: SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3 (default TLSv1.2)' },
  { name: 'max-version', kind: 'string', arg: 'VER', help: 'highest version (default TLSv1.3)' },
  { name: 'ciphersuites', kind: 'string', arg: 'LIST', help: 'TLS 1.3 suites, OpenSSL or IANA names, e.g. TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256' },
  { name: 'cipher', kind: 'string', arg: 'LIST', help: 'TLS 1.2-and-older suites, OpenSSL or IANA names, e.g. ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA; DEFAULT, ALL, !NAME and @SECLEVEL=N as OpenSSL takes them' },
  { name: 'groups', kind: 'string', arg: 'LIST', help: 'groups, e.g. X25519:P-256:ffdhe2048:X25519MLKEM768 (first gets the key share)' },
  { name: 'sigalgs', kind: 'string', arg: 'LIST', help: 'signature schemes, e.g. ecdsa_secp256r1_sha256:rsa_pss_rsae_sha256 or ECDSA+SHA256' },
  { name: 'alpn', kind: 'string', arg: 'LIST', help: 'ALPN protocols, comma-separated, e.g. h2,http/1.1' },
  { name: 'cert', kind: 'string', arg: 'FILE', help: 'certificate chain (PEM, leaf first)' },
  { name: 'key', kind: 'string', arg: 'FILE', help: 'private key (PEM; default: from --cert\'s file)' },
  { name: 'pass', kind: 'string', arg: 'SPEC', help: 'passphrase of --key: pass:TEXT, env:VAR, file:PATH' },
  { name: 'record-size-limit', kind: 'string', arg: 'N', help: 'offer record_size_limit N (RFC 8449, 64..16385): when the peer offers one too, records keep to each side\'s limit' },
  { name: 'crypto', kind: 'string', arg: 'NAME', help: 'crypto provider: noble (pure JavaScript, the default) or node (node:crypto: hardware AES, native curves)' },
  { name: 'keylog', kind: 'string', arg: 'FILE', help: 'append secrets in NSS key log format (SSLKEYLOGFILE) for Wireshark' },
  { name: 'msg', kind: 'flag', help: 'show records, key changes and states too (like -msg)' },
  { name: 'json', kind: 'flag', help: 'JSON lines: every trace event, then a summary' },
  { name: 'quiet', kind: 'flag', short: 'q', help: 'no trace, only data and the summary' },
];

function split(v: string): string[] {
  return v.split(/[:,]/).map((s) => s.trim()).filter(Boolean);
}

export function tlsSettings(values: Record<string, string | boolean | undefined>): SessionOptions {
  const out: SessionOptions = {};
  for (const k of ['min-version', 'max-version'] as const) {
    const v = values[k];
    if (typeof v === 'string') {
      const row = versionByName(v);
      if (!row || row.code < 0x0300 || row.code > 0x0304) throw new UsageError(`--${k} ${v}: unknown version (use SSLv3, TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3)`);
      if (k === 'min-version') out.minVersion = row.code;
      else out.maxVersion = row.code;
    }
  }
  // s_client's one-version flags.
  const only: [string, number][] = [['tls1_3', 0x0304], ['tls1.3', 0x0304], ['tls1_2', 0x0303], ['tls1.2', 0x0303], ['tls1_1', 0x0302], ['tls1.1', 0x0302], ['tls1', 0x0301], ['ssl3', 0x0300]];
  const chosen = only.filter(([f]) => values[f]);
  if (new Set(chosen.map(([, v]) => v)).size > 1) throw new UsageError(`--${chosen.map(([f]) => f).join(' and --')}: choose one version`);
  if (chosen.length) out.minVersion = out.maxVersion = chosen[0]![1];
  if (values.no_tls1_3) out.maxVersion = Math.min(out.maxVersion ?? 0x0303, 0x0303);
  if ((out.minVersion ?? 0x0303) > (out.maxVersion ?? 0x0304)) throw new UsageError('the minimum version is above the maximum');
  if (out.maxVersion !== undefined && out.maxVersion < 0x0303 && out.minVersion === undefined) out.minVersion = out.maxVersion;
  if (typeof values.cipher === 'string') {
    try {
      out.cipherSuites12 = parseCipherList(values.cipher);
    } catch (e) {
      throw new UsageError(`--cipher: ${(e as Error).message}`);
    }
  }
  if (typeof values.ciphersuites === 'string') {
    out.cipherSuites = split(values.ciphersuites).map((n) => {
      const s = suiteByName(n);
      if (!s || !('versions' in s) || s.versions !== 'tls13') throw new UsageError(`--ciphersuites: "${n}" is not a TLS 1.3 cipher suite`);
      return s.code;
    });
  }
  if (typeof values.groups === 'string') {
    out.groups = split(values.groups).map((n) => {
      const g = groupByName(n);
      if (!g) throw new UsageError(`--groups: unknown group "${n}"`);
      return g.code;
    });
    out.keyShareGroups = [out.groups[0]!];
  }
  if (typeof values.sigalgs === 'string') {
    out.signatureSchemes = split(values.sigalgs).map((n) => {
      const s = sigSchemeByName(n);
      if (!s) throw new UsageError(`--sigalgs: unknown signature scheme "${n}"`);
      return s.code;
    });
  }
  if (typeof values.alpn === 'string') out.alpn = values.alpn.split(',').map((s) => s.trim()).filter(Boolean);
  const rsl = values['record-size-limit'];
  if (typeof rsl === 'string') {
    const n = Number(rsl);
    if (!(Number.isInteger(n) && n >= 64 && n <= 16385)) throw new UsageError(`--record-size-limit ${rsl}: must be 64..16385 in TLS 1.3 (RFC 8449 section 4)`);
    out.recordSizeLimit = n;
  }
  if (typeof values.keylog === 'string') out.onSecret = keyLogWriter(values.keylog);
  if (typeof values.crypto === 'string') {
    try {
      out.provider = providerByName(values.crypto);
    } catch (e) {
      throw new UsageError(`--crypto: ${(e as Error).message}`);
    }
  }
  return out;
}

/** NSS key log lines: `LABEL <client_random hex> <secret hex>` (draft-ietf-tls-keylogfile section 3). */
export function keyLogWriter(file: string): (label: SecretLabel, clientRandom: Uint8Array, secret: Uint8Array) => void {
  return (label, clientRandom, secret) => fs.appendFileSync(file, `${label} ${toHex(clientRandom)} ${toHex(secret)}\n`, { mode: 0o600 });
}

export function parseHostPort(v: string, defaultPort: number): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(v) ?? /^([^:]+)(?::(\d+))?$/.exec(v);
  if (!m) throw new UsageError(`"${v}" is not HOST:PORT`);
  const port = m[2] ? Number(m[2]) : defaultPort;
  if (!(port >= 0 && port < 65536)) throw new UsageError(`"${v}": bad port`);
  return { host: m[1]!, port };
}

/** --cert, --key and --pass, as s_client and s_server take them: the identity, or undefined without --cert. */
export function identityFromOptions(values: Record<string, string | boolean | undefined>, io: CliIO): Identity | undefined {
  if (typeof values.cert !== 'string') return undefined;
  const certPem = fs.readFileSync(values.cert, 'utf8');
  const keyPem = typeof values.key === 'string' ? fs.readFileSync(values.key, 'utf8') : undefined;
  return identityFromPem(certPem, keyPem, values.cert, readPassphrase(values.pass as string | undefined, io));
}


/** The DTLS settings of --dtls, --dtls1, --dtls1_2 and --mtu, or undefined when the connection is TLS over TCP. */
export function dtlsSettings(values: Record<string, string | boolean | undefined>): { dtlsMin: number; dtlsMax: number; mtu?: number } | undefined {
  if (values['dtls1.2']) values = { ...values, dtls1_2: true };
  if (!values.dtls && !values.dtls1 && !values.dtls1_2) return undefined;
  if (values.dtls1 && values.dtls1_2) throw new UsageError('--dtls1 and --dtls1_2: choose one version');
  const min = values.dtls1_2 ? 0xfefd : 0xfeff;
  const max = values.dtls1 ? 0xfeff : 0xfefd;
  let mtu: number | undefined;
  if (typeof values.mtu === 'string') {
    mtu = Number(values.mtu);
    if (!Number.isInteger(mtu) || mtu < 256 || mtu > 65535) throw new UsageError(`--mtu ${values.mtu}: a path MTU is 256..65535 bytes`);
  }
  // As s_client -dtls: DTLS 1.2 by default, DTLS 1.0 too when asked for.
  return { dtlsMin: values.dtls && !values.dtls1 ? 0xfefd : min, dtlsMax: max, ...(mtu ? { mtu } : {}) };
}
