// GeneralName (RFC 5280 section 4.2.1.6) from pkijs' parsed form, printed as OpenSSL prints SANs.
import * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';
import { oidShort } from '../registry/oids';
import { toHex, view } from '../util/hex';
import { decodeName, nameSlashText } from './name';
import type { GeneralName } from './types';

export function fromPkijs(gn: pkijs.GeneralName): GeneralName {
  switch (gn.type) {
    case 1: return { type: 'email', value: String(gn.value) };
    case 2: return { type: 'dns', value: String(gn.value) };
    case 6: return { type: 'uri', value: String(gn.value) };
    case 7: return { type: 'ip', value: ipText(view((gn.value as asn1js.OctetString).valueBlock.valueHexView)) };
    case 8: return { type: 'registeredId', value: String(gn.value) };
    case 4: {
      // pkijs flattens multi-valued RDNs; the original bytes keep them (OU=A+OU=B).
      const rdn = gn.value as pkijs.RelativeDistinguishedNames;
      if (rdn.valueBeforeDecode?.byteLength) return { type: 'dirName', value: nameSlashText(decodeName(asn1js.fromBER(rdn.valueBeforeDecode).result, 'directoryName').rdns) };
      const attrs = rdn.typesAndValues.map((tv) => [{ oid: tv.type, short: oidShort(tv.type), value: String(tv.value.valueBlock.value ?? '') }]);
      return { type: 'dirName', value: nameSlashText(attrs) };
    }
    case 0: return { type: 'otherName', value: '<unsupported>' };
    default: return { type: 'otherName', value: `<type ${gn.type}>` };
  }
}

/** IPv4 dotted, IPv6 as OpenSSL 3.0 prints it (eight groups, no compression); with a mask for name constraints. */
export function ipText(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join('.');
  if (b.length === 8) return `${ipText(b.subarray(0, 4))}/${ipText(b.subarray(4))}`;
  if (b.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16).toUpperCase());
    return groups.join(':');
  }
  if (b.length === 32) return `${ipText(b.subarray(0, 16))}/${ipText(b.subarray(16))}`;
  return `<invalid ${toHex(b)}>`;
}

const LABEL: Record<GeneralName['type'], string> = {
  dns: 'DNS', ip: 'IP Address', email: 'email', uri: 'URI', dirName: 'DirName', registeredId: 'Registered ID', otherName: 'othername',
};

export function generalNameText(gn: GeneralName): string {
  return `${LABEL[gn.type]}:${gn.value}`;
}
