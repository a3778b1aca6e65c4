// LDAP StartTLS (RFC 4511 section 4.14, RFC 4513 section 3): an ExtendedRequest with requestName
// 1.3.6.1.4.1.1466.20037; the ExtendedResponse's resultCode 0 (success) means TLS starts now. BER through asn1js.
import * as asn1js from 'asn1js';
import { shown } from '../channel';
import type { StartTlsProtocol } from './types';

export const START_TLS_OID = '1.3.6.1.4.1.1466.20037';
/** The Notice of Disconnection a server sends before closing (RFC 4511 section 4.4.1). */
export const NOTICE_OF_DISCONNECTION_OID = '1.3.6.1.4.1.1466.20036';

/** RFC 4511 section 4.1.9 result codes a StartTLS may meet. */
const RESULT_CODES: Record<number, string> = {
  0: 'success', 1: 'operationsError', 2: 'protocolError', 3: 'timeLimitExceeded', 7: 'authMethodNotSupported', 8: 'strongerAuthRequired',
  11: 'adminLimitExceeded', 12: 'unavailableCriticalExtension', 13: 'confidentialityRequired', 50: 'insufficientAccessRights',
  51: 'busy', 52: 'unavailable', 53: 'unwillingToPerform', 80: 'other',
};

export function resultCodeName(code: number): string {
  return RESULT_CODES[code] ?? `resultCode ${code}`;
}

/** LDAPMessage { messageID, [APPLICATION 23] ExtendedRequest { [0] requestName } }. */
export function encodeStartTlsRequest(messageId = 1): Uint8Array {
  const msg = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: messageId }),
      new asn1js.Constructed({
        idBlock: { tagClass: 2, tagNumber: 23 },
        value: [new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: new TextEncoder().encode(START_TLS_OID) })],
      }),
    ],
  });
  return new Uint8Array(msg.toBER());
}

/** The length of the BER element at the front of `b` (definite lengths only, as LDAP requires), or undefined while incomplete. */
export function berElementLength(b: Uint8Array): number | undefined {
  if (b.length < 2) return undefined;
  const first = b[1]!;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 4) throw new Error(`LDAPMessage.length: ${n === 0 ? 'indefinite length (not allowed in LDAP, RFC 4511 section 5.1)' : `${n} length octets`}`);
  if (b.length < 2 + n) return undefined;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[2 + i]!;
  return 2 + n + len;
}

export interface ExtendedResponse {
  messageId: number;
  resultCode: number;
  matchedDN: string;
  diagnosticMessage: string;
  responseName?: string;
}

/** An LDAPMessage holding an ExtendedResponse ([APPLICATION 24]); throws naming the field that is not as RFC 4511 section 4.12 has it. */
export function decodeExtendedResponse(der: Uint8Array): ExtendedResponse {
  const res = asn1js.fromBER(der);
  if (res.offset === -1) throw new Error(`LDAPMessage: not BER (${res.result.error})`);
  const msg = res.result;
  if (!(msg instanceof asn1js.Sequence)) throw new Error('LDAPMessage: not a SEQUENCE');
  const [id, op] = msg.valueBlock.value;
  if (!(id instanceof asn1js.Integer)) throw new Error('LDAPMessage.messageID: not an INTEGER');
  if (!op || op.idBlock.tagClass !== 2 || op.idBlock.tagNumber !== 24) throw new Error(`LDAPMessage.protocolOp: [${op ? `${op.idBlock.tagClass === 2 ? 'APPLICATION ' : ''}${op.idBlock.tagNumber}` : 'missing'}], not an ExtendedResponse ([APPLICATION 24])`);
  const parts = (op as asn1js.Constructed).valueBlock.value ?? [];
  const [code, dn, diag] = parts;
  if (!code || code.idBlock.tagClass !== 1 || code.idBlock.tagNumber !== 10) throw new Error('ExtendedResponse.resultCode: not an ENUMERATED');
  const text = (e: asn1js.AsnType | undefined, field: string) => {
    if (!e || e.idBlock.tagClass !== 1 || e.idBlock.tagNumber !== 4) throw new Error(`ExtendedResponse.${field}: not an OCTET STRING`);
    return new TextDecoder().decode((e as asn1js.OctetString).valueBlock.valueHexView);
  };
  const name = parts.find((p) => p.idBlock.tagClass === 3 && p.idBlock.tagNumber === 10);
  return {
    messageId: id.valueBlock.valueDec,
    resultCode: (code as asn1js.Enumerated).valueBlock.valueDec,
    matchedDN: text(dn, 'matchedDN'),
    diagnosticMessage: text(diag, 'diagnosticMessage'),
    ...(name ? { responseName: new TextDecoder().decode((name as asn1js.Primitive).valueBlock.valueHexView) } : {}),
  };
}

export const ldap: StartTlsProtocol = {
  name: 'ldap', title: 'LDAP (StartTLS extended operation)', spec: 'RFC 4511 section 4.14', ports: [389],
  async run({ ch }) {
    ch.send('StartTLS request', encodeStartTlsRequest(1), `ExtendedRequest messageID 1, requestName ${START_TLS_OID} (StartTLS)`);
    const r = await ch.receive('StartTLS response', (b) => {
      let len: number | undefined;
      try {
        if (b[0] !== 0x30) throw new Error(`LDAPMessage: tag 0x${b[0]!.toString(16)}, not a SEQUENCE (0x30)`);
        len = berElementLength(b);
        if (len === undefined || b.length < len) return undefined;
        const value = decodeExtendedResponse(b.subarray(0, len));
        return { length: len, text: `ExtendedResponse messageID ${value.messageId}: ${resultCodeName(value.resultCode)} (${value.resultCode})${value.diagnosticMessage ? `, "${value.diagnosticMessage}"` : ''}${value.responseName ? `, responseName ${value.responseName}` : ''}`, value };
      } catch (e) {
        ch.fail('StartTLS response', 'garbage', `${(e as Error).message}: ${shown(b)}`);
      }
    });
    if (r.responseName === NOTICE_OF_DISCONNECTION_OID || r.messageId === 0) ch.fail('StartTLS response', 'refused', `the server is disconnecting (Notice of Disconnection): ${resultCodeName(r.resultCode)}${r.diagnosticMessage ? `, "${r.diagnosticMessage}"` : ''}`);
    if (r.resultCode !== 0) ch.fail('StartTLS response', 'refused', `StartTLS was refused: ${resultCodeName(r.resultCode)} (${r.resultCode})${r.diagnosticMessage ? `, "${r.diagnosticMessage}"` : ''}`);
  },
};
