// The TLS cases of the bench: one certificate, one version, one suite and one group, forced on both sides of
// each engine (ours: our client and server; node:tls: Node's client and server), so every pair of rows compares
// the same protocol work. Certificates come from test/fixtures/pki.
import fs from 'node:fs';
import path from 'node:path';
import type { SessionOptions } from '../../engine/net/session';
import { NamedGroup } from '../../engine/registry/groups';
import { suiteByName } from '../../engine/registry/suites';
import { identityFromPem, type Identity } from '../../engine/tools/identity';

export interface TlsCase {
  name: string;
  certPem: string;
  keyPem: string;
  identity: Identity;
  /** Options for both our client and our server (no provider, certificate or key). */
  ours: Omit<SessionOptions, 'certificateChain' | 'signer' | 'provider'>;
  /** What our client must have negotiated. */
  version: number;
  suite: number;
  /** Options for both Node's client and server, and the IANA name of the suite Node must have negotiated. */
  node: { minVersion: NodeVersion; maxVersion: NodeVersion; ciphers: string; ecdhCurve: string };
  nodeCipher: string;
}

type NodeVersion = 'TLSv1' | 'TLSv1.2' | 'TLSv1.3';

const PKI = path.resolve('test/fixtures/pki');
const TLS10 = 0x0301;
const TLS12 = 0x0303;
const TLS13 = 0x0304;
const NODE_VERSION: Record<number, NodeVersion> = { [TLS10]: 'TLSv1', [TLS12]: 'TLSv1.2', [TLS13]: 'TLSv1.3' };

function suiteCode(name: string): number {
  const s = suiteByName(name);
  if (!s) throw new Error(`unknown suite ${name}`);
  return s.code;
}

function make(name: string, keyFile: 'ec-p256' | 'rsa2048', version: number, suiteName: string): TlsCase {
  const certPem = fs.readFileSync(path.join(PKI, `${keyFile}.crt`), 'utf8');
  const keyPem = fs.readFileSync(path.join(PKI, `${keyFile}.key`), 'utf8');
  const suite = suiteCode(suiteName);
  const tls13 = version === TLS13;
  return {
    name, certPem, keyPem, version, suite,
    identity: identityFromPem(certPem, keyPem, keyFile),
    ours: {
      minVersion: version, maxVersion: version, groups: [NamedGroup.x25519],
      ...(tls13 ? { cipherSuites: [suite] } : { cipherSuites12: [suite] }),
    },
    node: { minVersion: NODE_VERSION[version]!, maxVersion: NODE_VERSION[version]!, ciphers: suiteName, ecdhCurve: 'X25519' },
    nodeCipher: suiteByName(suiteName)!.iana,
  };
}

// Handshakes: the three the issue names.
export const ECDSA13 = make('TLS 1.3 X25519 ECDSA-P256 AES-128-GCM', 'ec-p256', TLS13, 'TLS_AES_128_GCM_SHA256');
export const RSA13 = make('TLS 1.3 X25519 RSA-2048 AES-128-GCM', 'rsa2048', TLS13, 'TLS_AES_128_GCM_SHA256');
export const RSA12 = make('TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256 X25519 RSA-2048', 'rsa2048', TLS12, 'ECDHE-RSA-AES128-GCM-SHA256');
// Bulk: the two AEADs, TLS 1.3, over the ECDSA certificate (the signature does not matter once connected).
export const BULK_GCM = make('TLS 1.3 AES-128-GCM 16 KiB writes', 'ec-p256', TLS13, 'TLS_AES_128_GCM_SHA256');
export const BULK_CHACHA = make('TLS 1.3 CHACHA20-POLY1305 16 KiB writes', 'ec-p256', TLS13, 'TLS_CHACHA20_POLY1305_SHA256');
// node-forge's case (forge.ts): TLS 1.0, RSA key exchange, AES-128-CBC with HMAC-SHA1. Servers issue no tickets
// (forge has none), so resumption is by session ID on both engines.
export const RSA10 = make('TLS 1.0 RSA AES128-SHA RSA-2048', 'rsa2048', TLS10, 'AES128-SHA');
RSA10.ours.ticketsToSend = 0;
