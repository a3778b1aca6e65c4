// What `tlslens scan` and the Scan Server panel show: plain data (JSON as is), names from the registries.
import type { CryptoProvider } from '../crypto/provider';
import type { VCert } from '../x509/verify';
import type { ScanProgress } from './pool';

export interface ScanOptions {
  host: string;
  port: number;
  /** SNI (default: the host, unless it is an IP address). */
  serverName?: string;
  /** Versions to try, wire codes 0x0300..0x0304 (default all five). */
  versions?: number[];
  /** Probes at once (default 4). */
  concurrency?: number;
  /** Milliseconds each probe may take, TCP connect and handshake each (default 5000). */
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (p: ScanProgress) => void;
  provider?: CryptoProvider;
  /** Trust anchors for the chain verdicts (default: the system store). */
  trusted?: VCert[];
  /** Clock for the chain verdicts (tests). */
  now?: Date;
}

/** A yes/no fact, or why it could not be found. */
export type FactStatus = 'yes' | 'no' | 'not-tested' | 'not-applicable';

export interface Fact {
  id: FeatureId;
  /** Short name: "Session resumption by ID". */
  name: string;
  status: FactStatus;
  /** What was seen (or why not tested), in a sentence. */
  detail: string;
}

export type FeatureId =
  | 'secure-renegotiation' | 'client-renegotiation' | 'extended-master-secret' | 'encrypt-then-mac'
  | 'fallback-scsv' | 'compression' | 'heartbeat' | 'ocsp-stapling'
  | 'resumption-session-id' | 'resumption-ticket' | 'resumption-tls13';

export interface VersionFact {
  /** OpenSSL's spelling: TLSv1.3, SSLv3. */
  name: string;
  code: number;
  status: FactStatus;
  detail: string;
}

export interface SuiteFact {
  code: number;
  openssl: string;
  iana: string;
  kx: string;
  /** Why the registry calls the suite weak, if it does. */
  weak?: string;
}

export interface SuitesForVersion {
  version: string;
  /** In the server's order of preference when `serverPreference`, else in the order we offered them. */
  accepted: SuiteFact[];
  /** true: the server picks by its own order; false: it follows the client's; null: not determinable (fewer than two suites). */
  serverPreference: boolean | null;
}

export interface GroupFacts {
  /** TLS 1.3 key exchange groups accepted (each offered alone, with its key share). */
  tls13: string[];
  /** TLS 1.2 (or the highest older version) ECDHE curves accepted (each offered alone). */
  ecdhe: string[];
  /** The DHE prime the server uses, in bits (TLS 1.2 and older; the server chooses it). */
  dheBits?: number;
  /** Groups the engine cannot speak, so were not offered. */
  notTested: string[];
}

export interface SigAlgFacts {
  version: string;
  /** Schemes the server signed its key exchange with when offered each alone. */
  accepted: string[];
}

export interface CertFact {
  subject: string;
  issuer: string;
  keyType: string;
  keyBits: number;
  curve?: string;
  signatureAlgorithm: string;
  notAfter: string;
  validity: string;
  sha256: string;
}

export interface ChainFact {
  /** Which offer brought it: only RSA, only ECDSA or only EdDSA signature schemes. */
  keyType: 'RSA' | 'ECDSA' | 'EdDSA';
  /** The version the probe ran at. */
  version: string;
  certificates: CertFact[];
  /** X509_V_ERR verdict against the trust anchors, with the host name. */
  verify: { ok: boolean; code: number; name: string; text: string; errorDepth: number };
}

export type Severity = 'high' | 'medium' | 'low';

export interface Weakness {
  id: string;
  severity: Severity;
  title: string;
  /** What it means and what to change, in plain words. */
  explanation: string;
}

export interface ScanReport {
  target: { host: string; port: number; serverName?: string };
  startedAt: string;
  durationMs: number;
  probes: number;
  versions: VersionFact[];
  suites: SuitesForVersion[];
  groups: GroupFacts;
  signatureAlgorithms: SigAlgFacts[];
  chains: ChainFact[];
  alpn: { offered: string; selected: boolean }[];
  features: Fact[];
  weaknesses: Weakness[];
  /** What the engine could not probe, so the scan does not claim either way. */
  notTested: string[];
}
