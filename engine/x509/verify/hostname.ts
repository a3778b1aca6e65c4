// Service identity checks (RFC 6125, updated by RFC 9525): DNS names against subjectAltName dNSName entries,
// IP addresses against iPAddress entries, as OpenSSL's X509_check_host / X509_check_ip with
// X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS (RFC 9525 section 6.3 forbids partial wildcards; OpenSSL allows them by default).
import { domainToASCII } from 'node:url';
import { V } from '../../registry/x509-verify-errors';
import type { VCert } from './cert';
import { cnOf } from './cert';

export interface IdentityCheck {
  ok: boolean;
  code: number;
  /** What was compared, for the explanation. */
  presented: string[];
  matched?: string;
  detail: string;
}

export interface HostnameOptions {
  /** 'no-san' (default): the CN is used only when the certificate has no DNS subjectAltName, as OpenSSL does;
   *  'never': RFC 9525 section 6.3 (the CN is never a reference identity). */
  cnFallback?: 'no-san' | 'never';
}

/** A reference host name as a lower-case A-label string without a trailing dot; undefined when it is not a valid name. */
export function normalizeHost(host: string): string | undefined {
  let h = host.trim();
  if (h.endsWith('.')) h = h.slice(0, -1);
  if (!h || h.includes('..')) return undefined;
  const ascii = /^[\x00-\x7f]*$/.test(h) ? h.toLowerCase() : domainToASCII(h);
  if (!ascii) return undefined;
  return ascii.toLowerCase();
}

/**
 * Does one presented DNS identifier (from a certificate) match the reference host?
 * Rules (RFC 6125 section 6.4.3, RFC 9525 section 6.3): case-insensitive ASCII comparison of A-labels; a wildcard
 * is allowed only as the complete left-most label (`*.example.com`, never `f*.example.com`, `*oo.example.com` or
 * `www.*.example.com`), matches exactly one non-empty label, never the bare parent, and needs at least two labels
 * after it (`*.com` matches nothing). A whole-label `*` may match an A-label (`xn--...`), as in OpenSSL.
 */
export function matchDnsName(presented: string, reference: string): boolean {
  const p = presented.toLowerCase().replace(/\.$/, '');
  const r = normalizeHost(reference);
  if (!r || !p) return false;
  if (!p.includes('*')) return p === r;
  const labels = p.split('.');
  if (labels[0] !== '*') return false; // partial wildcard or wildcard not in the left-most label
  if (labels.slice(1).some((l) => l.includes('*') || l === '')) return false;
  if (labels.length < 3) return false; // *.com, *.
  const rl = r.split('.');
  if (rl.length !== labels.length) return false; // exactly one label
  if (!rl[0]) return false;
  return rl.slice(1).join('.') === labels.slice(1).join('.');
}

export function checkHost(c: VCert, host: string, opts: HostnameOptions = {}): IdentityCheck {
  const dns = c.info.subjectAltNames.filter((n) => n.type === 'dns').map((n) => n.value);
  const r = normalizeHost(host);
  if (!r) return { ok: false, code: V.HOSTNAME_MISMATCH, presented: dns, detail: `"${host}" is not a valid host name` };
  for (const p of dns) if (matchDnsName(p, r)) return { ok: true, code: V.OK, presented: dns, matched: p, detail: `"${host}" matches subjectAltName DNS:${p}` };
  if (dns.length === 0 && (opts.cnFallback ?? 'no-san') === 'no-san') {
    const cn = cnOf(c.info.subject);
    if (cn && matchDnsName(cn, r)) return { ok: true, code: V.OK, presented: [`CN=${cn}`], matched: cn, detail: `"${host}" matches the subject CN (no DNS subjectAltName present)` };
    return { ok: false, code: V.HOSTNAME_MISMATCH, presented: cn ? [`CN=${cn}`] : [], detail: cn ? `"${host}" does not match the subject CN "${cn}" (the certificate has no DNS subjectAltName)` : `the certificate names no host at all (no DNS subjectAltName, no CN)` };
  }
  return { ok: false, code: V.HOSTNAME_MISMATCH, presented: dns, detail: dns.length ? `"${host}" matches none of the subjectAltName DNS names: ${dns.join(', ')}${cnNote(c, dns)}` : `the certificate has no DNS subjectAltName and the CN is not consulted` };
}

function cnNote(c: VCert, dns: string[]): string {
  const cn = cnOf(c.info.subject);
  return cn && !dns.includes(cn) ? ` (the subject CN "${cn}" is not consulted because subjectAltName is present)` : '';
}

/** Parses an IPv4 or IPv6 literal into its bytes; undefined when invalid. */
export function parseIp(s: string): Uint8Array | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (v4) {
    const b = v4.slice(1).map(Number);
    return b.every((x) => x <= 255) ? new Uint8Array(b) : undefined;
  }
  if (!s.includes(':')) return undefined;
  let text = s.replace(/^\[|\]$/g, '');
  const lastColon = text.lastIndexOf(':');
  const maybeV4 = text.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    const b = parseIp(maybeV4);
    if (!b || b.length !== 4) return undefined;
    text = `${text.slice(0, lastColon + 1)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (t: string) => (t === '' ? [] : t.split(':').map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  let groups: number[];
  if (halves.length === 2) {
    const a = parse(halves[0]!);
    const b = parse(halves[1]!);
    const fill = 8 - a.length - b.length;
    if (fill < 1) return undefined;
    groups = [...a, ...new Array<number>(fill).fill(0), ...b];
  } else {
    groups = parse(text);
  }
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g))) return undefined;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => { out[2 * i] = g >> 8; out[2 * i + 1] = g & 0xff; });
  return out;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** RFC 9525 section 6.2: an IP reference identity matches only iPAddress SAN entries, byte for byte. */
export function checkIp(c: VCert, ip: string): IdentityCheck {
  const ips = c.info.subjectAltNames.filter((n) => n.type === 'ip').map((n) => n.value);
  const ref = parseIp(ip);
  if (!ref) return { ok: false, code: V.IP_ADDRESS_MISMATCH, presented: ips, detail: `"${ip}" is not an IP address` };
  for (const p of ips) {
    const b = parseIp(p);
    if (b && sameBytes(b, ref)) return { ok: true, code: V.OK, presented: ips, matched: p, detail: `${ip} matches subjectAltName IP:${p}` };
  }
  return { ok: false, code: V.IP_ADDRESS_MISMATCH, presented: ips, detail: ips.length ? `${ip} matches none of the subjectAltName IP addresses: ${ips.join(', ')}` : `the certificate has no IP address subjectAltName (DNS names and the CN are never compared with an IP address)` };
}

/**
 * X509_check_email with flags 0, as `openssl verify -verify_email` uses it: rfc822Name SANs; only without any, the
 * subject's emailAddress attributes. The domain compares case-insensitively, the local part exactly (RFC 5321 2.4).
 */
export function checkEmail(c: VCert, email: string): IdentityCheck {
  const sans = c.info.subjectAltNames.filter((n) => n.type === 'email').map((n) => n.value);
  const subj = c.info.subject.rdns.flat().filter((a) => a.oid === '1.2.840.113549.1.9.1').map((a) => a.value);
  const presented = sans.length ? sans : subj;
  const m = presented.find((p) => equalEmail(p, email));
  if (m !== undefined) return { ok: true, code: V.OK, presented, matched: m, detail: `${email} matches ${sans.length ? 'subjectAltName email' : 'the subject emailAddress'} ${m}` };
  return { ok: false, code: V.EMAIL_MISMATCH, presented, detail: presented.length
    ? `${email} matches none of the ${sans.length ? 'subjectAltName email addresses' : 'subject emailAddress values'}: ${presented.join(', ')}${sans.length && subj.length ? ` (the subject emailAddress ${subj.join(', ')} is not consulted because subjectAltName has email addresses)` : ''}`
    : 'the certificate names no email address (no rfc822Name subjectAltName, no subject emailAddress)' };
}

function equalEmail(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  // As OpenSSL's equal_email: split at the last '@' of either string.
  let i = a.length;
  while (i > 0) {
    i--;
    if (a[i] === '@' || b[i] === '@') {
      if (a.slice(i).toLowerCase() !== b.slice(i).toLowerCase()) return false;
      break;
    }
  }
  if (i === 0) i = a.length;
  return a.slice(0, i) === b.slice(0, i);
}
