// Distinguished names (RFC 5280 section 4.1.2.4) in OpenSSL's one-line form.
import * as asn1js from 'asn1js';
import { oidShort } from '../registry/oids';
import { childrenOf, oidOf, stringOf, DerError } from './der';
import type { DistinguishedName, NameAttribute } from './types';

export function decodeName(block: asn1js.AsnType, field: string): DistinguishedName {
  if (!(block instanceof asn1js.Sequence)) throw new DerError(field, 'expected a Name (SEQUENCE OF RDN)');
  const rdns: NameAttribute[][] = childrenOf(block, field).map((set, i) =>
    childrenOf(set, `${field}.rdn[${i}]`).map((atv, j) => {
      const [type, value] = childrenOf(atv, `${field}.rdn[${i}][${j}]`);
      const oid = oidOf(type, `${field}.rdn[${i}][${j}].type`);
      return { oid, short: oidShort(oid), value: value ? stringOf(value) : '' };
    }),
  );
  return { rdns, text: nameText(rdns), opensslText: nameText(rdns, true) };
}

/** `C = US, O = "Acme, Inc.", OU = A + OU = B, CN = x` as OpenSSL's XN_FLAG_ONELINE prints it. */
export function nameText(rdns: NameAttribute[][], escapeMsb = false): string {
  return rdns.map((rdn) => rdn.map((a) => `${a.short} = ${quoteValue(a.value, escapeMsb)}`).join(' + ')).join(', ');
}

/** ASN1_STRFLGS_ESC_MSB: each UTF-8 byte over 0x7F as \XX. */
function escapeNonAscii(v: string): string {
  return v.replace(/[^\x00-\x7f]/gu, (ch) => Array.from(new TextEncoder().encode(ch), (b) => '\\' + b.toString(16).toUpperCase().padStart(2, '0')).join(''));
}

/** `/CN=x/O=y`, the form OpenSSL uses for DirName entries. */
export function nameSlashText(rdns: NameAttribute[][]): string {
  return rdns.map((rdn) => '/' + rdn.map((a) => `${a.short}=${a.value}`).join('+')).join('');
}

/** ASN1_STRFLGS_ESC_QUOTE: a value with RFC 2253 specials is quoted, with " and \ escaped inside. */
function quoteValue(v: string, escapeMsb: boolean): string {
  const quoted = /[,+;<>\\"]|^\s|\s$|^#/.test(v);
  let out = quoted ? v.replace(/(["\\])/g, '\\$1') : v;
  if (escapeMsb) out = escapeNonAscii(out);
  return quoted ? `"${out}"` : out;
}

export function commonName(dn: DistinguishedName): string | undefined {
  for (const rdn of dn.rdns) for (const a of rdn) if (a.short === 'CN') return a.value;
  return undefined;
}
