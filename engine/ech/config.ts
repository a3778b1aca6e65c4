// ECH configurations as a client and a server hold them (RFC 9849 sections 4 and 6.1): choosing a usable
// ECHConfig from a list, checking its public_name (section 6.1.7), reading an ECHConfigList from a file or a
// base64 string (no DNS), the PEM file OpenSSL's ECH branch writes (PRIVATE KEY, then ECHCONFIG), and making a
// new key and config for our server.
import fs from 'node:fs';
import { generateKeyPair, hpkeAeadName, hpkeKdfName, hpkeKemName, hpkeSupported, HpkeAead, HpkeKdf, HpkeKem, publicKeyOf, x25519PrivateKeyFromPem, x25519PrivateKeyToPem } from '../crypto/hpke';
import { decodeEchConfigList, encodeEchConfig, encodeEchConfigList, ECH_VERSION, type EchConfig, type EchConfigContents, type HpkeSymmetricCipherSuite } from '../msgs/ech';
import { DecodeError } from '../msgs/reader';
import { base64ToBytes, bytesToBase64, scanPem, toPem } from '../pem/blocks';

/** The PEM label OpenSSL's ECH branch (`openssl ech -pemout`) uses for the base64 ECHConfigList. */
export const ECHCONFIG_PEM_LABEL = 'ECHCONFIG';

/** An ECHConfig this client can use, with the HPKE suite it will encrypt under. */
export interface EchChoice {
  config: EchConfig & { contents: EchConfigContents };
  suite: HpkeSymmetricCipherSuite;
}

/** Why a config of the list was passed over, for the trace. */
export interface EchSkipped {
  index: number;
  reason: string;
}

/**
 * RFC 9849 section 6.1.7: a public_name must be a host name in preferred name syntax (LDH labels of at most 63
 * octets, no leading or trailing dot), and its last label must not look like an IPv4 number. Undefined when fine.
 */
export function publicNameProblem(name: string): string | undefined {
  if (!name || name.startsWith('.') || name.endsWith('.')) return `"${name}" is empty or begins or ends with a dot`;
  const labels = name.split('.');
  for (const l of labels) {
    if (!l.length || l.length > 63) return `label "${l}" of "${name}" is empty or longer than 63 octets`;
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/.test(l)) return `label "${l}" of "${name}" is not an LDH label`;
  }
  const last = labels[labels.length - 1]!;
  if (/^[0-9]+$/.test(last) || /^0[xX][0-9A-Fa-f]*$/.test(last)) return `"${name}" ends in a label that reads as an IPv4 number`;
  return undefined;
}

/**
 * The first ECHConfig of the list (they come in the server's order of preference, section 4) whose version,
 * KEM, a cipher suite and all mandatory extensions (type with the high bit set, section 4.2) we support, and
 * whose public_name is valid; the others with the reason each was skipped.
 */
export function chooseEchConfig(list: EchConfig[]): { choice?: EchChoice; skipped: EchSkipped[] } {
  const skipped: EchSkipped[] = [];
  for (let index = 0; index < list.length; index++) {
    const c = list[index]!;
    const skip = (reason: string) => skipped.push({ index, reason });
    if (c.version !== ECH_VERSION || !c.contents) { skip(`version 0x${c.version.toString(16).padStart(4, '0')} is not 0xfe0d`); continue; }
    const k = c.contents;
    if (k.kemId !== HpkeKem.DHKEM_X25519_HKDF_SHA256) { skip(`KEM ${hpkeKemName(k.kemId)} is not supported`); continue; }
    const mandatory = k.extensions.find((e) => e.type & 0x8000);
    if (mandatory) { skip(`mandatory extension 0x${mandatory.type.toString(16).padStart(4, '0')} is not supported (RFC 9849 section 4.2)`); continue; }
    const problem = publicNameProblem(k.publicName);
    if (problem) { skip(`public_name: ${problem}`); continue; }
    const suite = k.cipherSuites.find((s) => hpkeSupported(k.kemId, s.kdfId, s.aeadId));
    if (!suite) { skip(`none of its cipher suites (${k.cipherSuites.map(suiteName).join(', ')}) is supported`); continue; }
    return { choice: { config: c as EchChoice['config'], suite }, skipped };
  }
  return { skipped };
}

export function suiteName(s: HpkeSymmetricCipherSuite): string {
  return `${hpkeKdfName(s.kdfId)}/${hpkeAeadName(s.aeadId)}`;
}

/** One line per config: `config_id 23, public_name example.com, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256/AES-128-GCM`. */
export function describeEchConfig(c: EchConfig): string {
  if (!c.contents) return `version 0x${c.version.toString(16).padStart(4, '0')} (not understood)`;
  const k = c.contents;
  return `config_id ${k.configId}, public_name ${k.publicName}, ${hpkeKemName(k.kemId)}, ${k.cipherSuites.map(suiteName).join(' ')}, maximum_name_length ${k.maximumNameLength}${k.extensions.length ? `, ${k.extensions.length} extension(s)` : ''}`;
}

/** A config as plain data for --json and the trace. */
export function echConfigSummary(c: EchConfig): { version: number; configId?: number; publicName?: string; kem?: string; cipherSuites?: string[]; maximumNameLength?: number } {
  if (!c.contents) return { version: c.version };
  const k = c.contents;
  return { version: c.version, configId: k.configId, publicName: k.publicName, kem: hpkeKemName(k.kemId), cipherSuites: k.cipherSuites.map(suiteName), maximumNameLength: k.maximumNameLength };
}

/** Thrown when an ECHConfigList (or its file) cannot be read: the message says where and why. */
export class EchConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EchConfigError';
  }
}

function decodeListOrThrow(bytes: Uint8Array, from: string): { bytes: Uint8Array; configs: EchConfig[] } {
  try {
    return { bytes, configs: decodeEchConfigList(bytes) };
  } catch (e) {
    if (e instanceof DecodeError) throw new EchConfigError(`${from}: not an ECHConfigList (RFC 9849 section 4): ${e.message}`);
    throw e;
  }
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

function fromBase64Text(text: string, from: string): Uint8Array {
  const t = text.replace(/\s+/g, '');
  if (!t || !BASE64.test(t)) throw new EchConfigError(`${from}: neither a file nor base64 text`);
  return base64ToBytes(t.replace(/-/g, '+').replace(/_/g, '/'));
}

/**
 * An ECHConfigList from `arg`: a file (binary ECHConfigList, its base64, or PEM with an ECHCONFIG block as
 * OpenSSL's ECH branch writes) or, when no such file exists, a base64 string as DNS HTTPS records carry it.
 */
export function loadEchConfigList(arg: string): { bytes: Uint8Array; configs: EchConfig[]; from: string } {
  if (fs.existsSync(arg) && fs.statSync(arg).isFile()) {
    const data = new Uint8Array(fs.readFileSync(arg));
    const text = Buffer.from(data).toString('latin1');
    if (/-----BEGIN /.test(text)) {
      const block = scanPem(text).blocks.find((b) => b.label === ECHCONFIG_PEM_LABEL);
      if (!block?.der) throw new EchConfigError(`${arg}: no readable ${ECHCONFIG_PEM_LABEL} PEM block`);
      return { ...decodeListOrThrow(block.der, arg), from: arg };
    }
    // Binary starts with the list's 2-byte length; base64 text is printable.
    if (/^[\sA-Za-z0-9+/_=-]+$/.test(text)) return { ...decodeListOrThrow(fromBase64Text(text, arg), arg), from: arg };
    return { ...decodeListOrThrow(data, arg), from: arg };
  }
  return { ...decodeListOrThrow(fromBase64Text(arg, 'the ECH config argument'), 'the ECH config argument'), from: 'the command line' };
}

/** A server's ECH key: the private key and the ECHConfig it belongs to (RFC 9849 section 7). */
export interface EchServerKey {
  privateKey: Uint8Array;
  config: EchConfig & { contents: EchConfigContents };
}

/** What a server needs for ECH: its keys, and the ECHConfigList it sends as retry_configs (section 7.1). */
export interface EchServerConfig {
  keys: EchServerKey[];
  retryConfigs: Uint8Array;
}

/**
 * A new ECH key and ECHConfig (X25519, HKDF-SHA256 with AES-128-GCM and ChaCha20-Poly1305), config_id random
 * as section 4.1 recommends.
 */
export function generateEchKey(opts: { publicName: string; maximumNameLength?: number; configId?: number }): EchServerKey {
  const problem = publicNameProblem(opts.publicName);
  if (problem) throw new EchConfigError(`public_name: ${problem} (RFC 9849 section 6.1.7)`);
  const kp = generateKeyPair();
  const contents: EchConfigContents = {
    configId: opts.configId ?? generateKeyPair().publicKey[0]!,
    kemId: HpkeKem.DHKEM_X25519_HKDF_SHA256,
    publicKey: kp.publicKey,
    cipherSuites: [{ kdfId: HpkeKdf.HKDF_SHA256, aeadId: HpkeAead.AES_128_GCM }, { kdfId: HpkeKdf.HKDF_SHA256, aeadId: HpkeAead.CHACHA20_POLY1305 }],
    maximumNameLength: opts.maximumNameLength ?? 0,
    publicName: opts.publicName,
    extensions: [],
  };
  const raw = encodeEchConfig(contents);
  return { privateKey: kp.privateKey, config: { version: ECH_VERSION, raw, contents } };
}

export function serverConfigOf(keys: EchServerKey[]): EchServerConfig {
  return { keys, retryConfigs: encodeEchConfigList(keys.map((k) => k.config.raw)) };
}

/** The ECH PEM file: the private key, then the ECHConfigList with this one config (as `openssl ech -pemout`). */
export function echKeyToPem(key: EchServerKey): string {
  return x25519PrivateKeyToPem(key.privateKey) + toPem(ECHCONFIG_PEM_LABEL, encodeEchConfigList([key.config.raw]));
}

/** Reads an ECH PEM file's key and config; the config's public key must be the private key's. */
export function echKeyFromPem(text: string, from: string): EchServerKey {
  const blocks = scanPem(text).blocks;
  const keyBlock = blocks.find((b) => b.label === 'PRIVATE KEY');
  const cfgBlock = blocks.find((b) => b.label === ECHCONFIG_PEM_LABEL);
  if (!keyBlock?.der || !cfgBlock?.der) throw new EchConfigError(`${from}: an ECH key file holds a PRIVATE KEY block and an ${ECHCONFIG_PEM_LABEL} block (as openssl ech -pemout writes); found ${blocks.map((b) => b.label).join(', ') || 'no PEM block'}`);
  let privateKey: Uint8Array;
  try {
    privateKey = x25519PrivateKeyFromPem(toPem('PRIVATE KEY', keyBlock.der));
  } catch (e) {
    throw new EchConfigError(`${from}: ${(e as Error).message}`);
  }
  const { configs } = decodeListOrThrow(cfgBlock.der, from);
  const pub = publicKeyOf(privateKey);
  const config = configs.find((c) => c.contents && Buffer.from(c.contents.publicKey).equals(Buffer.from(pub)));
  if (!config) throw new EchConfigError(`${from}: no ECHConfig in the ${ECHCONFIG_PEM_LABEL} block has the private key's public key`);
  return { privateKey, config: config as EchServerKey['config'] };
}

export function configListBase64(list: Uint8Array): string {
  return bytesToBase64(list);
}
