// Certificate revocation lists (RFC 5280 section 5.1).
import * as asn1js from 'asn1js';
import { oidEntry } from '../registry/oids';
import { colonHex } from '../util/hex';
import { childrenOf, contentOf, contextTag, DerError, oidOf, parseDer } from './der';
import { need, stripSignByte, timeOf } from './certificate';
import { crlReasonText, decodeExtensions } from './extensions';
import { decodeName } from './name';
import type { CrlInfo, RevokedEntry } from './types';

export function decodeCrl(der: Uint8Array): CrlInfo {
  const root = parseDer(der, 'CertificateList');
  const [tbs, sigAlg, sig] = childrenOf(root, 'CertificateList');
  if (!tbs || !(sig instanceof asn1js.BitString)) throw new DerError('CertificateList', 'expected SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue }');
  const f = childrenOf(tbs, 'tbsCertList');
  let i = 0;
  let version = 1;
  if (f[0] instanceof asn1js.Integer) { version = Number(f[0].valueBlock.valueDec) + 1; i++; }
  if (!(f[i] instanceof asn1js.Sequence)) throw new DerError('tbsCertList.signature', 'expected an AlgorithmIdentifier');
  i++;
  const issuer = decodeName(need(f[i++], 'tbsCertList.issuer'), 'tbsCertList.issuer');
  const thisUpdate = timeOf(f[i++], 'tbsCertList.thisUpdate').toISOString();
  let nextUpdate: string | undefined;
  if (f[i] instanceof asn1js.UTCTime || f[i] instanceof asn1js.GeneralizedTime) nextUpdate = timeOf(f[i++], 'tbsCertList.nextUpdate').toISOString();
  const revoked: RevokedEntry[] = [];
  if (f[i] instanceof asn1js.Sequence) {
    for (const [k, entry] of childrenOf(f[i++]!, 'revokedCertificates').entries()) {
      const [serial, date, exts] = childrenOf(entry, `revokedCertificates[${k}]`);
      // Same form as CertificateInfo.serialHex, so a certificate's serial can be looked up here.
      const e: RevokedEntry = { serialHex: colonHex(stripSignByte(contentOf(need(serial, 'userCertificate')))), revocationDate: timeOf(date, 'revocationDate').toISOString() };
      if (exts) {
        const reason = decodeExtensions(childrenOf(exts, 'crlEntryExtensions')).find((x) => x.oid === '2.5.29.21');
        if (reason) e.reason = crlReasonText(reason.value as number);
      }
      revoked.push(e);
    }
  }
  let extensions: CrlInfo['extensions'] = [];
  if (f[i] && contextTag(f[i]!) === 0) extensions = decodeExtensions(childrenOf(childrenOf(f[i]!, 'crlExtensions')[0]!, 'crlExtensions'));
  const sigOid = oidOf(childrenOf(need(sigAlg, 'signatureAlgorithm'), 'signatureAlgorithm')[0], 'signatureAlgorithm.algorithm');
  return { version, issuer, thisUpdate, ...(nextUpdate ? { nextUpdate } : {}), signatureAlgorithm: oidEntry(sigOid)?.long ?? sigOid, signatureAlgorithmOid: sigOid, revoked, extensions };
}
