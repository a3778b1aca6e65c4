// Name constraints (RFC 5280 section 4.2.1.10 and 6.1.3 (b)-(c)): DNS, IP, email (rfc822Name), URI and directoryName,
// matched as OpenSSL's nc_match does. Permitted subtrees are checked before excluded ones, per name.
import { fromHex } from '../../util/hex';
import { V } from '../../registry/x509-verify-errors';
import type { NameAttribute } from '../types';
import { canonicalAttr, cnOf, type ConstraintName, type VCert } from './cert';
import { parseIp } from './hostname';

export interface NcViolation {
  code: number;
  name: string;
  constraint?: string;
  detail: string;
}

type Subject = { type: 'dns' | 'email' | 'ip' | 'uri' | 'dirName'; value: string; rdns?: NameAttribute[][] };

/** The names of `c` that constraints apply to: SANs, the subject DN, subject emailAddress, and for a leaf without DNS SANs a host-like CN. */
function namesOf(c: VCert, isLeaf: boolean): Subject[] {
  const out: Subject[] = [];
  if (c.info.subject.rdns.length) out.push({ type: 'dirName', value: c.info.subject.text, rdns: c.info.subject.rdns });
  for (const rdn of c.info.subject.rdns) for (const a of rdn) if (a.oid === '1.2.840.113549.1.9.1') out.push({ type: 'email', value: a.value });
  for (const n of c.info.subjectAltNames) {
    if (n.type === 'dns' || n.type === 'email' || n.type === 'ip' || n.type === 'uri') out.push({ type: n.type, value: n.value });
  }
  const hasDns = c.info.subjectAltNames.some((n) => n.type === 'dns');
  const cn = cnOf(c.info.subject);
  if (isLeaf && !hasDns && cn && /^[a-z0-9*]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i.test(cn)) out.push({ type: 'dns', value: cn });
  return out;
}

function typeOf(b: ConstraintName): Subject['type'] | 'other' {
  if (b.type === 'dirNameRdns') return 'dirName';
  if (b.type === 'dns' || b.type === 'email' || b.type === 'ip' || b.type === 'uri') return b.type;
  return 'other';
}

function dnsMatch(name: string, base: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  const b = base.toLowerCase().replace(/\.$/, '');
  if (!b) return true;
  if (b.startsWith('.')) return n.endsWith(b);
  return n === b || n.endsWith('.' + b);
}

/** OpenSSL's nc_email: "user@host" exact local part, "@host" or "host" the host only, ".domain" any host below it. */
function emailMatch(name: string, base: string): boolean {
  const at = name.lastIndexOf('@');
  if (at < 0) return false;
  const bat = base.lastIndexOf('@');
  if (bat < 0 && base.startsWith('.')) return name.length > base.length && name.slice(-base.length).toLowerCase() === base.toLowerCase();
  let host = base;
  if (bat >= 0) {
    if (bat > 0 && base.slice(0, bat) !== name.slice(0, at)) return false; // the local part is case-sensitive
    host = base.slice(bat + 1);
  }
  return name.slice(at + 1).toLowerCase() === host.toLowerCase();
}

function uriMatch(uri: string, base: string): boolean {
  let host: string;
  try {
    host = new URL(uri).hostname.toLowerCase();
  } catch {
    return false;
  }
  const b = base.toLowerCase();
  if (b.startsWith('.')) return host.endsWith(b);
  return host === b;
}

function ipMatch(ip: string, baseHex: string): boolean {
  const addr = parseIp(ip);
  const base = fromHex(baseHex);
  if (!addr || base.length !== addr.length * 2) return false;
  const n = addr.length;
  for (let i = 0; i < n; i++) if ((addr[i]! & base[n + i]!) !== (base[i]! & base[n + i]!)) return false;
  return true;
}

function dirMatch(rdns: NameAttribute[][], base: NameAttribute[][]): boolean {
  if (base.length > rdns.length) return false;
  return base.every((rdn, i) => rdn.map(canonicalAttr).sort().join('+') === rdns[i]!.map(canonicalAttr).sort().join('+'));
}

function matches(s: Subject, b: ConstraintName): boolean {
  switch (s.type) {
    case 'dns': return dnsMatch(s.value, b.value);
    case 'email': return emailMatch(s.value, b.value);
    case 'uri': return uriMatch(s.value, b.value);
    case 'ip': return ipMatch(s.value, b.value);
    case 'dirName': return b.type === 'dirNameRdns' && dirMatch(s.rdns!, b.rdns);
  }
}

export function constraintText(b: ConstraintName): string {
  if (b.type === 'ip') {
    const bytes = fromHex(b.value);
    const half = bytes.length / 2;
    const fmt = (x: Uint8Array) => (x.length === 4 ? Array.from(x).join('.') : Array.from({ length: 8 }, (_, i) => ((x[2 * i]! << 8) | x[2 * i + 1]!).toString(16)).join(':'));
    return `IP:${fmt(bytes.subarray(0, half))}/${fmt(bytes.subarray(half))}`;
  }
  const label = { dns: 'DNS', email: 'email', uri: 'URI', dirNameRdns: 'DirName', dirName: 'DirName', registeredId: 'RID', otherName: 'othername' }[b.type];
  return `${label}:${b.value}`;
}

/** Checks the names of `c` against the constraints of one CA (`ca`). Returns every violation found. */
export function checkNameConstraints(c: VCert, ca: VCert, isLeaf: boolean): NcViolation[] {
  const nc = ca.nameConstraints;
  if (!nc) return [];
  const out: NcViolation[] = [];
  for (const s of namesOf(c, isLeaf)) {
    const shown = `${s.type === 'dirName' ? 'subject' : s.type.toUpperCase()}:${s.value}`;
    const permittedOfType = nc.permitted.filter((b) => typeOf(b) === s.type);
    if (permittedOfType.length && !permittedOfType.some((b) => matches(s, b))) {
      out.push({ code: V.PERMITTED_VIOLATION, name: shown, detail: `${shown} is outside the names "${ca.label}" may certify (permitted: ${permittedOfType.map(constraintText).join(', ')})` });
      continue;
    }
    const ex = nc.excluded.find((b) => typeOf(b) === s.type && matches(s, b));
    if (ex) out.push({ code: V.EXCLUDED_VIOLATION, name: shown, constraint: constraintText(ex), detail: `${shown} falls in the subtree ${constraintText(ex)} that "${ca.label}" excludes` });
  }
  return out;
}
