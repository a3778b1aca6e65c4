// An OCSP response (RFC 6960), stapled or from a file, checked against a certificate and its issuer as OpenSSL's
// OCSP_basic_verify + OCSP_resp_find_status + OCSP_check_validity do (crypto/ocsp/ocsp_vfy.c, ocsp_cl.c):
// the responder is the issuer itself or a responder the issuer delegated to (id-kp-OCSPSigning, RFC 6960 4.2.2.2),
// the signature verifies with the responder's key, a SingleResponse's CertID matches (hash of the issuer's name and
// key, the serial: 4.1.1), and thisUpdate/nextUpdate bracket the time (4.2.2.1, with OpenSSL's 5 minutes of leeway).
// No network: only the bytes given are looked at.
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { V, verifyError } from '../../registry/x509-verify-errors';
import { toHex, view } from '../../util/hex';
import { crlReasonText } from '../extensions';
import { decodeName } from '../name';
import { canonicalName, loadCert, type VCert } from './cert';
import { extras, OID } from './cert-extras';
import { finding, type Finding } from './finding';
import { checkCertSignature, checkSigned } from './signature';

export interface OcspOptions {
  /** Time to judge thisUpdate/nextUpdate and the responder's certificate at; default now. */
  time?: Date;
  /** Which certificate of `chain` the response is about; default 0 (the leaf). */
  index?: number;
  /** Clock skew allowed on thisUpdate and nextUpdate, in seconds (OpenSSL's MAX_VALIDITY_PERIOD: 300). */
  leewaySeconds?: number;
  /** Further certificates that may be the issuer (e.g. the trust store), when `chain` does not hold it. */
  issuers?: VCert[];
}

export interface OcspVerdict {
  /** A verified response saying good. */
  ok: boolean;
  status: 'good' | 'revoked' | 'unknown' | 'invalid';
  /** X509_V_ERR: 0 good, 23 CERT_REVOKED, 75 OCSP_CERT_UNKNOWN, else OpenSSL 3's OCSP codes 74, 96-100. */
  code: number;
  name: string;
  text: string;
  /** The same verdict with OpenSSL 3.0's codes only (73-75): every failure to verify is 74 OCSP_VERIFY_FAILED. */
  code30: number;
  /** The certificate asked about. */
  subject?: string;
  issuer?: string;
  responder?: { subject: string; kind: 'issuer' | 'delegated' | 'unauthorized'; embedded: boolean; noCheck?: boolean };
  response?: {
    responseStatus: string;
    producedAt?: string;
    serial?: string;
    certStatus?: 'good' | 'revoked' | 'unknown';
    thisUpdate?: string;
    nextUpdate?: string;
    revocationTime?: string;
    reason?: string;
    hashAlgorithm?: string;
  };
  /** Every problem, the one `code` names first. */
  findings: Finding[];
  /** What was checked and held, in order, for the explanation. */
  checks: string[];
}

const RESPONSE_STATUS = ['successful', 'malformedRequest', 'internalError', 'tryLater', '(4: not used)', 'sigRequired', 'unauthorized'];
const ID_PKIX_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
const HASHES: Record<string, string> = { '1.3.14.3.2.26': 'sha1', '2.16.840.1.101.3.4.2.4': 'sha224', '2.16.840.1.101.3.4.2.1': 'sha256', '2.16.840.1.101.3.4.2.2': 'sha384', '2.16.840.1.101.3.4.2.3': 'sha512' };

function iso(d: Date | undefined): string | undefined {
  return d && !Number.isNaN(d.getTime()) ? d.toISOString() : undefined;
}

function stripSign(b: Uint8Array): Uint8Array {
  return b.length > 1 && b[0] === 0 ? b.subarray(1) : b;
}

/** Does `signed` carry a signature by `issuer`'s key, and the right name? */
function issuedBy(c: VCert, issuer: VCert): boolean {
  return c.issuerKey === issuer.subjectKey && checkCertSignature(c, issuer).ok;
}

export function checkOcspResponse(staple: Uint8Array, chain: VCert[], opts: OcspOptions = {}): OcspVerdict {
  try {
    return check(staple, chain, opts);
  } catch (e) {
    // A structure pkijs accepted but that is still not usable (e.g. a responderID that is no Name): a verdict, not a throw.
    const f = finding(V.OCSP_RESP_INVALID, opts.index ?? 0, `the OCSP response cannot be used: ${(e as Error).message || String(e)}.`, 'RFC 6960 4.2.1', 0);
    const r = verifyError(V.OCSP_RESP_INVALID);
    return { ok: false, status: 'invalid', code: r.code, name: r.name, text: r.text, code30: V.OCSP_VERIFY_FAILED, findings: [f], checks: [] };
  }
}

function check(staple: Uint8Array, chain: VCert[], opts: OcspOptions): OcspVerdict {
  const time = opts.time ?? new Date();
  const index = opts.index ?? 0;
  const leeway = (opts.leewaySeconds ?? 300) * 1000;
  const findings: Finding[] = [];
  const checks: string[] = [];
  const subject = chain[index];
  const v: OcspVerdict = { ok: false, status: 'invalid', code: 0, name: '', text: '', code30: 0, findings, checks };
  const fail = (code: number, detail: string, rule: string, fix?: string) => findings.push(finding(code, index, detail, rule, findings.length, fix));
  const done = (): OcspVerdict => {
    const first = findings[0];
    if (first) {
      v.code = first.code;
      if (v.status !== 'revoked' && v.status !== 'unknown') v.status = 'invalid';
    } else v.code = v.status === 'good' ? V.OK : v.status === 'revoked' ? V.CERT_REVOKED : V.OCSP_CERT_UNKNOWN;
    const e = verifyError(v.code);
    v.name = e.name;
    v.text = e.text;
    v.ok = v.code === V.OK;
    v.code30 = [V.OK, V.CERT_REVOKED, V.OCSP_CERT_UNKNOWN].includes(v.code as 0) ? v.code : V.OCSP_VERIFY_FAILED;
    return v;
  };
  if (!subject) {
    fail(V.OCSP_VERIFY_FAILED, `no certificate at position ${index} of the chain given.`, 'RFC 6960 4.1.1');
    return done();
  }
  v.subject = subject.label;

  // ---- the response itself (RFC 6960 4.2.1)
  let basic: pkijs.BasicOCSPResponse;
  try {
    const asn = asn1js.fromBER(staple);
    if (asn.offset === -1) throw new Error(asn.result.error || 'not DER');
    const resp = new pkijs.OCSPResponse({ schema: asn.result });
    const st = resp.responseStatus.valueBlock.valueDec;
    v.response = { responseStatus: RESPONSE_STATUS[st] ?? String(st) };
    if (st !== 0) {
      fail(V.OCSP_RESP_INVALID, `the responder answered "${v.response.responseStatus}" (${st}), not a status: there is no certificate status in it.`, 'RFC 6960 4.2.1',
        st === 3 ? 'The responder was busy (tryLater): fetch a fresh response.' : st === 6 ? 'The responder does not serve this CA (unauthorized): use the OCSP URL in the certificate\'s Authority Information Access.' : 'Fetch a fresh response from the responder named in the certificate\'s Authority Information Access.');
      return done();
    }
    if (!resp.responseBytes || resp.responseBytes.responseType !== ID_PKIX_OCSP_BASIC) {
      fail(V.OCSP_RESP_INVALID, `the response type is ${resp.responseBytes?.responseType ?? 'missing'}, not id-pkix-ocsp-basic.`, 'RFC 6960 4.2.1');
      return done();
    }
    const inner = asn1js.fromBER(resp.responseBytes.response.valueBlock.valueHexView);
    if (inner.offset === -1) throw new Error(`BasicOCSPResponse: ${inner.result.error}`);
    basic = new pkijs.BasicOCSPResponse({ schema: inner.result });
  } catch (e) {
    fail(V.OCSP_RESP_INVALID, `the OCSP response (${staple.length} bytes) does not decode: ${(e as Error).message || String(e)}.`, 'RFC 6960 4.2.1', 'Check that the file or staple holds a DER OCSPResponse (openssl ocsp -respin FILE -resp_text shows it).');
    return done();
  }
  const rd = basic.tbsResponseData;
  const produced = iso(rd.producedAt);
  if (produced) v.response.producedAt = produced;

  // ---- the issuer: needed for the CertID and to judge the responder
  const pool = [...chain.slice(index + 1), ...(opts.issuers ?? []), ...chain.slice(0, index)];
  const issuer = pool.find((c) => c !== subject && issuedBy(subject, c));
  if (!issuer) {
    fail(V.OCSP_VERIFY_FAILED, `the issuer of "${subject.label}" ("${subject.info.issuer.opensslText}") is not among the certificates given, so the CertID cannot be computed nor the responder judged.`, 'RFC 6960 4.1.1',
      'Pass the issuing CA certificate with the chain (a server should send it after the leaf).');
    return done();
  }
  v.issuer = issuer.label;

  // ---- the signer (ocsp_find_signer): by name or by key hash, among the response's certificates, then the chain
  const embedded: VCert[] = [];
  for (const c of basic.certs ?? []) {
    try {
      embedded.push(loadCert(view(c.toSchema().toBER())));
    } catch {
      // an undecodable embedded certificate cannot be the signer
    }
  }
  const rid = rd.responderID as unknown;
  let byName: string | undefined;
  let byKey: string | undefined;
  if (rid instanceof pkijs.RelativeDistinguishedNames) byName = canonicalName(decodeName(asn1js.fromBER(rid.valueBeforeDecode).result, 'responderID'));
  else if (rid instanceof asn1js.OctetString) byKey = toHex(view(rid.valueBlock.valueHexView));
  const ridText = byName ? `byName ${(rid as pkijs.RelativeDistinguishedNames).typesAndValues.map((t) => `${t.type === '2.5.4.3' ? 'CN' : t.type}=${String(t.value.valueBlock.value)}`).join(', ')}` : `byKey ${byKey}`;
  const keyHash = (c: VCert) => toHex(createHash('sha1').update(extras(c).publicKeyBits).digest());
  const matchesRid = (c: VCert) => (byName !== undefined ? c.subjectKey === byName : byKey !== undefined && keyHash(c) === byKey);
  let signer = embedded.find(matchesRid);
  const signerEmbedded = !!signer;
  signer ??= [issuer, ...chain, ...(opts.issuers ?? [])].find(matchesRid);
  if (!signer) {
    fail(V.OCSP_SIGNATURE_FAILURE, `the responder (${ridText}) is neither among the ${embedded.length} certificate(s) in the response nor the issuer "${issuer.label}": its signature cannot be checked.`, 'RFC 6960 4.2.1, 4.2.2.2',
      'A responder that is not the CA must include its own certificate in the response (openssl ocsp does, unless -resp_no_certs).');
    return done();
  }
  checks.push(`responder ${ridText} is "${signer.label}"${signerEmbedded ? ' (certificate included in the response)' : ''}`);

  // ---- signature over tbsResponseData
  const params = basic.signatureAlgorithm.algorithmParams as asn1js.AsnType | undefined;
  const sig = checkSigned({ sigAlgOid: basic.signatureAlgorithm.algorithmId, ...(params && !(params instanceof asn1js.Null) ? { sigAlgParams: view(params.toBER()) } : {}), tbs: view(rd.tbsView), signature: view(basic.signature.valueBlock.valueHexView) }, signer);
  if (!sig.ok) fail(V.OCSP_SIGNATURE_FAILURE, `the response's signature does not verify: ${sig.detail}.`, 'RFC 6960 4.2.1, 3.2 (2)',
    'The response was altered or signed with another key than the responder certificate\'s: fetch it again from the responder.');
  else checks.push(`the response's signature verifies with the key of "${signer.label}"`);

  // ---- is the signer authorized for this issuer (ocsp_check_issuer / ocsp_check_delegated)?
  const sameKey = (a: VCert, b: VCert) => a.subjectKey === b.subjectKey && a.info.publicKey.spkiSha256 === b.info.publicKey.spkiSha256;
  if (sameKey(signer, issuer)) {
    v.responder = { subject: signer.label, kind: 'issuer', embedded: signerEmbedded };
    checks.push(`the responder is the issuer "${issuer.label}" itself (RFC 6960 4.2.2.2)`);
  } else if (!issuedBy(signer, issuer)) {
    v.responder = { subject: signer.label, kind: 'unauthorized', embedded: signerEmbedded };
    fail(V.OCSP_SIGNATURE_FAILURE, `the responder "${signer.label}" is not the issuer "${issuer.label}" and was not issued by it (it was issued by "${signer.info.issuer.opensslText}"): it may not speak for "${subject.label}".`, 'RFC 6960 4.2.2.2',
      `Use a response signed by "${issuer.label}" or by a responder certificate "${issuer.label}" issued with extendedKeyUsage OCSPSigning.`);
  } else {
    const x = extras(signer);
    v.responder = { subject: signer.label, kind: 'delegated', embedded: signerEmbedded, ...(x.extensionOids.includes(OID.ocspNoCheck) ? { noCheck: true } : {}) };
    if (!signer.extKeyUsage?.includes(OID.ocspSigning)) {
      v.responder.kind = 'unauthorized';
      fail(V.OCSP_SIGNATURE_FAILURE, `the responder "${signer.label}" was issued by "${issuer.label}" but its extendedKeyUsage (${signer.extKeyUsage?.join(', ') ?? 'absent'}) lacks id-kp-OCSPSigning: it is not a delegated responder.`, 'RFC 6960 4.2.2.2',
        `Re-issue "${signer.label}" with extendedKeyUsage OCSPSigning, or sign the responses with "${issuer.label}" itself.`);
    } else checks.push(`the responder was delegated by "${issuer.label}" (issued by it, extendedKeyUsage OCSPSigning${v.responder.noCheck ? ', id-pkix-ocsp-nocheck' : ''})`);
    const nb = new Date(signer.info.validity.notBefore);
    const na = new Date(signer.info.validity.notAfter);
    if (time < nb || time > na) fail(V.OCSP_SIGNATURE_FAILURE, `the responder certificate "${signer.label}" is valid from ${signer.info.validity.notBefore} to ${signer.info.validity.notAfter}, not at ${time.toISOString()}.`, 'RFC 6960 4.2.2.2, RFC 5280 6.1.3 (a)(2)',
      `Renew the responder certificate "${signer.label}".`);
  }

  // ---- the SingleResponse for this certificate (OCSP_resp_find_status: CertID match)
  const sx = extras(issuer);
  const serialHex = subject.info.serialHex.replace(/:/g, '');
  let single: pkijs.SingleResponse | undefined;
  const seen: string[] = [];
  for (const s of rd.responses) {
    const alg = HASHES[s.certID.hashAlgorithm.algorithmId];
    const sSerial = toHex(stripSign(view(s.certID.serialNumber.valueBlock.valueHexView)));
    seen.push(sSerial);
    if (!alg || sSerial !== serialHex) continue;
    const nameHash = toHex(createHash(alg).update(sx.subjectDer).digest());
    const kHash = toHex(createHash(alg).update(sx.publicKeyBits).digest());
    if (nameHash === toHex(view(s.certID.issuerNameHash.valueBlock.valueHexView)) && kHash === toHex(view(s.certID.issuerKeyHash.valueBlock.valueHexView))) {
      single = s;
      v.response.hashAlgorithm = alg;
      break;
    }
  }
  if (!single) {
    fail(V.OCSP_NO_RESPONSE, `none of the ${rd.responses.length} status(es) in the response is for "${subject.label}" (serial ${serialHex} issued by "${issuer.label}"); it has serial(s) ${seen.join(', ') || 'none'}.`, 'RFC 6960 4.1.1, 4.2.2.3',
      'The server staples a response for another certificate (a stale staple after a certificate change?): have it fetch a fresh one.');
    return done();
  }
  v.response.serial = serialHex;
  checks.push(`a status for serial ${serialHex} with the CertID of "${issuer.label}" (${v.response.hashAlgorithm})`);
  const cs = single.certStatus as asn1js.BaseBlock;
  const tag = cs.idBlock.tagClass === 3 ? cs.idBlock.tagNumber : -1;
  v.response.certStatus = tag === 0 ? 'good' : tag === 1 ? 'revoked' : 'unknown';
  const tu = iso(single.thisUpdate);
  const nu = iso(single.nextUpdate);
  if (tu) v.response.thisUpdate = tu;
  if (nu) v.response.nextUpdate = nu;
  if (tag === 1) {
    const parts = (cs as asn1js.Constructed).valueBlock.value ?? [];
    const t = parts[0];
    if (t instanceof asn1js.GeneralizedTime) { const rt = iso(t.toDate()); if (rt) v.response.revocationTime = rt; }
    const reason = ((parts[1] as asn1js.Constructed | undefined)?.valueBlock.value?.[0] as asn1js.Enumerated | undefined)?.valueBlock.valueDec;
    if (reason !== undefined) v.response.reason = crlReasonText(reason);
  }

  // ---- OCSP_check_validity(thisUpdate, nextUpdate, 300 s, -1)
  if (single.thisUpdate.getTime() > time.getTime() + leeway)
    fail(V.OCSP_NOT_YET_VALID, `thisUpdate is ${tu}, more than ${leeway / 1000} s after the time checked (${time.toISOString()}).`, 'RFC 6960 4.2.2.1, 3.2 (4)',
      'Check the clocks of this machine and of the responder.');
  if (single.nextUpdate && single.nextUpdate.getTime() < time.getTime() - leeway)
    fail(V.OCSP_HAS_EXPIRED, `nextUpdate was ${nu}, more than ${leeway / 1000} s before the time checked (${time.toISOString()}): the status is stale.`, 'RFC 6960 4.2.2.1, 3.2 (5)',
      'The server must refresh its staple before nextUpdate (OpenSSL servers: re-run openssl ocsp and reload; nginx/Apache: check that the stapling fetch works).');
  if (single.nextUpdate && single.nextUpdate < single.thisUpdate)
    fail(V.OCSP_RESP_INVALID, `nextUpdate (${nu}) is before thisUpdate (${tu}).`, 'RFC 6960 4.2.2.1');
  if (findings.length === 0) checks.push(`thisUpdate ${tu}${nu ? `, nextUpdate ${nu}` : ' (no nextUpdate: newer information is always available)'}: current at ${time.toISOString()}`);

  if (tag === 1) {
    v.status = 'revoked';
    // A revoked status stands even when the response is stale, as in OpenSSL; a bad signature does not count.
    const valid = !findings.some((f) => f.code === V.OCSP_SIGNATURE_FAILURE);
    if (valid) findings.unshift(finding(V.CERT_REVOKED, index, `the responder says "${subject.label}" was revoked at ${v.response.revocationTime ?? '?'}, reason: ${v.response.reason ?? 'not given'}.`, 'RFC 6960 2.2', -1,
      `Replace "${subject.label}" with a new certificate${v.response.reason === 'Key Compromise' ? ' and a new key (reason: keyCompromise)' : ''}.`));
  } else if (tag === 2 || tag === -1) {
    v.status = 'unknown';
    if (!findings.length) fail(V.OCSP_CERT_UNKNOWN, `the responder does not know "${subject.label}" (serial ${serialHex}): status unknown.`, 'RFC 6960 2.2',
      'The responder may not (yet) have this certificate in its database, or it is the wrong responder for this CA.');
  } else v.status = 'good';
  return done();
}
