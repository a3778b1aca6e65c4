// OpenSSL's serverinfo files (SSL_CTX_use_serverinfo_file; s_server -serverinfo): PEM blocks
// "SERVERINFO FOR <name>" holding extension_type(2) || length(2) || data, and "SERVERINFOV2 FOR <name>" with a
// 4-byte context first. The engine takes from them what it knows how to send: the SCT list (extension 18).
import { scanPem } from '../pem/blocks';
import { Reader } from '../msgs/reader';
import { ExtensionType } from '../registry/extensions';

export interface ServerInfoExtension {
  /** SSL_EXT_* context bits of a V2 block; undefined for V1 (ClientHello/ServerHello of TLS 1.2 and below). */
  context?: number;
  type: number;
  data: Uint8Array;
}

export function parseServerInfo(text: string): ServerInfoExtension[] {
  const out: ServerInfoExtension[] = [];
  const { blocks } = scanPem(text);
  const ours = blocks.filter((b) => /^SERVERINFO(V2)? FOR /.test(b.label));
  if (!ours.length) throw new Error('no "BEGIN SERVERINFO FOR ..." or "BEGIN SERVERINFOV2 FOR ..." block');
  for (const b of ours) {
    if (!b.der) throw new Error(`line ${b.range.startLine + 1}: ${b.problem?.message ?? `the ${b.label} block does not decode`}`);
    const v2 = b.label.startsWith('SERVERINFOV2');
    const r = new Reader(b.der, b.label);
    while (!r.atEnd()) {
      const context = v2 ? r.u32('context') : undefined;
      const type = r.u16('extension_type');
      const data = r.opaque16('extension_data');
      out.push({ ...(context !== undefined ? { context } : {}), type, data });
    }
  }
  return out;
}

/** The SerializedSCTs of a serverinfo's signed_certificate_timestamp extension (RFC 6962 section 3.3). */
export function sctsFromServerInfo(exts: ServerInfoExtension[]): Uint8Array[] {
  const e = exts.find((x) => x.type === ExtensionType.signed_certificate_timestamp);
  if (!e) return [];
  const r = new Reader(e.data, 'SignedCertificateTimestampList');
  const list = r.vec16('sct_list', 1);
  const scts: Uint8Array[] = [];
  while (!list.atEnd()) scts.push(list.opaque16('SerializedSCT', 1));
  r.end();
  return scts;
}
