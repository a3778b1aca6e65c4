// What-if replays: a session's settings with exactly one thing changed (the version range, the suites, groups or
// signature algorithms offered, SNI, ALPN, the client certificate, or, for our own server, a certificate of the chain
// dropped or the chain reordered), so the replay differs from the first run in that one respect and the comparison
// reads as cause and effect. Pure: names are checked against the registries, the input is never modified.
import { groupByName } from '../registry/groups';
import { sigSchemeByName } from '../registry/sigschemes';
import { suiteByName } from '../registry/suites';
import { versionByName } from '../registry/versions';

/** The settings a replay may change, in OpenSSL's spellings (as Connect to Host profiles and the CLI take them). */
export interface WhatIfConfig {
  minVersion?: string;
  maxVersion?: string;
  cipherSuites?: string[];
  groups?: string[];
  signatureAlgorithms?: string[];
  /** SNI; an empty string sends none. */
  serverName?: string;
  alpn?: string[];
  /** Where the client certificate comes from (a file or editor URI); absent for none. */
  clientCertificate?: string;
  /** Our server's chain, leaf first (DER): served sessions only. */
  chain?: Uint8Array[];
}

export type WhatIfChange =
  | { kind: 'versions'; min: string; max: string }
  | { kind: 'cipherSuites'; list: string[] }
  | { kind: 'groups'; list: string[] }
  | { kind: 'signatureAlgorithms'; list: string[] }
  /** null: send no SNI. */
  | { kind: 'serverName'; value: string | null }
  /** Empty: offer no ALPN. */
  | { kind: 'alpn'; list: string[] }
  /** null: no client certificate. */
  | { kind: 'clientCertificate'; value: string | null }
  /** Our server leaves out the certificate at `index` (1 = the first intermediate). */
  | { kind: 'dropCertificate'; index: number }
  /** Our server sends the chain in this order of the original indexes (a permutation; the leaf may move too). */
  | { kind: 'reorderChain'; order: number[] };

export class WhatIfError extends Error {
  constructor(readonly field: WhatIfChange['kind'], message: string) {
    super(`what-if ${field}: ${message}`);
    this.name = 'WhatIfError';
  }
}

/** TLS and DTLS versions as OpenSSL spells them (SSLv3 .. TLSv1.3), low to high. */
const TLS_VERSIONS = ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

function checkNames(field: WhatIfChange['kind'], list: string[], known: (n: string) => unknown, what: string): string[] {
  if (!Array.isArray(list) || !list.length) throw new WhatIfError(field, `give at least one ${what}`);
  for (const n of list) if (typeof n !== 'string' || !known(n)) throw new WhatIfError(field, `unknown ${what} "${String(n)}"`);
  return [...list];
}

/** The config with `change` applied; throws WhatIfError naming the field for a name or index that does not fit. */
export function applyWhatIf(config: WhatIfConfig, change: WhatIfChange): WhatIfConfig {
  const out: WhatIfConfig = {
    ...config,
    ...(config.cipherSuites ? { cipherSuites: [...config.cipherSuites] } : {}),
    ...(config.groups ? { groups: [...config.groups] } : {}),
    ...(config.signatureAlgorithms ? { signatureAlgorithms: [...config.signatureAlgorithms] } : {}),
    ...(config.alpn ? { alpn: [...config.alpn] } : {}),
    ...(config.chain ? { chain: [...config.chain] } : {}),
  };
  switch (change.kind) {
    case 'versions': {
      const lo = TLS_VERSIONS.indexOf(change.min);
      const hi = TLS_VERSIONS.indexOf(change.max);
      if (lo < 0 || !versionByName(change.min)) throw new WhatIfError('versions', `"${change.min}" is not a TLS version (${TLS_VERSIONS.join(', ')})`);
      if (hi < 0 || !versionByName(change.max)) throw new WhatIfError('versions', `"${change.max}" is not a TLS version (${TLS_VERSIONS.join(', ')})`);
      if (lo > hi) throw new WhatIfError('versions', `the minimum ${change.min} is above the maximum ${change.max}`);
      out.minVersion = change.min;
      out.maxVersion = change.max;
      return out;
    }
    case 'cipherSuites':
      out.cipherSuites = checkNames('cipherSuites', change.list, suiteByName, 'cipher suite');
      return out;
    case 'groups':
      out.groups = checkNames('groups', change.list, groupByName, 'group');
      return out;
    case 'signatureAlgorithms':
      out.signatureAlgorithms = checkNames('signatureAlgorithms', change.list, sigSchemeByName, 'signature algorithm');
      return out;
    case 'serverName':
      if (change.value !== null && (typeof change.value !== 'string' || !/^[A-Za-z0-9.*_-]{1,253}$/.test(change.value)))
        throw new WhatIfError('serverName', `"${String(change.value)}" is not a host name`);
      out.serverName = change.value ?? '';
      return out;
    case 'alpn':
      for (const p of change.list) if (typeof p !== 'string' || !p.length || new TextEncoder().encode(p).length > 255) throw new WhatIfError('alpn', `"${String(p)}" is not an ALPN protocol name (1 to 255 bytes)`);
      if (change.list.length) out.alpn = [...change.list];
      else delete out.alpn;
      return out;
    case 'clientCertificate':
      if (change.value === null) delete out.clientCertificate;
      else if (typeof change.value === 'string' && change.value.length) out.clientCertificate = change.value;
      else throw new WhatIfError('clientCertificate', 'give the file holding the certificate and its key, or none');
      return out;
    case 'dropCertificate': {
      const chain = config.chain;
      if (!chain?.length) throw new WhatIfError('dropCertificate', 'only our own server\'s chain can be changed, and this session has none');
      if (!Number.isInteger(change.index) || change.index < 1 || change.index >= chain.length)
        throw new WhatIfError('dropCertificate', `index ${change.index} is not a certificate after the leaf (1..${chain.length - 1})`);
      out.chain = chain.filter((_, i) => i !== change.index);
      return out;
    }
    case 'reorderChain': {
      const chain = config.chain;
      if (!chain?.length) throw new WhatIfError('reorderChain', 'only our own server\'s chain can be changed, and this session has none');
      const o = change.order;
      const isPermutation = Array.isArray(o) && o.length === chain.length && [...o].sort((a, b) => a - b).every((x, i) => x === i);
      if (!isPermutation) throw new WhatIfError('reorderChain', `[${String(o)}] is not an order of the ${chain.length} certificates (0..${chain.length - 1}, each once)`);
      if (o.every((x, i) => x === i)) throw new WhatIfError('reorderChain', 'that is the order the chain already has');
      out.chain = o.map((i) => chain[i]!);
      return out;
    }
  }
}

/** One line naming the change (English; the extension words its own). */
export function describeWhatIf(change: WhatIfChange): string {
  switch (change.kind) {
    case 'versions':
      return change.min === change.max ? `only ${change.min}` : `${change.min} to ${change.max}`;
    case 'cipherSuites':
      return `cipher suites ${change.list.join(', ')}`;
    case 'groups':
      return `groups ${change.list.join(', ')}`;
    case 'signatureAlgorithms':
      return `signature algorithms ${change.list.join(', ')}`;
    case 'serverName':
      return change.value === null ? 'no SNI' : `SNI ${change.value}`;
    case 'alpn':
      return change.list.length ? `ALPN ${change.list.join(', ')}` : 'no ALPN';
    case 'clientCertificate':
      return change.value === null ? 'no client certificate' : `client certificate ${change.value}`;
    case 'dropCertificate':
      return `certificate ${change.index} of the chain left out`;
    case 'reorderChain':
      return `chain sent in the order ${change.order.join(', ')}`;
  }
}

/**
 * The chain changes worth offering for our server: each certificate after the leaf left out, the certificates after
 * the leaf reversed, and the leaf moved last (the mistakes a hand-assembled chain file makes).
 */
export function chainChanges(chainLength: number): WhatIfChange[] {
  const out: WhatIfChange[] = [];
  for (let i = 1; i < chainLength; i++) out.push({ kind: 'dropCertificate', index: i });
  if (chainLength >= 3) out.push({ kind: 'reorderChain', order: [0, ...Array.from({ length: chainLength - 1 }, (_, i) => chainLength - 1 - i)] });
  if (chainLength >= 2) out.push({ kind: 'reorderChain', order: [...Array.from({ length: chainLength - 1 }, (_, i) => i + 1), 0] });
  return out;
}
