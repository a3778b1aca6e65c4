// Basic path validation (RFC 5280 section 6.1) over one candidate path, in the order OpenSSL 3.0's verify_chain
// runs its checks, so the first error is the one `openssl verify` prints:
//   1 chain building (build_chain)     2 extensions, CA-ness, purpose, path length (check_extensions)
//   3 key and digest strength (check_auth_level)  4 host / email / IP (check_id)
//   4.5 revocation: OCSP response, CRLs (check_revocation)
//   5 signatures and validity periods, top down (internal_verify)   6 name constraints (check_name_constraints)
//   7 certificate policies (check_policy, only when a policy option is given)
// Unlike OpenSSL, every check runs on every certificate, so one report lists all the problems of the path.
// Findings are ordered by phase (millions), then by certificate and check, as OpenSSL would meet them.
import { V } from '../../registry/x509-verify-errors';
import type { VCert } from './cert';
import { extras } from './cert-extras';
import { checkCrls, type CrlStatus, type VCrl } from './crl';
import { checkEmail, checkHost, checkIp, type HostnameOptions } from './hostname';
import { checkOcspResponse, type OcspVerdict } from './ocsp';
import { checkPolicies, POLICY_NODES_MAX, type PolicyOptions, type PolicyReport } from './policy';
import { strictViolations } from './strict';
import { checkNameConstraints } from './name-constraints';
import { looksSelfSigned, type CandidatePath } from './path-builder';
import { checkCertSignature, signatureDigest } from './signature';
import { finding, type Finding } from './finding';

export { finding, type Finding } from './finding';

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
  /** OpenSSL -x509_strict: RFC 5280 profile checks (strict.ts), and stricter CA and purpose rules. */
  x509Strict?: boolean;
  /** OpenSSL -verify_email: the leaf must name this address. */
  email?: string;
  /** CRL checking: 'leaf' as -crl_check, 'all' as -crl_check_all. */
  crlCheck?: 'leaf' | 'all';
  /** CRLs given explicitly (--CRLfile), consulted first. */
  crls?: VCrl[];
  /** CRLs found with the trust store or in the bag, consulted when none of `crls` is fully usable. */
  storeCrls?: VCrl[];
  /** A DER OCSPResponse for the leaf (stapled, or --ocsp_response), checked against the path. */
  ocspResponse?: Uint8Array;
  /** Policy processing, as -policy_check; also on when any other field is set (-policy, -explicit_policy, ...). */
  policy?: PolicyOptions & { check?: boolean };
}

export interface RevocationReport {
  /** Per certificate checked by CRL. */
  crl: CrlStatus[];
  ocsp?: OcspVerdict;
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
  revocation?: RevocationReport;
  policy?: PolicyReport;
}

/** Phase bases of `Finding.order`: OpenSSL's verify_chain order. */
const P = { build: 1e6, ext: 2e6, level: 3e6, id: 4e6, rev: 4.5e6, sig: 5e6, nc: 6e6, policy: 7e6 } as const;

const HANDLED_CRITICAL = new Set([
  '2.16.840.1.113730.1.1', '2.5.29.15', '2.5.29.17', '2.5.29.19', '2.5.29.32', '2.5.29.37', '2.5.29.36',
  '1.3.6.1.5.5.7.1.14', '2.5.29.30', '2.5.29.33', '2.5.29.54', '1.3.6.1.5.5.7.1.7', '1.3.6.1.5.5.7.1.8',
]); // as OpenSSL's X509_supported_extension

const EKU = { serverAuth: '1.3.6.1.5.5.7.3.1', clientAuth: '1.3.6.1.5.5.7.3.2' };
const ANY_EKU = '2.5.29.37.0';
const LEVEL_BITS = [0, 80, 112, 128, 192, 256];

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
    f.push(finding(V.UNABLE_TO_GET_ISSUER_CERT_LOCALLY, n - 1, `no certificate named "${top.info.issuer.text}" among the ${'sent, extra and trusted'} certificates.${akiNote}`, 'RFC 5280 6.1 (path construction)', P.build, fix));
  } else if (cand.end === 'trusted-not-root') {
    f.push(finding(V.UNABLE_TO_GET_ISSUER_CERT, n - 1, `"${top.label}" is in the trust store but is not self-signed, and its issuer "${issuerCn}" was not found.${akiNote}`, 'RFC 5280 6.1 (trust anchor)', P.build,
      `Add the root "${issuerCn}" to the trust store, or accept "${top.label}" as the anchor (--partial_chain).`));
  } else if (cand.end === 'too-long') {
    f.push(finding(V.CERT_CHAIN_TOO_LONG, n - 1, `${n} certificates and still no trust anchor: paths stop at ${n} (OpenSSL's default -verify_depth 100).`, 'RFC 5280 6.1 (path construction); OpenSSL -verify_depth', P.build,
      'A real chain has 2 to 4 certificates: the bag probably holds a long run of cross-certificates. Send only the certificates of the intended path.'));
  } else if (cand.end === 'untrusted-self-signed') {
    if (n === 1) f.push(finding(V.DEPTH_ZERO_SELF_SIGNED_CERT, 0, `"${top.label}" is self-signed and not in the trust store.`, 'RFC 5280 6.1 (trust anchor)', P.build,
      `If you trust "${top.label}", add it to the trust store (--CAfile); otherwise have it issued by a trusted CA.`));
    else f.push(finding(V.SELF_SIGNED_CERT_IN_CHAIN, n - 1, `the chain ends at the self-signed "${top.label}", which is not in the trust store.`, 'RFC 5280 6.1 (trust anchor)', P.build,
      `If you trust the root "${top.label}", add it to the trust store (--CAfile); otherwise the chain leads to a root the clients do not trust.`));
  }

  // Trust settings of the anchor (OpenSSL X509_check_trust / obj_trust): a TRUSTED CERTIFICATE is trusted only
  // for the purposes it lists, and never for those it rejects.
  if (complete && top.aux && (top.aux.trust.length || top.aux.reject.length)) {
    const want = opts.purpose === 'sslserver' ? EKU.serverAuth : opts.purpose === 'sslclient' ? EKU.clientAuth : ANY_EKU;
    const wantName = ekuName(want);
    const rejected = top.aux.reject.includes(want) || top.aux.reject.includes(ANY_EKU);
    const trustedFor = top.aux.trust.includes(want) || top.aux.trust.includes(ANY_EKU);
    if (rejected || !trustedFor) f.push(finding(V.CERT_REJECTED, n - 1, rejected ? `the trust settings of "${top.label}" reject ${wantName}.` : `"${top.label}" is trusted only for ${top.aux.trust.map(ekuName).join(', ') || 'nothing'}, not for ${wantName}${opts.purpose ? '' : ' (no --purpose given)'}.`, 'OpenSSL trust settings (X509_AUX)', P.build + 1,
      rejected ? `Remove the reject setting: openssl x509 -in root.pem -clrreject -addtrust ${wantName}, or use another root.` : `Verify for the purpose the root is trusted for (--purpose ${top.aux.trust.includes(EKU.clientAuth) ? 'sslclient' : 'sslserver'}), or add the trust: openssl x509 -in root.pem -addtrust ${wantName}.`));
  }

  // ---- 2. extensions, CA, purpose, path length (ascending depth)
  const strict = !!opts.x509Strict;
  let plen = 0;
  for (let i = 0; i < n; i++) {
    const c = certs[i]!;
    const o = P.ext + i * 1000;
    for (const e of c.info.extensions) {
      if (e.critical && !HANDLED_CRITICAL.has(e.oid)) {
        f.push(finding(V.UNHANDLED_CRITICAL_EXTENSION, i, `extension ${e.name === e.oid ? e.oid : `${e.name} (${e.oid})`} is marked critical and not understood.`, 'RFC 5280 4.2, 6.1.4 (o)', o,
          `Re-issue "${c.label}" without the critical flag on ${e.oid} (or without the extension).`));
        break;
      }
    }
    const ret = caStatus(c);
    if (i > 0) {
      const isLast = i === n - 1;
      // X509_check_ca: 3 (v1 self-signed) and 4 (keyCertSign without basicConstraints) pass only for the anchor, and not with -x509_strict.
      if (ret === 0 || ((!isLast || strict) && ret !== 1)) {
        const why = c.keyUsage && !c.keyUsage.includes('Certificate Sign') ? `its keyUsage (${c.keyUsage.join(', ')}) lacks keyCertSign`
          : !c.basicConstraints ? (ret === 3 ? 'it is an X.509 v1 certificate (no basicConstraints), accepted only as a trust anchor without -x509_strict' : 'it has no basicConstraints extension') : 'its basicConstraints says CA:FALSE';
        f.push(finding(V.INVALID_CA, i, `"${c.label}" issued the certificate below it but is not a CA: ${why}.`, c.keyUsage && !c.keyUsage.includes('Certificate Sign') ? 'RFC 5280 6.1.4 (n), 4.2.1.3' : 'RFC 5280 6.1.4 (k), 4.2.1.9', o + 10,
          `Re-issue "${c.label}" with basicConstraints critical CA:TRUE and keyUsage keyCertSign, or let a real CA issue "${certs[i - 1]!.label}".`));
      }
    } else if (strict && ret !== 0 && ret !== 1) {
      f.push(finding(V.INVALID_CA, 0, `"${c.label}" looks like a CA without being one: ${ret === 4 ? 'keyUsage keyCertSign without basicConstraints' : 'an X.509 v1 self-signed certificate'} (-x509_strict).`, 'RFC 5280 4.2.1.9', o + 10,
        `Re-issue "${c.label}" with basicConstraints (CA:FALSE for an end entity, critical CA:TRUE for a CA).`));
    }
    if (n > 1 && extras(c).ecExplicit)
      f.push(finding(V.EC_KEY_EXPLICIT_PARAMS, i, `the EC public key of "${c.label}" carries explicit curve parameters instead of a named curve.`, 'RFC 5480 2.1.1 (MUST use namedCurve)', o + 20,
        `Re-issue "${c.label}" with a named-curve key (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256; never -pkeyopt ec_param_enc:explicit).`));
    if (strict) strictViolations(c, i, n).forEach((v, k) => f.push(finding(v.code, i, v.detail, v.rule, o + 30 + k, v.fix)));
    if (opts.purpose && opts.purpose !== 'any') {
      const want = opts.purpose === 'sslserver' ? EKU.serverAuth : EKU.clientAuth;
      const wantName = opts.purpose === 'sslserver' ? 'serverAuth' : 'clientAuth';
      if (c.extKeyUsage && !c.extKeyUsage.includes(want)) {
        f.push(finding(V.INVALID_PURPOSE, i, `extendedKeyUsage of "${c.label}" is ${c.extKeyUsage.map(ekuName).join(', ')}: no ${wantName}, so it cannot be used for ${purposeName(opts.purpose)}.`, 'RFC 5280 4.2.1.12', o + 50,
          `Re-issue "${c.label}" with extendedKeyUsage ${wantName}${i > 0 ? ' (or without extendedKeyUsage: a CA with EKU restricts everything below it)' : ''}, or verify for the purpose it was made for.`));
      } else if (i === 0 && c.keyUsage) {
        const ok = opts.purpose === 'sslserver' ? ['Digital Signature', 'Key Encipherment', 'Key Agreement'] : ['Digital Signature', 'Key Agreement'];
        if (!c.keyUsage.some((u) => ok.includes(u)))
          f.push(finding(V.INVALID_PURPOSE, i, `keyUsage of "${c.label}" (${c.keyUsage.join(', ')}) allows none of ${ok.join(', ')}.`, 'RFC 5280 4.2.1.3', o + 50,
            `Re-issue "${c.label}" with keyUsage digitalSignature.`));
      } else if (strict && i > 0 && (ret === 3 || ret === 4)) {
        // X509_check_purpose answers "maybe" (not 1) for such a CA; -x509_strict turns that into a failure.
        f.push(finding(V.INVALID_PURPOSE, i, `"${c.label}" is only a CA by OpenSSL's compatibility rules, which -x509_strict does not accept for ${purposeName(opts.purpose)}.`, 'RFC 5280 4.2.1.9', o + 50,
          `Re-issue "${c.label}" with basicConstraints critical CA:TRUE.`));
      }
    }
    if (i > 1 && c.basicConstraints?.pathLen !== undefined && plen > c.basicConstraints.pathLen) {
      f.push(finding(V.PATH_LENGTH_EXCEEDED, i, `"${c.label}" has pathlen:${c.basicConstraints.pathLen}, but ${plen} intermediate CA(s) follow it.`, 'RFC 5280 6.1.4 (l)-(m)', o + 60,
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
      weak.push(finding(i === 0 ? V.EE_KEY_TOO_SMALL : V.CA_KEY_TOO_SMALL, i, `${c.info.publicKey.description} gives ${bits} bits of security; ${need} are needed${level === undefined ? ' at security level 2 (warning: no --auth_level given)' : ` at level ${level}`}.`, 'NIST SP 800-57 / OpenSSL security levels', P.level + i * 1000,
        `Re-issue "${c.label}" with an RSA key of at least ${need >= 128 ? 3072 : 2048} bits or an EC P-256 key.`));
    }
    const isAnchorSelf = i === n - 1 && complete && looksSelfSigned(c);
    if (!isAnchorSelf) {
      const d = signatureDigest(c);
      if (d && (DIGEST_BITS[d] ?? 0) < need)
        weak.push(finding(V.CA_MD_TOO_WEAK, i, `"${c.label}" is signed with ${c.info.signatureAlgorithm} (${DIGEST_BITS[d]} bits of collision resistance; ${need} needed).`, 'RFC 6151 (MD5), RFC 9155 / SHAttered (SHA-1)', P.level + i * 1000 + 1,
          `Have "${c.label}" re-issued with SHA-256 or better.`));
    }
  }
  const warnings: Finding[] = [];
  if (level !== undefined && level > 0) f.push(...weak); else warnings.push(...weak);

  // ---- 4. identity (leaf): host, email, IP, in check_id's order
  if (opts.hostname !== undefined) {
    const r = checkHost(certs[0]!, opts.hostname, opts.hostnameOptions);
    if (!r.ok) f.push(finding(V.HOSTNAME_MISMATCH, 0, r.detail + '.', 'RFC 9525 6.3 / RFC 6125 6.4', P.id,
      `Connect with one of the names the certificate lists (${r.presented.join(', ') || 'none'}), or re-issue "${certs[0]!.label}" with DNS:${opts.hostname} in its subjectAltName.`));
  }
  if (opts.email !== undefined) {
    const r = checkEmail(certs[0]!, opts.email);
    if (!r.ok) f.push(finding(V.EMAIL_MISMATCH, 0, r.detail + '.', 'RFC 5280 4.2.1.6 (rfc822Name), RFC 8550 3.1', P.id + 1,
      `Use an address the certificate lists (${r.presented.join(', ') || 'none'}), or re-issue "${certs[0]!.label}" with email:${opts.email} in its subjectAltName.`));
  }
  if (opts.ip !== undefined) {
    const r = checkIp(certs[0]!, opts.ip);
    if (!r.ok) f.push(finding(V.IP_ADDRESS_MISMATCH, 0, r.detail + '.', 'RFC 9525 6.2', P.id + 2,
      `Re-issue "${certs[0]!.label}" with IP:${opts.ip} in its subjectAltName, or connect by a DNS name it lists.`));
  }

  // ---- 4.5 revocation (check_revocation): only for a path that reached an anchor, as OpenSSL stops earlier otherwise.
  let revocation: RevocationReport | undefined;
  if (complete && (opts.crlCheck || opts.ocspResponse)) {
    revocation = { crl: [] };
    const settled = new Set<number>();
    if (opts.ocspResponse) {
      const ov = checkOcspResponse(opts.ocspResponse, certs, { time });
      revocation.ocsp = ov;
      if (ov.ok) settled.add(0);
      else {
        // OpenSSL 3.6: a revoked status fails; any other answer falls back to the CRL when CRLs are checked.
        const fallback = ov.status !== 'revoked' && !!opts.crlCheck;
        const target = fallback ? warnings : f;
        ov.findings.forEach((x, k) => target.push({ ...x, depth: 0, order: P.rev + k, detail: `OCSP response: ${x.detail}${fallback && k === 0 ? ' The CRL check decides instead.' : ''}`, rule: x.rule }));
      }
    }
    if (opts.crlCheck) {
      const r = checkCrls({ certs, crls: opts.crls ?? [], storeCrls: opts.storeCrls ?? [], time, mode: opts.crlCheck, skip: settled });
      revocation.crl = r.statuses;
      for (const x of r.findings) f.push(finding(x.code, x.depth, x.detail, x.rule, P.rev + x.depth * 1000 + 10 + x.step, x.fix));
    }
  }

  // ---- 5. signatures and validity, from the top down (descending depth)
  for (let i = n - 1; i >= 0; i--) {
    const c = certs[i]!;
    const o = P.sig + (n - 1 - i) * 1000;
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
        f.push(finding(v.code, i, v.detail + '.', 'RFC 5280 4.2.1.10, 6.1.3 (b)-(c)', P.nc + (n - 1 - i) * 1000,
          v.code === V.PERMITTED_VIOLATION ? `Re-issue "${c.label}" only for names within what "${certs[j]!.label}" permits, or have it issued by a CA without that constraint.`
            : `Remove ${v.name} from "${c.label}", or have it issued by a CA that does not exclude it.`));
      }
    }
  }

  // ---- 7. certificate policies (check_policy), when asked for, on a complete path
  let policy: PolicyReport | undefined;
  const po = opts.policy;
  if (complete && po && (po.check || po.explicit || po.inhibitAny || po.inhibitMap || po.policies?.length)) {
    policy = checkPolicies(certs, po);
    const trace = policy.trace.length ? ` Path: ${policy.trace.join(' ')}` : '';
    if (policy.result === 'invalid-extension') {
      // check_policy reports every certificate whose policy extensions are invalid, from the leaf up.
      for (let i = 0; i < n - 1; i++) {
        const why = extras(certs[i]!).policy.invalid;
        if (why) f.push(finding(V.INVALID_POLICY_EXTENSION, i, `"${certs[i]!.label}": ${why}.`, 'RFC 5280 4.2.1.4, 4.2.1.5, 4.2.1.11, 4.2.1.14', P.policy + i,
          `Re-issue "${certs[i]!.label}" with well-formed policy extensions (each policy OID once, no mapping to or from anyPolicy, non-negative SkipCerts).`));
      }
    } else if (policy.result === 'no-explicit-policy') {
      const who = po.explicit ? 'the verifier requires an explicit policy (--explicit_policy)' : `"${certs[policy.requiredBy ?? 0]!.label}" requires an explicit policy (policyConstraints requireExplicitPolicy)`;
      const at = policy.emptiedAt !== undefined ? certs[policy.emptiedAt]! : undefined;
      const because = { 'no-policies': 'it has no certificatePolicies', 'mapping-inhibited': 'the path needs its policyMappings, and policy mapping is inhibited there', 'any-inhibited': 'it has only anyPolicy, and anyPolicy is inhibited there', 'no-match': 'none of its policies is one the certificates above it allow' };
      const why = at ? `the valid policy tree is empty from depth ${policy.emptiedAt} ("${at.label}"): ${because[policy.emptiedBecause ?? 'no-match']}`
        : !po.policies?.length ? `no acceptable policy was named (--policy): the certificates allow ${policy.authority.join(', ') || 'none'}`
          : `none of the acceptable policies (${po.policies.join(', ')}) is among those the path allows (${policy.authority.join(', ') || 'none'})`;
      const fixes = {
        'no-policies': `Every certificate on the path must list a policy that chains up: re-issue "${at?.label}" with certificatePolicies (a CA may list anyPolicy).`,
        'mapping-inhibited': `Verify without --inhibit_map if mappings are acceptable to you; otherwise the CA above "${at?.label}" forbids mapping (inhibitPolicyMapping) and "${at?.label}" must list the policies without mapping them.`,
        'any-inhibited': `Verify without --inhibit_any if that is acceptable; otherwise re-issue "${at?.label}" with the explicit policies instead of anyPolicy (a CA above it sets inhibitAnyPolicy).`,
        'no-match': `Re-issue "${at?.label}" under a policy the CAs above it list (see the path below), or have those CAs list (or map to) its policies.`,
      };
      f.push(finding(V.NO_EXPLICIT_POLICY, 0, `${who}, but ${why}.${trace}`, 'RFC 5280 6.1.5 (g), 6.1.3 (d)-(f), 6.1.4 (a)-(j)', P.policy + 100,
        at ? fixes[policy.emptiedBecause ?? 'no-match'] : `Name a policy the path allows with --policy OID (${policy.authority.join(', ') || 'none allowed'}), or use certificates issued under the policy you need.`));
    } else if (policy.result === 'too-complex') {
      f.push(finding(V.OUT_OF_MEM, 0, `the valid policy tree exceeded ${POLICY_NODES_MAX} nodes (after ${policy.nodes}); processing stopped. OpenSSL stops at the same limit (CVE-2023-0464) and fails with "malloc failure" (X509_V_ERR_OUT_OF_MEM, no error line).`, 'RFC 5280 6.1.3 (d); OpenSSL OPENSSL_POLICY_TREE_NODES_MAX', P.policy + 200,
        'The certificates list very many policies (or mappings): a policy-tree attack or a badly made hierarchy. Re-issue the CAs with the few policies they need.'));
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
  return { ok: !first, code: first?.code ?? V.OK, errorDepth: first?.depth ?? -1, chain, findings: f, ...(revocation ? { revocation } : {}), ...(policy ? { policy } : {}) };
}

function ekuName(oid: string): string {
  return ({ '1.3.6.1.5.5.7.3.1': 'serverAuth', '1.3.6.1.5.5.7.3.2': 'clientAuth', '1.3.6.1.5.5.7.3.3': 'codeSigning', '1.3.6.1.5.5.7.3.4': 'emailProtection', '1.3.6.1.5.5.7.3.8': 'timeStamping', '1.3.6.1.5.5.7.3.9': 'OCSPSigning', '2.5.29.37.0': 'anyExtendedKeyUsage' } as Record<string, string>)[oid] ?? oid;
}
