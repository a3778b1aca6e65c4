// PKCS#10 certificate requests (RFC 2986 section 4).
import * as asn1js from 'asn1js';
import { oidEntry, oidLong } from '../registry/oids';
import { childrenOf, DerError, oidOf, parseDer, stringOf } from './der';
import { need } from './certificate';
import { decodeExtensions, subjectAltNames } from './extensions';
import { decodeName } from './name';
import { decodeSpki } from './public-key';
import type { CsrInfo, ExtensionInfo } from './types';

const EXTENSION_REQUEST = '1.2.840.113549.1.9.14';

export function decodeCsr(der: Uint8Array): CsrInfo {
  const root = parseDer(der, 'CertificationRequest');
  const [info, sigAlg] = childrenOf(root, 'CertificationRequest');
  const f = childrenOf(need(info, 'certificationRequestInfo'), 'certificationRequestInfo');
  const [v, name, spki, attrs] = f;
  if (!(v instanceof asn1js.Integer)) throw new DerError('certificationRequestInfo.version', 'expected an INTEGER');
  const subject = decodeName(need(name, 'certificationRequestInfo.subject'), 'certificationRequestInfo.subject');
  const publicKey = decodeSpki(need(spki, 'certificationRequestInfo.subjectPKInfo'), 'certificationRequestInfo.subjectPKInfo');
  let extensions: ExtensionInfo[] = [];
  const attributes: CsrInfo['attributes'] = [];
  for (const [k, attr] of (attrs ? childrenOf(attrs, 'attributes') : []).entries()) {
    const [type, values] = childrenOf(attr, `attributes[${k}]`);
    const oid = oidOf(type, `attributes[${k}].type`);
    const vals = childrenOf(need(values, `attributes[${k}].values`), `attributes[${k}].values`);
    if (oid === EXTENSION_REQUEST && vals[0]) extensions = decodeExtensions(childrenOf(vals[0], 'extensionRequest'));
    else attributes.push({ oid, name: oidLong(oid), values: vals.map(stringOf) });
  }
  const sigOid = oidOf(childrenOf(need(sigAlg, 'signatureAlgorithm'), 'signatureAlgorithm')[0], 'signatureAlgorithm.algorithm');
  return {
    version: Number(v.valueBlock.valueDec) + 1,
    subject,
    publicKey,
    signatureAlgorithm: oidEntry(sigOid)?.long ?? sigOid,
    signatureAlgorithmOid: sigOid,
    extensions,
    subjectAltNames: subjectAltNames(extensions),
    attributes,
  };
}
