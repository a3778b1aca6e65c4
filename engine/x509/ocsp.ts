// A stapled OCSPResponse (RFC 6960 section 4.2.1), as it arrives in a TLS 1.3 CertificateEntry's status_request
// (RFC 8446 section 4.4.2.1), decoded with pkijs for the trace and the summary (what s_client -status prints).
// The response's signature is not checked here: this is a report; verify/ocsp.ts (checkOcspResponse) judges it.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { toHex } from '../util/hex';
import type { OcspInfo, OcspSingle } from '../conn/types';
import { crlReasonText } from './extensions';

const RESPONSE_STATUS = ['successful', 'malformedRequest', 'internalError', 'tryLater', '(4: not used)', 'sigRequired', 'unauthorized'];
const ID_PKIX_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';

function time(d: Date | undefined): string | undefined {
  return d && !Number.isNaN(d.getTime()) ? d.toISOString().replace('.000Z', 'Z') : undefined;
}

/** Decodes a DER OCSPResponse; never throws: a response that does not decode says why in `error`. */
export function decodeOcspResponse(der: Uint8Array): OcspInfo {
  const out: OcspInfo = { responseStatus: '?', responses: [], der };
  try {
    const asn = asn1js.fromBER(der);
    if (asn.offset === -1) throw new Error(asn.result.error || 'not DER');
    if (asn.offset !== der.length) throw new Error(`${der.length - asn.offset} bytes after the OCSPResponse`);
    const resp = new pkijs.OCSPResponse({ schema: asn.result });
    const status = resp.responseStatus.valueBlock.valueDec;
    out.responseStatus = RESPONSE_STATUS[status] ?? String(status);
    if (!resp.responseBytes) return out;
    out.responseType = resp.responseBytes.responseType === ID_PKIX_OCSP_BASIC ? 'basic' : resp.responseBytes.responseType;
    if (resp.responseBytes.responseType !== ID_PKIX_OCSP_BASIC) return out;
    const inner = asn1js.fromBER(resp.responseBytes.response.valueBlock.valueHexView);
    if (inner.offset === -1) throw new Error(`BasicOCSPResponse: ${inner.result.error}`);
    const basic = new pkijs.BasicOCSPResponse({ schema: inner.result });
    const produced = time(basic.tbsResponseData.producedAt);
    if (produced) out.producedAt = produced;
    out.responses = basic.tbsResponseData.responses.map((r) => singleResponse(r));
  } catch (e) {
    out.error = (e as Error).message || String(e);
  }
  return out;
}

function singleResponse(r: pkijs.SingleResponse): OcspSingle {
  const s: OcspSingle = { serial: toHex(r.certID.serialNumber.valueBlock.valueHexView).toUpperCase(), certStatus: 'unknown' };
  // CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo, unknown [2] IMPLICIT UnknownInfo }
  const cs = r.certStatus as asn1js.BaseBlock;
  const tag = cs.idBlock.tagNumber;
  if (cs.idBlock.tagClass === 3 && tag === 0) s.certStatus = 'good';
  else if (cs.idBlock.tagClass === 3 && tag === 1) {
    s.certStatus = 'revoked';
    const parts = (cs as asn1js.Constructed).valueBlock.value ?? [];
    const t = parts[0];
    if (t instanceof asn1js.GeneralizedTime) {
      const rt = time(t.toDate());
      if (rt) s.revocationTime = rt;
    }
    const reasonWrap = parts[1] as asn1js.Constructed | undefined;
    const reason = reasonWrap?.valueBlock.value?.[0] as asn1js.Enumerated | undefined;
    if (reason) s.revocationReason = crlReasonText(reason.valueBlock.valueDec);
  } else s.certStatus = 'unknown';
  const tu = time(r.thisUpdate);
  if (tu) s.thisUpdate = tu;
  const nu = time(r.nextUpdate);
  if (nu) s.nextUpdate = nu;
  return s;
}

/** One line for the trace, e.g. `OCSP response: successful (basic), produced 2025-...; serial 01..: good, ...`. */
export function ocspSummary(o: OcspInfo): string {
  if (o.error) return `OCSP response (${o.der.length} bytes) does not decode: ${o.error}`;
  const singles = o.responses.map((r) => `serial ${r.serial}: ${r.certStatus}${r.revocationTime ? ` since ${r.revocationTime}` : ''}${r.revocationReason ? ` (${r.revocationReason})` : ''}${r.thisUpdate ? `, this update ${r.thisUpdate}` : ''}${r.nextUpdate ? `, next update ${r.nextUpdate}` : ''}`);
  return `stapled OCSP response (${o.der.length} bytes): ${o.responseStatus}${o.responseType ? ` (${o.responseType})` : ''}${o.producedAt ? `, produced ${o.producedAt}` : ''}${singles.length ? `; ${singles.join('; ')}` : ''}`;
}
