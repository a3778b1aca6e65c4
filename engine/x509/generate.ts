// Self-signed certificates for the demo and for `serve` when no --cert is given: an ECDSA P-256 key made
// with WebCrypto and a certificate built and signed by pkijs (RFC 5280 profile, SANs for localhost).
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { toPem } from '../pem/blocks';

export interface GeneratedIdentity {
  certPem: string;
  keyPem: string;
}

export interface GenerateOptions {
  commonName?: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  days?: number;
  notBefore?: Date;
}

function engine(): pkijs.ICryptoEngine {
  const c = globalThis.crypto;
  if (!c?.subtle) throw new Error('WebCrypto is not available in this runtime');
  return new pkijs.CryptoEngine({ name: 'webcrypto', crypto: c });
}

function ipBytes(ip: string): ArrayBuffer {
  return new Uint8Array(ip.split('.').map(Number)).buffer;
}

export async function generateSelfSigned(opts: GenerateOptions = {}): Promise<GeneratedIdentity> {
  const crypto = engine();
  const cn = opts.commonName ?? 'localhost';
  const keys = (await crypto.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = new pkijs.Certificate();
  cert.version = 2;
  const serial = globalThis.crypto.getRandomValues(new Uint8Array(16));
  // A positive INTEGER in minimal DER: top bit clear, and no leading zero byte (OpenSSL refuses "illegal padding").
  serial[0] = (serial[0]! & 0x7f) | 0x40;
  cert.serialNumber = new asn1js.Integer({ valueHex: serial.buffer });
  const name = [new pkijs.AttributeTypeAndValue({ type: '2.5.4.3', value: new asn1js.Utf8String({ value: cn }) })];
  cert.subject.typesAndValues.push(...name);
  cert.issuer.typesAndValues.push(...name.map((n) => new pkijs.AttributeTypeAndValue({ type: n.type, value: n.value })));
  const from = opts.notBefore ?? new Date(Date.now() - 60_000);
  cert.notBefore.value = from;
  cert.notAfter.value = new Date(from.getTime() + (opts.days ?? 30) * 86_400_000);
  const altNames = new pkijs.GeneralNames({
    names: [
      ...(opts.dnsNames ?? ['localhost']).map((v) => new pkijs.GeneralName({ type: 2, value: v })),
      ...(opts.ipAddresses ?? ['127.0.0.1']).map((v) => new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: ipBytes(v) }) })),
    ],
  });
  cert.extensions = [
    new pkijs.Extension({ extnID: '2.5.29.19', critical: true, extnValue: new pkijs.BasicConstraints({ cA: false }).toSchema().toBER(false) }),
    new pkijs.Extension({ extnID: '2.5.29.15', critical: true, extnValue: new asn1js.BitString({ valueHex: new Uint8Array([0x80]).buffer, unusedBits: 7 }).toBER(false) }),
    new pkijs.Extension({ extnID: '2.5.29.37', extnValue: new pkijs.ExtKeyUsage({ keyPurposes: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'] }).toSchema().toBER(false) }),
    new pkijs.Extension({ extnID: '2.5.29.17', extnValue: altNames.toSchema().toBER(false) }),
  ];
  await cert.subjectPublicKeyInfo.importKey(keys.publicKey, crypto);
  await cert.sign(keys.privateKey, 'SHA-256', crypto);
  const certDer = new Uint8Array(cert.toSchema(true).toBER(false));
  const keyDer = new Uint8Array(await globalThis.crypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { certPem: toPem('CERTIFICATE', certDer), keyPem: toPem('PRIVATE KEY', keyDer) };
}
