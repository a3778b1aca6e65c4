// Where a server's certificate and key come from, read out of its configuration: nginx (ssl_certificate,
// ssl_certificate_key), Apache httpd (SSLCertificateFile, SSLCertificateKeyFile, SSLCertificateChainFile), HAProxy
// (crt on a bind line), envoy (certificate_chain / private_key with filename) and a Kubernetes Secret of type
// kubernetes.io/tls (tls.crt / tls.key, base64 in the YAML itself). Drift (tools/drift.ts) compares what they name
// with what the server sends. Pure text in, references out: files are not read here, relative paths are resolved
// against the configuration's folder by the caller. A configuration is read as its server would read it only as far
// as these directives go (no includes, variables or templating).
import { base64ToBytes } from '../pem/blocks';

export type ConfigFormat = 'nginx' | 'apache' | 'haproxy' | 'envoy' | 'kubernetes';

export interface ConfigRef {
  format: ConfigFormat;
  /** The directive or key, as written (`ssl_certificate`, `SSLCertificateKeyFile`, `crt`, `tls.crt`...). */
  directive: string;
  /** A certificate (maybe with its chain), a key, a chain only, or a PEM holding both (HAProxy's crt). */
  role: 'certificate' | 'key' | 'chain' | 'certificate+key';
  /** 0-based line of the directive, for a diagnostic there. */
  line: number;
  /** The path as written. */
  path?: string;
  /** Kubernetes: the decoded bytes of the Secret's value (a PEM). */
  inline?: Uint8Array;
  /** The block the directive belongs to (a `server` block, a VirtualHost, a frontend, a Secret), so a certificate pairs with its key. */
  group: string;
}

export class ConfigRefError extends Error {
  constructor(readonly line: number, message: string) {
    super(`line ${line + 1}: ${message}`);
    this.name = 'ConfigRefError';
  }
}

/** Which server configuration the text is, by file name first, then by content; undefined when none fits. */
export function detectFormat(text: string, fileName = ''): ConfigFormat | undefined {
  const base = fileName.replace(/\\/g, '/').split('/').pop() ?? '';
  if (/^kind:\s*Secret\s*$/m.test(text) && /^\s*tls\.(crt|key):/m.test(text)) return 'kubernetes';
  if (/\b(certificate_chain|private_key)\s*:/.test(text) && /\bfilename\s*:|\binline_string\s*:/.test(text)) return 'envoy';
  if (/haproxy/i.test(base) || /^\s*(frontend|listen)\s+\S+/m.test(text) && /\bbind\b[^\n]*\bcrt\s/.test(text)) return 'haproxy';
  if (/nginx/i.test(base) || /^\s*ssl_certificate(_key)?\s+\S/m.test(text)) return 'nginx';
  if (/httpd|apache|ssl\.conf/i.test(base) || /^\s*SSLCertificate(Key|Chain)?File\s+\S/im.test(text)) return 'apache';
  return undefined;
}

/** The certificate and key references of a configuration; [] when it is none of the formats or names none. */
export function findConfigRefs(text: string, fileName = ''): ConfigRef[] {
  switch (detectFormat(text, fileName)) {
    case 'nginx':
      return nginxRefs(text);
    case 'apache':
      return apacheRefs(text);
    case 'haproxy':
      return haproxyRefs(text);
    case 'envoy':
      return envoyRefs(text);
    case 'kubernetes':
      return kubernetesRefs(text);
    default:
      return [];
  }
}

const unquote = (s: string) => s.replace(/^(["'])(.*)\1$/, '$2');

/** nginx: directives end with `;`; `server { ... }` blocks group them (counted by braces outside comments). */
function nginxRefs(text: string): ConfigRef[] {
  const out: ConfigRef[] = [];
  let depth = 0;
  let serverDepth = -1;
  let servers = 0;
  let group = 'http';
  text.split(/\r?\n/).forEach((raw, line) => {
    const l = raw.replace(/#.*$/, '');
    if (/^\s*server\s*\{/.test(l)) {
      servers++;
      serverDepth = depth;
      group = `server block ${servers}`;
    }
    const m = /^\s*(ssl_certificate|ssl_certificate_key|ssl_trusted_certificate)\s+("[^"]*"|'[^']*'|[^;\s]+)\s*;/.exec(l);
    if (m && m[1] !== 'ssl_trusted_certificate') {
      // `data:` values carry PEM inline (nginx 1.15.10+): not a file.
      const path = unquote(m[2]!);
      if (!path.startsWith('data:') && !path.includes('$')) out.push({ format: 'nginx', directive: m[1]!, role: m[1] === 'ssl_certificate' ? 'certificate' : 'key', line, path, group });
    }
    for (const ch of l) {
      if (ch === '{') depth++;
      else if (ch === '}') {
        depth--;
        if (depth === serverDepth) {
          serverDepth = -1;
          group = 'http';
        }
      }
    }
  });
  return out;
}

/** Apache: one directive a line, `<VirtualHost ...>` sections group them. */
function apacheRefs(text: string): ConfigRef[] {
  const out: ConfigRef[] = [];
  let group = 'server config';
  const roles: Record<string, ConfigRef['role']> = { sslcertificatefile: 'certificate', sslcertificatekeyfile: 'key', sslcertificatechainfile: 'chain' };
  text.split(/\r?\n/).forEach((raw, line) => {
    const l = raw.replace(/^\s*#.*$/, '');
    const vh = /^\s*<VirtualHost\s+([^>]+)>/i.exec(l);
    if (vh) group = `VirtualHost ${vh[1]!.trim()}`;
    if (/^\s*<\/VirtualHost>/i.test(l)) group = 'server config';
    const m = /^\s*(SSLCertificateFile|SSLCertificateKeyFile|SSLCertificateChainFile)\s+("[^"]*"|\S+)/i.exec(l);
    if (m) out.push({ format: 'apache', directive: m[1]!, role: roles[m[1]!.toLowerCase()]!, line, path: unquote(m[2]!), group });
  });
  return out;
}

/** HAProxy: `bind ... ssl crt PATH [crt PATH2]` in a frontend or listen section; the PEM holds the chain and key. */
function haproxyRefs(text: string): ConfigRef[] {
  const out: ConfigRef[] = [];
  let group = 'global';
  text.split(/\r?\n/).forEach((raw, line) => {
    const l = raw.replace(/#.*$/, '');
    const sec = /^\s*(frontend|listen|backend|defaults|global)\b\s*(\S*)/.exec(l);
    if (sec) group = `${sec[1]}${sec[2] ? ` ${sec[2]}` : ''}`;
    if (!/^\s*(bind|server)\b/.test(l)) return;
    for (const m of l.matchAll(/\s(crt|crt-list)\s+("[^"]*"|\S+)/g)) {
      if (m[1] === 'crt-list') continue; // a list of files with options: not followed here
      out.push({ format: 'haproxy', directive: 'crt', role: 'certificate+key', line, path: unquote(m[2]!), group });
    }
  });
  return out;
}

/**
 * envoy (YAML): `certificate_chain:` / `private_key:` followed by `filename:` on the next, deeper line, or inline as
 * `{ filename: ... }`. Each tls_certificates entry groups a chain with its key.
 */
function envoyRefs(text: string): ConfigRef[] {
  const out: ConfigRef[] = [];
  const lines = text.split(/\r?\n/);
  let entries = 0;
  let group = 'tls_certificates';
  lines.forEach((raw, line) => {
    const l = raw.replace(/\s#.*$/, '');
    if (/^\s*-?\s*certificate_chain\s*:/.test(l) && /^\s*-/.test(l)) group = `tls_certificates[${entries++}]`;
    else if (/^\s*-?\s*tls_certificates\s*:/.test(l)) group = `tls_certificates[${entries}]`;
    const m = /^(\s*)-?\s*(certificate_chain|private_key)\s*:\s*(.*)$/.exec(l);
    if (!m) return;
    const role: ConfigRef['role'] = m[2] === 'certificate_chain' ? 'certificate' : 'key';
    const inline = /filename\s*:\s*("[^"]*"|'[^']*'|[^,}\s]+)/.exec(m[3]!);
    if (inline) return void out.push({ format: 'envoy', directive: m[2]!, role, line, path: unquote(inline[1]!), group });
    // The filename on a following line indented deeper than the key.
    const indent = m[1]!.length + (l.trimStart().startsWith('-') ? 2 : 0);
    for (let j = line + 1; j < lines.length; j++) {
      const next = lines[j]!;
      if (!next.trim()) continue;
      if (next.length - next.trimStart().length <= indent) break;
      const f = /^\s*filename\s*:\s*("[^"]*"|'[^']*'|\S+)/.exec(next);
      if (f) {
        out.push({ format: 'envoy', directive: m[2]!, role, line: j, path: unquote(f[1]!), group });
        break;
      }
    }
  });
  return out;
}

/** A Kubernetes Secret: `data:` values are base64 (`stringData:` plain), possibly folded over lines with `|`. */
function kubernetesRefs(text: string): ConfigRef[] {
  const out: ConfigRef[] = [];
  // One YAML file may hold several documents.
  let lineBase = 0;
  for (const doc of text.split(/^---\s*$/m)) {
    const lines = doc.split(/\r?\n/);
    const name = /^\s{2}name:\s*(\S+)/m.exec(doc)?.[1] ?? 'Secret';
    if (/^kind:\s*Secret\s*$/m.test(doc)) {
      let section: 'data' | 'stringData' | undefined;
      lines.forEach((l, i) => {
        const top = /^(data|stringData)\s*:\s*$/.exec(l);
        if (top) section = top[1] as 'data' | 'stringData';
        else if (/^\S/.test(l)) section = undefined;
        const m = /^(\s+)(tls\.crt|tls\.key|ca\.crt)\s*:\s*(\|[-+]?|>[-+]?)?\s*(\S*)\s*$/.exec(l);
        if (!m || !section) return;
        let value = m[4] ?? '';
        if (m[3] || !value) {
          const parts: string[] = [];
          for (let j = i + 1; j < lines.length && (lines[j]!.length - lines[j]!.trimStart().length > m[1]!.length || !lines[j]!.trim()); j++) parts.push(lines[j]!.trim());
          value = section === 'stringData' ? parts.join('\n') : parts.join('');
        }
        let bytes: Uint8Array;
        if (section === 'stringData') bytes = new TextEncoder().encode(unquote(value));
        else {
          const b64 = unquote(value).replace(/\s+/g, '');
          if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4) throw new ConfigRefError(lineBase + i, `${m[2]} is not base64 (a Secret's data values are base64-encoded)`);
          bytes = base64ToBytes(b64);
        }
        const role: ConfigRef['role'] = m[2] === 'tls.crt' ? 'certificate' : m[2] === 'tls.key' ? 'key' : 'chain';
        out.push({ format: 'kubernetes', directive: m[2]!, role, line: lineBase + i, inline: bytes, group: `Secret ${name}` });
      });
    }
    lineBase += lines.length - 1; // the next document's first (empty) line is the --- line
  }
  return out;
}
