// PKCS#7 / CMS SignedData bundles (RFC 2315 section 9, RFC 5652 section 5): the certificates and CRLs they carry.
import { childrenOf, contextTag, DerError, oidOf, parseDer, rawOf } from './der';
import { decodeCertificate, need } from './certificate';
import { decodeCrl } from './crl';
import type { CertificateInfo, CrlInfo } from './types';

const SIGNED_DATA = '1.2.840.113549.1.7.2';

export interface Pkcs7Contents {
  certificates: CertificateInfo[];
  certificateDers: Uint8Array[];
  crls: CrlInfo[];
}

export function decodePkcs7(der: Uint8Array, now?: Date): Pkcs7Contents {
  const root = parseDer(der, 'ContentInfo');
  const [type, content] = childrenOf(root, 'ContentInfo');
  const oid = oidOf(type, 'ContentInfo.contentType');
  if (oid !== SIGNED_DATA) throw new DerError('ContentInfo.contentType', `${oid} is not signedData`);
  const signedData = childrenOf(need(content, 'ContentInfo.content'), 'ContentInfo.content')[0];
  const fields = childrenOf(need(signedData, 'SignedData'), 'SignedData');
  const certificates: CertificateInfo[] = [];
  const certificateDers: Uint8Array[] = [];
  const crls: CrlInfo[] = [];
  for (const f of fields) {
    const tag = contextTag(f);
    if (tag === 0) {
      for (const c of childrenOf(f, 'SignedData.certificates')) {
        const bytes = rawOf(c);
        certificateDers.push(bytes);
        certificates.push(decodeCertificate(bytes, now));
      }
    } else if (tag === 1) {
      for (const c of childrenOf(f, 'SignedData.crls')) crls.push(decodeCrl(rawOf(c)));
    }
  }
  return { certificates, certificateDers, crls };
}
