// Trace events as lines of text for the terminal (`tlslens connect/serve`), in the spirit of s_client -msg
// but decoded: each handshake message with the fields people look for, records with their inner type.
import { extensionName } from '../registry/extensions';
import { groupName } from '../registry/groups';
import { sigSchemeName } from '../registry/sigschemes';
import { suiteName } from '../registry/suites';
import { versionName } from '../registry/versions';
import type { TraceEvent } from './events';

const ARROW = { in: '<<', out: '>>' } as const;

export interface FormatOptions {
  /** Show records and key changes, not only messages (s_client -msg level). */
  records?: boolean;
}

export function formatEvent(e: TraceEvent, opts: FormatOptions = {}): string | undefined {
  const head = `${e.side === 'client' ? 'C' : 'S'} ${(e.t / 1000).toFixed(3).padStart(7)}s`;
  switch (e.kind) {
    case 'record':
      if (!opts.records) return undefined;
      return `${head} ${ARROW[e.dir]} record ${e.contentTypeName} ${versionName(e.version)} len=${e.length}${e.inner ? ` [${e.epoch}: ${e.inner.contentTypeName} ${e.inner.length} bytes${e.inner.padding ? ` + ${e.inner.padding} padding` : ''}]` : ''}`;
    case 'handshake':
      return `${head} ${ARROW[e.dir]} ${messageTitle(e.name)} (${e.length} bytes)${describe(e.name, e.fields as Record<string, unknown>)}`;
    case 'alert':
      return `${head} ${ARROW[e.dir]} alert ${e.level} ${e.name} (${e.code}): ${e.description}`;
    case 'state':
      return opts.records ? `${head}    state ${e.from} -> ${e.to}` : undefined;
    case 'keys':
      return opts.records ? `${head}    ${e.dir} keys: ${e.epoch}${e.generation > 1 ? ` (update ${e.generation - 1})` : ''}, ${e.suite}` : undefined;
    case 'negotiated':
      return `${head}    negotiated ${e.version}, ${e.suite}${e.group ? `, ${e.group}` : ''}${e.signatureScheme ? `, ${e.signatureScheme}` : ''}${e.alpn ? `, ALPN ${e.alpn}` : ''}${e.helloRetry ? ', after HelloRetryRequest' : ''}${e.resumed ? ', resumed' : ''}${e.earlyData && e.earlyData !== 'not offered' ? `, early data ${e.earlyData}` : ''}${e.provider ? ` (crypto: ${e.provider})` : ''}`;
    case 'app-data':
      return opts.records ? `${head} ${ARROW[e.dir]} ${e.early ? 'early data (0-RTT)' : e.halfRtt ? 'application data (0.5-RTT, before the client\'s Finished)' : 'application data'} ${e.length} bytes` : undefined;
    case 'api':
      return `${head}    ${e.call} = ${e.ret}${e.error ? ` (${e.error.name}: ${e.error.meaning})` : ''}`;
    case 'error':
      return `${head} !! ${e.message}${e.alert ? ` [alert ${e.alert}]` : ''}`;
    case 'info':
      return `${head}    ${e.message}`;
    case 'ech':
      // The ClientHelloInner, which never travels in the clear, as the line a sent ClientHello would get.
      return `${head}    ${e.message}${e.inner ? `\n${head}    ClientHelloInner (${e.inner.raw.length - 4} bytes)${describe('client_hello', e.inner.fields as Record<string, unknown>)}` : ''}`;
    case 'preamble': {
      // One line per protocol line, the continuation lines indented under the first.
      const [first = '', ...more] = e.text.replace(/\r?\n$/, '').split(/\r?\n/);
      return [`${head} ${ARROW[e.dir]} ${e.protocol} ${e.step}: ${first}`, ...more.map((l) => `${' '.repeat(head.length + 4)}${l}`)].join('\n');
    }
  }
}

function messageTitle(name: string): string {
  return name.split('_').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('').replace('Ee', 'EE');
}

const list = (xs: unknown, f: (n: number) => string) => (Array.isArray(xs) ? xs.map((x) => f(x as number)).join(',') : '');

function describe(name: string, f: Record<string, unknown>): string {
  const ext = (f.ext ?? {}) as Record<string, unknown>;
  const parts: string[] = [];
  switch (name) {
    case 'client_hello': {
      if (ext.serverName) parts.push(`SNI ${(ext.serverName as string[]).join(',')}`);
      if (ext.supportedVersions) parts.push(`versions ${list(ext.supportedVersions, versionName)}`);
      parts.push(`suites ${list(f.cipherSuites, (c) => suiteName(c))}`);
      if (ext.supportedGroups) parts.push(`groups ${list(ext.supportedGroups, (g) => groupName(g))}`);
      if (ext.keyShare) parts.push(`key_share ${(ext.keyShare as { group: number }[]).map((k) => groupName(k.group)).join(',')}`);
      if (ext.signatureAlgorithms) parts.push(`sigalgs ${list(ext.signatureAlgorithms, sigSchemeName)}`);
      if (ext.alpn) parts.push(`ALPN ${(ext.alpn as string[]).join(',')}`);
      break;
    }
    case 'server_hello':
      parts.push(`${suiteName(f.cipherSuite as number)}`);
      if (ext.supportedVersions !== undefined) parts.push(`version ${versionName(ext.supportedVersions as number)}`);
      else parts.push(`version ${versionName(f.legacyVersion as number)}`);
      if (ext.extendedMasterSecret !== undefined) parts.push('extended master secret');
      if (ext.encryptThenMac !== undefined) parts.push('encrypt-then-MAC');
      if (ext.keyShare) parts.push(`key_share ${groupName((ext.keyShare as { group: number }).group)}`);
      break;
    case 'hello_retry_request':
      parts.push(`${suiteName(f.cipherSuite as number)}`);
      if (ext.keyShare !== undefined) parts.push(`wants ${groupName(ext.keyShare as number)}`);
      if (ext.cookie) parts.push('cookie');
      break;
    case 'encrypted_extensions':
      parts.push(((f.extensions as { type: number }[]) ?? []).map((x) => extensionName(x.type)).join(',') || 'none');
      break;
    case 'certificate':
      parts.push(`${(f.certificateList as unknown[]).length} certificate(s)`);
      break;
    case 'certificate_verify':
      parts.push(f.algorithm !== undefined ? sigSchemeName(f.algorithm as number) : 'MD5+SHA-1 / SHA-1 (TLS 1.1 and older)');
      break;
    case 'server_key_exchange':
      if (f.keyExchange === 'ECDHE') parts.push(`ECDHE ${groupName(f.namedCurve as number)}, public ${(f.point as Uint8Array).length} bytes`);
      else if (f.keyExchange === 'DHE') parts.push(`DHE ${(f.dhP as Uint8Array).length * 8}-bit group`);
      parts.push(`signed ${f.algorithm !== undefined ? sigSchemeName(f.algorithm as number) : 'MD5+SHA-1 / SHA-1'}`);
      break;
    case 'client_key_exchange':
      parts.push(f.keyExchange === 'RSA' ? `RSA-encrypted premaster, ${(f.encryptedPreMasterSecret as Uint8Array).length} bytes` : f.keyExchange === 'ECDHE' ? `ECDHE public ${(f.point as Uint8Array).length} bytes` : `DHE public ${(f.dhYc as Uint8Array).length} bytes`);
      break;
    case 'certificate_request':
      if (Array.isArray(f.supportedSignatureAlgorithms)) parts.push(`sigalgs ${list(f.supportedSignatureAlgorithms, sigSchemeName)}`);
      if (Array.isArray(f.certificateAuthorities)) parts.push(`${(f.certificateAuthorities as unknown[]).length} CA name(s)`);
      break;
    case 'certificate_status':
      parts.push(`OCSP response ${(f.ocspResponse as Uint8Array).length} bytes`);
      break;
    case 'key_update':
      parts.push(f.requestUpdate ? 'update_requested' : 'update_not_requested');
      break;
    case 'new_session_ticket':
      parts.push(`lifetime ${f.ticketLifetime ?? f.ticketLifetimeHint} s`);
      break;
  }
  return parts.length ? `: ${parts.join('; ')}` : '';
}
