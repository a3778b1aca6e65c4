// Where each certificate says its revocation status can be found (RFC 5280 4.2.1.13 CRL distribution points,
// 4.2.2.1 Authority Information Access: OCSP and caIssuers), for display. Nothing is fetched.
import type { VCert } from './cert';
import { extras } from './cert-extras';

export interface RevocationPointers {
  depth: number;
  subject: string;
  label: string;
  /** CRL distribution point URIs (fullName), in order. */
  crlUrls: string[];
  /** Distribution points given otherwise (relative names, cRLIssuer, reasons), described. */
  crlOther: string[];
  /** freshestCRL (delta CRLs) present. */
  deltaCrl: boolean;
  ocspUrls: string[];
  caIssuerUrls: string[];
  /** id-pkix-ocsp-nocheck: a delegated OCSP responder that is not itself checked (RFC 6960 4.2.2.2.1). */
  ocspNoCheck: boolean;
  /** A sentence for people. */
  summary: string;
}

/** One entry per certificate of `chain` (leaf first). */
export function revocationPointers(chain: VCert[]): RevocationPointers[] {
  return chain.map((c, depth) => {
    const x = extras(c);
    const crlUrls = x.crlDps.flatMap((d) => d.uris);
    const crlOther = x.crlDps.filter((d) => !d.uris.length || d.crlIssuer || d.reasons !== 0x807f).map((d) =>
      [d.relativeName ? `relative name ${d.relativeName}` : d.fullName && !d.uris.length ? d.fullName.join(', ') : '', d.crlIssuer ? `cRLIssuer ${d.crlIssuer.join(', ')}` : '', d.reasons !== 0x807f ? `reasons 0x${d.reasons.toString(16)}` : ''].filter(Boolean).join('; '));
    const ocspNoCheck = x.extensionOids.includes('1.3.6.1.5.5.7.48.1.5');
    const selfSigned = c.subjectKey === c.issuerKey;
    const parts: string[] = [];
    if (x.ocspUrls.length) parts.push(`OCSP ${x.ocspUrls.join(', ')}`);
    if (crlUrls.length) parts.push(`CRL ${crlUrls.join(', ')}`);
    const summary = parts.length ? parts.join('; ')
      : selfSigned ? 'a root: no revocation pointers (roots are trusted or not, not revoked)'
        : 'no OCSP responder and no CRL distribution point: revocation cannot be checked online';
    return { depth, subject: c.info.subject.opensslText, label: c.label, crlUrls, crlOther, deltaCrl: x.freshest, ocspUrls: x.ocspUrls, caIssuerUrls: x.caIssuerUrls, ocspNoCheck, summary };
  });
}
