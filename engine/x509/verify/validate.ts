// Basic path validation (RFC 5280 section 6.1) over one candidate path, in the order OpenSSL 3.0's verify_chain
// runs its checks, so the first error is the one `openssl verify` prints:
//   1 chain building (build_chain)     2 extensions, CA-ness, purpose, path length (check_extensions)
//   3 key and digest strength (check_auth_level)  4 host / IP (check_id)
//   5 signatures and validity periods, top down (internal_verify)   6 name constraints (check_name_constraints)
// Unlike OpenSSL, every check runs on every certificate, so one report lists all the problems of the path.
import { V, verifyError } from '../../registry/x509-verify-errors';
import type { VCert } from './cert';
import { checkHost, checkIp, type HostnameOptions } from './hostname';
import { checkNameConstraints } from './name-constraints';
import { looksSelfSigned, type CandidatePath } from './path-builder';
import { checkCertSignature, signatureDigest } from './signature';

export type Purpose = 'sslserver' | 'sslclient' | 'any';

export interface ValidateOptions {
  /** Validation time (RFC 5280 6.1.1 (b)); default now. */
  time?: Date;
  purpose?: Purpose;
  hostname?: string;
  ip?: string;
  hostnameOptions?: HostnameOptions;
  /** OpenSSL -auth_level: 1 rejects MD5 and keys under 80 bits of security, 2 also SHA-1 and RSA < 2048, ... Unset: weak algorithms are warnings only. */
  authLevel?: number;
  /** Also verify the self-signature of the trust anchor (OpenSSL -check_ss_sig). */
  checkAnchorSignature?: boolean;
}

export interface Finding {
  code: number;
  /** X509_V_ERR name without prefix. */
  name: string;
  /** OpenSSL's text. */
  text: string;
  meaning: string;
  /** What would fix it, for this certificate (generic fix text when nothing more specific is known). */
  fix: string;
  /** What exactly was found. */
  detail: string;
  /** The rule, e.g. 'RFC 5280 6.1.3 (a)(2)'. */
  rule: string;
  depth: number;
  /** Internal ordering: OpenSSL phase and position. */
  order: number;
}

export interface LinkReport {
  depth: number;
  subject: string;
  issuer: string;
  label: string;
  fingerprint: string;
  source: 'target' | 'untrusted' | 'trust-store';
  verdict: 'ok' | 'warning' | 'error';
  errors: Finding[];
  warnings: Finding[];
}

export interface PathReport {
  ok: boolean;
  code: number;
  errorDepth: number;
  chain: LinkReport[];
  findings: Finding[];
}

const HANDLED_CRITICAL = new Set([
  '2.16.840.1.113730.1.1', '2.5.29.15', '2.5.29.17', '2.5.29.19', '2.5.29.32', '2.5.29.37', '2.5.29.36',
  '1.3.6.1.5.5.7.1.14', '2.5.29.30', '2.5.29.33', '2.5.29.54', '1.3.6.1.5.5.7.1.7', '1.3.6.1.5.5.7.1.8',
]); // as OpenSSL's X509_supported_extension

const EKU = { serverAuth: '1.3.6.1.5.5.7.3.1', clientAuth: '1.3.6.1.5.5.7.3.2' };
const ANY_EKU = '2.5.29.37.0';
const LEVEL_BITS = [0, 80, 112, 128, 192, 256];

export function finding(code: number, depth: number, detail: string, rule: string, order: number, fix?: string): Finding {
  const e = verifyError(code);
  return { code, name: e.name, text: e.text, meaning: e.meaning, fix: fix ?? e.fix, detail, rule, depth, order };
}

/** OpenSSL's X509_check_ca: 0 not a CA, 1 basicConstraints CA:TRUE, 3 v1 self-signed, 4 keyCertSign without basicConstraints. */
export function caStatus(c: VCert): 0 | 1 | 3 | 4 {
  if (c.keyUsage && !c.keyUsage.includes('Certificate Sign')) return 0;
  if (c.basicConstraints) return c.basicConstraints.ca ? 1 : 0;
  if (c.info.version === 1 && looksSelfSigned(c)) return 3;
  if (c.keyUsage?.includes('Certificate Sign')) return 4;
  return 0;
}

/** Security bits of a public key as OpenSSL's EVP_PKEY_get_security_bits. */
export function securityBits(c: VCert): number {
  const k = c.info.publicKey;
  if (k.algorithm === 'RSA' || k.algorithm === 'RSA-PSS' || k.algorithm === 'DSA') {
    if (k.bits >= 15360) return 256;
    if (k.bits >= 7680) return 192;
    if (k.bits >= 3072) return 128;
    if (k.bits >= 2048) return 112;
    if (k.bits >= 1024) return 80;
    return 0;
  }
  if (k.algorithm === 'EC') return Math.floor(k.bits / 2);
  if (k.algorithm === 'Ed25519') return 128;
  if (k.algorithm === 'Ed448') return 224;
  return 0;
}

const DIGEST_BITS: Record<string, number> = { md5: 39, sha1: 63, sha224: 112, sha256: 128, sha384: 192, sha512: 256, ed25519: 128, ed448: 224 };

function purposeName(p: Purpose): string {
  return p === 'sslserver' ? 'TLS server (serverAuth)' : p === 'sslclient' ? 'TLS client (clientAuth)' : 'any';
}

export function validatePath(cand: CandidatePath, opts: ValidateOptions = {}): PathReport {
  const time = opts.time ?? new Date();
  const certs = cand.certs;
  const n = certs.length;
  const complete = cand.end === 'anchor';
  const f: Finding[] = [];
  const top = certs[n - 1]!;

  // ---- 1. chain building
  const issuerCn = top.info.issuer.rdns.flat().find((a) => a.short === 'CN')?.value ?? top.info.issuer.text;
  const akiNote = cand.akiMismatches.length ? ` A certificate named "${issuerCn}" was found but its Subject Key Identifier does not match this certificate's Authority Key Identifier (a different key, e.g. a re-keyed CA).` : '';
  if (cand.end === 'no-issuer') {
    const fix = n === 1
      ? `The issuer "${issuerCn}" was not found: if this is a server certificate, the server sent no intermediate. Add the certificate of "${issuerCn}" to the chain it sends (or pass it with --untrusted); if "${issuerCn}" is a root, add it to the trust store (--CAfile/--CApath).`
      : `"${issuerCn}", which issued "${top.label}", is neither sent nor trusted: add the root "${issuerCn}" to the trust store (--CAfile/--CApath), or add the missing intermediate "${issuerCn}" to the chain.`;
    f.push(finding(V.UNABLE_TO_GET_ISSUER_CERT_LOCALLY, n - 1, `no certificate named "${top.info.issuer.text}" among the ${'sent, extra and trusted'} certificates.${akiNote}`, 'RFC 5280 6.1 (path construction)', 100, fix));
  } else if (cand.end === 'trusted-not-root') {
    f.push(finding(V.UNABLE_TO_GET_ISSUER_CERT, n - 1, `"${top.label}" is in the trust store but is not self-signed, and its issuer "${issuerCn}" was not found.${akiNote}`, 'RFC 5280 6.1 (trust anchor)', 100,
      `Add the root "${issuerCn}" to the trust store, or accept "${top.label}" as the anchor (--partial_chain).`));
  } else if (cand.end === 'untrusted-self-signed') {
    if (n === 1) f.push(finding(V.DEPTH_ZERO_SELF_SIGNED_CERT, 0, `"${top.label}" is self-signed and not in the trust store.`, 'RFC 5280 6.1 (trust anchor)', 100,
      `If you trust "${top.label}", add it to the trust store (--CAfile); otherwise have it issued by a trusted CA.`));
    else f.push(finding(V.SELF_SIGNED_CERT_IN_CHAIN, n - 1, `the chain ends at the self-signed "${top.label}", which is not in the trust store.`, 'RFC 5280 6.1 (trust anchor)', 100,
      `If you trust the root "${top.label}", add it to the trust store (--CAfile); otherwise the chain leads to a root the clients do not trust.`));
  }

  // Trust settings of the anchor (OpenSSL X509_check_trust / obj_trust): a TRUSTED CERTIFICATE is trusted only
  // for the purposes it lists, and never for those it rejects.
  if (complete && top.aux && (top.aux.trust.length || top.aux.reject.length)) {
    const want = opts.purpose === 'sslserver' ? EKU.serverAuth : opts.purpose === 'sslclient' ? EKU.clientAuth : ANY_EKU;
    const wantName = ekuName(want);
    const rejected = top.aux.reject.includes(want) || top.aux.reject.includes(ANY_EKU);
    const trustedFor = top.aux.trust.includes(want) || top.aux.trust.includes(ANY_EKU);
    if (rejected || !trustedFor) f.push(finding(V.CERT_REJECTED, n - 1, rejected ? `the trust settings of "${top.label}" reject ${wantName}.` : `"${top.label}" is trusted only for ${top.aux.trust.map(ekuName).join(', ') || 'nothing'}, not for ${wantName}${opts.purpose ? '' : ' (no --purpose given)'}.`, 'OpenSSL trust settings (X509_AUX)', 101,
      rejected ? `Remove the reject setting: openssl x509 -in root.pem -clrreject -addtrust ${wantName}, or use another root.` : `Verify for the purpose the root is trusted for (--purpose ${top.aux.trust.includes(EKU.clientAuth) ? 'sslclient' : 'sslserver'}), or add the trust: openssl x509 -in root.pem -addtrust ${wantName}.`));
  }

  // ---- 2. extensions, CA, purpose, path length (ascending depth)
  let plen = 0;
  for (let i = 0; i < n; i++) {
    const c = certs[i]!;
    const o = 200 + i * 10;
    for (const e of c.info.extensions) {
      if (e.critical && !HANDLED_CRITICAL.has(e.oid)) {
        f.push(finding(V.UNHANDLED_CRITICAL_EXTENSION, i, `extension ${e.name === e.oid ? e.oid : `${e.name} (${e.oid})`} is marked critical and not understood.`, 'RFC 5280 4.2, 6.1.4 (o)', o,
          `Re-issue "${c.label}" without the critical flag on ${e.oid} (or without the extension).`));
        break;
      }
    }
    if (i > 0) {
      const ret = caStatus(c);
      const isLast = i === n - 1;
      if (ret === 0 || (!isLast && ret !== 1)) {
        const why = c.keyUsage && !c.keyUsage.includes('Certificate Sign') ? `its keyUsage (${c.keyUsage.join(', ')}) lacks keyCertSign` : !c.basicConstraints ? 'it has no basicConstraints extension' : 'its basicConstraints says CA:FALSE';
        f.push(finding(V.INVALID_CA, i, `"${c.label}" issued the certificate below it but is not a CA: ${why}.`, c.keyUsage && !c.keyUsage.includes('Certificate Sign') ? 'RFC 5280 6.1.4 (n), 4.2.1.3' : 'RFC 5280 6.1.4 (k), 4.2.1.9', o + 1,
          `Re-issue "${c.label}" with basicConstraints critical CA:TRUE and keyUsage keyCertSign, or let a real CA issue "${certs[i - 1]!.label}".`));
      }
    }
    if (opts.purpose && opts.purpose !== 'any') {
      const want = opts.purpose === 'sslserver' ? EKU.serverAuth : EKU.clientAuth;
      const wantName = opts.purpose === 'sslserver' ? 'serverAuth' : 'clientAuth';
      if (c.extKeyUsage && !c.extKeyUsage.includes(want)) {
        f.push(finding(V.INVALID_PURPOSE, i, `extendedKeyUsage of "${c.label}" is ${c.extKeyUsage.map(ekuName).join(', ')}: no ${wantName}, so it cannot be used for ${purposeName(opts.purpose)}.`, 'RFC 5280 4.2.1.12', o + 2,
          `Re-issue "${c.label}" with extendedKeyUsage ${wantName}${i > 0 ? ' (or without extendedKeyUsage: a CA with EKU restricts everything below it)' : ''}, or verify for the purpose it was made for.`));
      } else if (i === 0 && c.keyUsage) {
        const ok = opts.purpose === 'sslserver' ? ['Digital Signature', 'Key Encipherment', 'Key Agreement'] : ['Digital Signature', 'Key Agreement'];
        if (!c.keyUsage.some((u) => ok.includes(u)))
          f.push(finding(V.INVALID_PURPOSE, i, `keyUsage of "${c.label}" (${c.keyUsage.join(', ')}) allows none of ${ok.join(', ')}.`, 'RFC 5280 4.2.1.3', o + 2,
            `Re-issue "${c.label}" with keyUsage digitalSignature.`));
      }
    }
    if (i > 1 && c.basicConstraints?.pathLen !== undefined && plen > c.basicConstraints.pathLen) {
      f.push(finding(V.PATH_LENGTH_EXCEEDED, i, `"${c.label}" has pathlen:${c.basicConstraints.pathLen}, but ${plen} intermediate CA(s) follow it.`, 'RFC 5280 6.1.4 (l)-(m)', o + 3,
        `Issue "${certs[0]!.label}" directly from "${certs[i - plen]!.label}"'s permitted depth, or re-issue "${c.label}" with pathlen:${plen} or more.`));
    }
    if (i > 0 && !looksSelfSigned(c) && c.subjectKey !== c.issuerKey) plen++;
  }

  // ---- 3. key and digest strength (ascending depth). Warnings unless authLevel is set.
  const weak: Finding[] = [];
  const level = opts.authLevel;
  const need = LEVEL_BITS[Math.min(Math.max(level ?? 2, 0), 5)]!;
  for (let i = 0; i < n; i++) {
    const c = certs[i]!;
    const bits = securityBits(c);
    if (bits < need) {
      weak.push(finding(i === 0 ? V.EE_KEY_TOO_SMALL : V.CA_KEY_TOO_SMALL, i, `${c.info.publicKey.description} gives ${bits} bits of security; ${need} are needed${level === undefined ? ' at security level 2 (warning: no --auth_level given)' : ` at level ${level}`}.`, 'NIST SP 800-57 / OpenSSL security levels', 300 + i * 10,
        `Re-issue "${c.label}" with an RSA key of at least ${need >= 128 ? 3072 : 2048} bits or an EC P-256 key.`));
    }
    const isAnchorSelf = i === n - 1 && complete && looksSelfSigned(c);
    if (!isAnchorSelf) {
      const d = signatureDigest(c);
      if (d && (DIGEST_BITS[d] ?? 0) < need)
        weak.push(finding(V.CA_MD_TOO_WEAK, i, `"${c.label}" is signed with ${c.info.signatureAlgorithm} (${DIGEST_BITS[d]} bits of collision resistance; ${need} needed).`, 'RFC 6151 (MD5), RFC 9155 / SHAttered (SHA-1)', 300 + i * 10 + 1,
          `Have "${c.label}" re-issued with SHA-256 or better.`));
    }
  }
  const warnings: Finding[] = [];
  if (level !== undefined && level > 0) f.push(...weak); else warnings.push(...weak);

  // ---- 4. identity (leaf)
  if (opts.hostname !== undefined) {
    const r = checkHost(certs[0]!, opts.hostname, opts.hostnameOptions);
    if (!r.ok) f.push(finding(V.HOSTNAME_MISMATCH, 0, r.detail + '.', 'RFC 9525 6.3 / RFC 6125 6.4', 400,
      `Connect with one of the names the certificate lists (${r.presented.join(', ') || 'none'}), or re-issue "${certs[0]!.label}" with DNS:${opts.hostname} in its subjectAltName.`));
  }
  if (opts.ip !== undefined) {
    const r = checkIp(certs[0]!, opts.ip);
    if (!r.ok) f.push(finding(V.IP_ADDRESS_MISMATCH, 0, r.detail + '.', 'RFC 9525 6.2', 401,
      `Re-issue "${certs[0]!.label}" with IP:${opts.ip} in its subjectAltName, or connect by a DNS name it lists.`));
  }

  // ---- 5. signatures and validity, from the top down (descending depth)
  for (let i = n - 1; i >= 0; i--) {
    const c = certs[i]!;
    const o = 500 + (n - 1 - i) * 10;
    const issuer = i + 1 < n ? certs[i + 1] : looksSelfSigned(c) ? c : undefined;
    const skipSelf = i === n - 1 && complete && !opts.checkAnchorSignature;
    if (issuer && issuer !== c && issuer.keyUsage && !issuer.keyUsage.includes('Certificate Sign')) {
      f.push(finding(V.KEYUSAGE_NO_CERTSIGN, i, `keyUsage of the issuer "${issuer.label}" lacks keyCertSign.`, 'RFC 5280 6.1.4 (n)', o));
    }
    if (issuer && !skipSelf && (issuer !== c || i === n - 1)) {
      if (!c.sigAlgConsistent) f.push(finding(V.SIGNATURE_ALGORITHM_INCONSISTENCY, i, 'tbsCertificate.signature differs from signatureAlgorithm.', 'RFC 5280 4.1.1.2', o + 1));
      const s = checkCertSignature(c, issuer);
      if (!s.ok) f.push(finding(s.code, i, s.detail + '.', 'RFC 5280 6.1.3 (a)(1)', o + 2,
        s.code === V.CERT_SIGNATURE_FAILURE ? `"${c.label}" was not signed by the key of the "${issuer.label}" given here: use the issuer certificate with the matching key (same name does not mean same key), or get an unmodified copy of "${c.label}".` : undefined));
    }
    const nb = new Date(c.info.validity.notBefore);
    const na = new Date(c.info.validity.notAfter);
    if (time < nb) f.push(finding(V.CERT_NOT_YET_VALID, i, `"${c.label}" is valid from ${c.info.validity.notBefore}; the time checked is ${time.toISOString()}.`, 'RFC 5280 6.1.3 (a)(2)', o + 3,
      `Check the verifying machine's clock; otherwise wait until ${c.info.validity.notBefore} or re-issue "${c.label}" with a current notBefore.`));
    else if (time > na) f.push(finding(V.CERT_HAS_EXPIRED, i, `"${c.label}" expired at ${c.info.validity.notAfter}; the time checked is ${time.toISOString()}.`, 'RFC 5280 6.1.3 (a)(2)', o + 3,
      `Renew "${c.label}" and deploy the new certificate${i > 0 ? ' (the server must send the renewed intermediate, or clients must trust the renewed root)' : ''}.`));
  }

  // ---- 6. name constraints: each certificate against every CA above it (descending depth)
  for (let i = n - 1; i >= 0; i--) {
    const c = certs[i]!;
    if (i > 0 && c.subjectKey === c.issuerKey) continue; // RFC 5280 6.1.3 (b): self-issued intermediates are exempt
    for (let j = i + 1; j < n; j++) {
      for (const v of checkNameConstraints(c, certs[j]!, i === 0)) {
        f.push(finding(v.code, i, v.detail + '.', 'RFC 5280 4.2.1.10, 6.1.3 (b)-(c)', 600 + (n - 1 - i) * 10,
          v.code === V.PERMITTED_VIOLATION ? `Re-issue "${c.label}" only for names within what "${certs[j]!.label}" permits, or have it issued by a CA without that constraint.`
            : `Remove ${v.name} from "${c.label}", or have it issued by a CA that does not exclude it.`));
      }
    }
  }

  f.sort((a, b) => a.order - b.order);
  const first = f[0];
  const chain: LinkReport[] = certs.map((c, i) => {
    const errors = f.filter((x) => x.depth === i);
    const warns = warnings.filter((x) => x.depth === i);
    return {
      depth: i,
      subject: c.info.subject.opensslText,
      issuer: c.info.issuer.opensslText,
      label: c.label,
      fingerprint: c.id,
      source: i === 0 && !cand.trusted[0] ? 'target' : cand.trusted[i] ? 'trust-store' : 'untrusted',
      verdict: errors.length ? 'error' : warns.length ? 'warning' : 'ok',
      errors,
      warnings: warns,
    };
  });
  return { ok: !first, code: first?.code ?? V.OK, errorDepth: first?.depth ?? -1, chain, findings: f };
}

function ekuName(oid: string): string {
  return ({ '1.3.6.1.5.5.7.3.1': 'serverAuth', '1.3.6.1.5.5.7.3.2': 'clientAuth', '1.3.6.1.5.5.7.3.3': 'codeSigning', '1.3.6.1.5.5.7.3.4': 'emailProtection', '1.3.6.1.5.5.7.3.8': 'timeStamping', '1.3.6.1.5.5.7.3.9': 'OCSPSigning', '2.5.29.37.0': 'anyExtendedKeyUsage' } as Record<string, string>)[oid] ?? oid;
}
