// OpenSSL's cipher list strings for TLS 1.2 and older (SSL_CTX_set_cipher_list, s_client -cipher), read into
// suite code points from the registry. Throws an Error saying which name is wrong.
import { suiteByName, SUITES } from '../../registry/suites';
import { DEFAULT_SUITES_12 } from './common';

/**
 * OpenSSL's cipher list syntax, the part people use: names (OpenSSL or IANA) separated by ':' ',' or spaces,
 * DEFAULT and ALL, !NAME to remove one for good, and @SECLEVEL=N (accepted; our engine has no security levels,
 * and every suite we implement is allowed when named).
 */
export function parseCipherList(list: string): number[] {
  const out: number[] = [];
  const banned = new Set<number>();
  for (const tok of list.split(/[:,\s]+/).filter(Boolean)) {
    if (/^@SECLEVEL=\d$/i.test(tok)) continue;
    if (tok === 'DEFAULT' || tok === 'ALL' || tok === 'HIGH') {
      for (const c of tok === 'DEFAULT' ? DEFAULT_SUITES_12 : SUITES.filter((s) => s.versions !== 'tls13' && s.cipher.name !== 'RC4-128' && s.cipher.name !== 'NULL').map((s) => s.code)) if (!out.includes(c)) out.push(c);
      continue;
    }
    const name = tok.replace(/^[!-]/, '');
    const s = suiteByName(name);
    if (!s || !('versions' in s) || s.versions === 'tls13') throw new Error(`"${name}" is not a TLS 1.2-or-older cipher suite (TLS 1.3 suites are set apart, as with SSL_CTX_set_ciphersuites)`);
    if (tok.startsWith('!') || tok.startsWith('-')) {
      banned.add(s.code);
      continue;
    }
    if (!out.includes(s.code)) out.push(s.code);
  }
  const result = out.filter((c) => !banned.has(c));
  if (!result.length) throw new Error(`"${list}": no cipher suite left`);
  return result;
}
