// Where trust anchors and extra certificates come from: a PEM bundle (--CAfile, --untrusted), a directory
// (--CApath: every *.pem/*.crt/*.cer, plus OpenSSL's c_rehash links HHHHHHHH.N), or the system bundle.
// Loading never throws for one bad block: it is reported in `problems` and the rest is kept.
import fs from 'node:fs';
import path from 'node:path';
import { looksLikePem, scanPem } from '../../pem/blocks';
import { certificateOfTrusted } from '../certificate';
import { loadCert, parseAux, type VCert } from './cert';

export const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];

export interface LoadedCerts {
  certs: VCert[];
  problems: { source: string; message: string }[];
}

/** Certificates from file bytes: every CERTIFICATE / TRUSTED CERTIFICATE / X509 CERTIFICATE block, or one DER certificate. */
export function certsFromBytes(bytes: Uint8Array, source: string): LoadedCerts {
  const out: LoadedCerts = { certs: [], problems: [] };
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (!looksLikePem(text)) {
    try {
      out.certs.push(loadCert(bytes));
    } catch (e) {
      out.problems.push({ source, message: `not a PEM file and not a DER certificate: ${(e as Error).message}` });
    }
    return out;
  }
  for (const b of scanPem(text).blocks) {
    if (!/^(TRUSTED |X509 )?CERTIFICATE$/.test(b.label)) continue;
    if (!b.der) {
      out.problems.push({ source, message: `block ${b.index + 1} (line ${b.range.startLine + 1}): ${b.problem?.message ?? 'unreadable'}` });
      continue;
    }
    try {
      if (b.label === 'TRUSTED CERTIFICATE') {
        const certDer = certificateOfTrusted(b.der);
        const c = loadCert(certDer);
        const aux = parseAux(b.der.subarray(certDer.length));
        if (aux) c.aux = aux;
        out.certs.push(c);
      } else out.certs.push(loadCert(b.der));
    } catch (e) {
      out.problems.push({ source, message: `block ${b.index + 1} (line ${b.range.startLine + 1}): ${(e as Error).message}` });
    }
  }
  return out;
}

export function loadFile(file: string, read: (p: string) => Uint8Array = (p) => new Uint8Array(fs.readFileSync(p))): LoadedCerts {
  return certsFromBytes(read(file), file);
}

const HASH_LINK = /^[0-9a-f]{8}\.\d+$/;
const CERT_EXT = /\.(pem|crt|cer)$/i;

/** Every certificate in a directory: *.pem, *.crt, *.cer and OpenSSL hash links; duplicates (links to the same file) dropped. */
export function loadDirectory(dir: string): LoadedCerts {
  const out: LoadedCerts = { certs: [], problems: [] };
  const seen = new Set<string>();
  const names = fs.readdirSync(dir).filter((n) => CERT_EXT.test(n) || HASH_LINK.test(n)).sort();
  for (const name of names) {
    const full = path.join(dir, name);
    let bytes: Uint8Array;
    try {
      if (!fs.statSync(full).isFile()) continue;
      bytes = new Uint8Array(fs.readFileSync(full));
    } catch (e) {
      out.problems.push({ source: full, message: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
      continue;
    }
    const got = certsFromBytes(bytes, full);
    out.problems.push(...got.problems);
    for (const c of got.certs) if (!seen.has(c.id)) { seen.add(c.id); out.certs.push(c); }
  }
  return out;
}

/** The first system bundle that exists, or undefined. */
export function systemBundlePath(): string | undefined {
  return SYSTEM_BUNDLES.find((p) => fs.existsSync(p));
}

export function loadSystemStore(): LoadedCerts {
  const p = systemBundlePath();
  return p ? loadFile(p) : { certs: [], problems: [{ source: 'system', message: `no system bundle found (${SYSTEM_BUNDLES.join(', ')})` }] };
}

export function mergeCerts(...sets: LoadedCerts[]): LoadedCerts {
  const seen = new Set<string>();
  const out: LoadedCerts = { certs: [], problems: [] };
  for (const s of sets) {
    out.problems.push(...s.problems);
    for (const c of s.certs) if (!seen.has(c.id)) { seen.add(c.id); out.certs.push(c); }
  }
  return out;
}
