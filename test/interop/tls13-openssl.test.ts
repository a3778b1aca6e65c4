// TLS 1.3 interop with OpenSSL on 127.0.0.1, both roles: every cipher suite (RFC 8446 B.4), group
// (4.2.7) and signature scheme (4.2.3) OpenSSL speaks, HelloRetryRequest (4.1.4), client authentication
// (4.3.2), KeyUpdate (4.6.3), ALPN (RFC 7301), with application data both ways each time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from '../../engine/net/session';
import { groupByName } from '../../engine/registry/groups';
import { sigSchemeByName } from '../../engine/registry/sigschemes';
import { suiteByName } from '../../engine/registry/suites';
import type { NegotiatedSession } from '../../engine/conn/types';
import { identity, opensslClient, opensslServer, PKI, receive } from './peers';

const CCM = 'TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256';
const ALL_SUITES = `TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:${CCM}`;
const code = {
  suite: (n: string) => suiteByName(n)!.code,
  group: (n: string) => groupByName(n)!.code,
  scheme: (n: string) => sigSchemeByName(n)!.code,
};

interface ClientCase {
  name: string;
  server: string[];
  client?: Parameters<typeof connect>[0] extends infer O ? Partial<O> : never;
  expect: Partial<Pick<NegotiatedSession, 'cipherSuite' | 'group' | 'signatureScheme' | 'alpn' | 'helloRetry'>>;
  keyUpdate?: boolean;
}

/** Our client against `openssl s_server -rev` (it sends each line back reversed). */
async function ourClient(c: ClientCase): Promise<void> {
  const server = await opensslServer(['-tls1_3', '-rev', ...c.server]);
  try {
    const session = await connect({ host: '127.0.0.1', port: server.port, serverName: 'localhost', ...c.client });
    const failure = new Promise<never>((_, reject) => session.on('error', reject));
    session.begin();
    const n = await Promise.race([session.handshake(), failure]);
    for (const [k, v] of Object.entries(c.expect)) assert.equal(n[k as keyof NegotiatedSession], v, `negotiated ${k}`);
    session.write('hello from tls lens\n');
    await Promise.race([receive(session, 'snel slt morf olleh'), failure]);
    if (c.keyUpdate) {
      session.keyUpdate(true);
      session.write('after key update\n');
      await Promise.race([receive(session, 'etadpu yek retfa'), failure]);
    }
    session.end();
  } finally {
    await server.stop();
  }
}

const clientCases: ClientCase[] = [
  ...['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_CCM_SHA256', 'TLS_AES_128_CCM_8_SHA256'].map((s) => ({
    name: `suite ${s}`, server: ['-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key'), '-ciphersuites', ALL_SUITES],
    client: { cipherSuites: [code.suite(s)] }, expect: { cipherSuite: code.suite(s) },
  })),
  ...['X25519', 'X448', 'P-256', 'P-384', 'P-521', 'ffdhe2048', 'ffdhe3072', 'ffdhe4096'].map((g) => ({
    name: `group ${g}`, server: ['-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key')],
    client: { groups: [code.group(g)], keyShareGroups: [code.group(g)] }, expect: { group: code.group(g), helloRetry: false },
  })),
  ...([
    ['rsa2048', 'rsa_pss_rsae_sha256'], ['rsa-pss', 'rsa_pss_pss_sha256'], ['ec-p256', 'ecdsa_secp256r1_sha256'], ['ec-p384', 'ecdsa_secp384r1_sha384'],
    ['ec-p521', 'ecdsa_secp521r1_sha512'], ['ed25519', 'ed25519'], ['ed448', 'ed448'],
  ] as const).map(([k, s]) => ({
    name: `server key ${k}: signature ${s}`, server: ['-cert', PKI(`${k}.crt`), '-key', PKI(`${k}.key`)],
    expect: { signatureScheme: code.scheme(s) },
  })),
  ...(['rsa_pss_rsae_sha384', 'rsa_pss_rsae_sha512'] as const).map((s) => ({
    name: `RSA key signing with ${s} when only that is offered`, server: ['-cert', PKI('rsa2048.crt'), '-key', PKI('rsa2048.key')],
    client: { signatureSchemes: [code.scheme(s)] }, expect: { signatureScheme: code.scheme(s) },
  })),
  {
    name: 'HelloRetryRequest: the server accepts only P-384, our first share is X25519', server: ['-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key'), '-groups', 'P-384'],
    client: { groups: [code.group('X25519'), code.group('P-384')], keyShareGroups: [code.group('X25519')] }, expect: { group: code.group('P-384'), helloRetry: true },
  },
  {
    name: 'ALPN: the server picks http/1.1 from our h2,http/1.1', server: ['-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key'), '-alpn', 'http/1.1'],
    client: { alpn: ['h2', 'http/1.1'] }, expect: { alpn: 'http/1.1' },
  },
  {
    name: 'client authentication: s_server -Verify with our P-384 certificate', server: ['-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key'), '-Verify', '1', '-CAfile', PKI('ec-p384.crt')],
    client: (() => { const id = identity('ec-p384.crt', 'ec-p384.key'); return { certificateChain: id.chain, signer: id.signer }; })(), expect: {},
  },
  {
    name: 'KeyUpdate both ways (we ask the server to update too)', server: ['-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key')],
    expect: {}, keyUpdate: true,
  },
  {
    name: 'no middlebox compatibility mode on the server', server: ['-cert', PKI('ed25519.crt'), '-key', PKI('ed25519.key'), '-no_middlebox'],
    expect: { signatureScheme: code.scheme('ed25519') },
  },
];

for (const c of clientCases) test(`our client to openssl s_server: ${c.name}`, { timeout: 30_000 }, () => ourClient(c));

interface ServerCase {
  name: string;
  server?: Partial<Parameters<typeof createServer>[0]>;
  key?: [string, string];
  client: string[];
  expect: Partial<Pick<NegotiatedSession, 'cipherSuite' | 'group' | 'signatureScheme' | 'alpn' | 'helloRetry'>> & { clientCert?: boolean };
}

/** `openssl s_client` against our server, which echoes what it receives. */
async function ourServer(c: ServerCase): Promise<void> {
  const id = identity(...(c.key ?? ['ec-p256.crt', 'ec-p256.key']));
  let negotiated: NegotiatedSession | undefined;
  let serverError: Error | undefined;
  const server = createServer({ certificateChain: id.chain, signer: id.signer, ...c.server }, (s) => {
    s.on('secure', (n: NegotiatedSession) => (negotiated = n));
    s.on('error', (e: Error) => (serverError = e));
    s.on('data', (d: Uint8Array) => s.write(d));
    s.on('end', () => s.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const client = opensslClient(port, ['-tls1_3', '-ign_eof', ...c.client], 'ping from openssl\n');
  try {
    await client.waitFor(/ping from openssl/, 15_000).catch((e) => {
      throw new Error(`${(e as Error).message}\nserver error: ${serverError?.message ?? 'none'}`);
    });
    assert.ok(negotiated, 'our server completed the handshake');
    const { clientCert, ...rest } = c.expect;
    for (const [k, v] of Object.entries(rest)) assert.equal(negotiated![k as keyof NegotiatedSession], v, `negotiated ${k}`);
    if (clientCert !== undefined) assert.equal(negotiated!.peerCertificates.length > 0, clientCert, 'client certificate received');
    assert.match(client.output(), /TLSv1\.3/);
  } finally {
    await client.stop();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

const serverCases: ServerCase[] = [
  ...['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_CCM_SHA256', 'TLS_AES_128_CCM_8_SHA256'].map((s) => ({
    name: `suite ${s}`, client: ['-ciphersuites', s], server: { cipherSuites: [code.suite(s)] }, expect: { cipherSuite: code.suite(s) },
  })),
  ...['X25519', 'X448', 'P-256', 'P-384', 'P-521', 'ffdhe2048', 'ffdhe3072', 'ffdhe4096'].map((g) => ({
    name: `group ${g}`, client: ['-groups', g], expect: { group: code.group(g), helloRetry: false },
  })),
  ...([
    ['rsa2048', 'rsa_pss_rsae_sha256'], ['rsa-pss', 'rsa_pss_pss_sha256'], ['ec-p256', 'ecdsa_secp256r1_sha256'], ['ec-p384', 'ecdsa_secp384r1_sha384'],
    ['ec-p521', 'ecdsa_secp521r1_sha512'], ['ed25519', 'ed25519'], ['ed448', 'ed448'],
  ] as const).map(([k, s]) => ({
    name: `our key ${k}: signature ${s}`, key: [`${k}.crt`, `${k}.key`] as [string, string], client: [], expect: { signatureScheme: code.scheme(s) },
  })),
  {
    name: 'HelloRetryRequest: we accept only P-521, openssl sends an X25519 share first', client: ['-groups', 'X25519:P-521'],
    server: { groups: [code.group('P-521')] }, expect: { group: code.group('P-521'), helloRetry: true },
  },
  {
    name: 'HelloRetryRequest with a cookie (forced)', client: [], server: { forceHelloRetry: true }, expect: { helloRetry: true },
  },
  {
    name: 'ALPN: we pick h2 from openssl\'s http/1.1,h2', client: ['-alpn', 'http/1.1,h2'], server: { alpn: ['h2', 'http/1.1'] }, expect: { alpn: 'h2' },
  },
  {
    name: 'client authentication: we require a certificate, openssl sends Ed25519', client: ['-cert', PKI('ed25519.crt'), '-key', PKI('ed25519.key')],
    server: { clientAuth: 'require' }, expect: { clientCert: true },
  },
  {
    name: 'client authentication requested, openssl has none', client: [], server: { clientAuth: 'request' }, expect: { clientCert: false },
  },
  { name: 'openssl without middlebox compatibility mode', client: ['-no_middlebox'], expect: {} },
];

for (const c of serverCases) test(`openssl s_client to our server: ${c.name}`, { timeout: 30_000 }, () => ourServer(c));

test('openssl s_client -Verify... our server refuses a client without a certificate when required (certificate_required)', { timeout: 30_000 }, async () => {
  const id = identity('ec-p256.crt', 'ec-p256.key');
  let serverError: Error | undefined;
  const server = createServer({ certificateChain: id.chain, signer: id.signer, clientAuth: 'require' }, (s) => {
    s.on('error', (e: Error) => (serverError = e));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = opensslClient((server.address() as AddressInfo).port, ['-tls1_3'], 'x\n');
  try {
    await client.waitFor(/alert certificate required|certificate required/i, 15_000);
    assert.match(serverError?.message ?? '', /no certificate/);
  } finally {
    await client.stop();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
