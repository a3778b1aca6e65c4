// TLS 1.3 interop with Node's own `tls` module (the OpenSSL linked into Node, not the system one), both roles on
// 127.0.0.1: every cipher suite (RFC 8446 B.4, CCM through `ciphers`), group (4.2.7, through `ecdhCurve`) and
// key type (4.2.3), HelloRetryRequest (4.1.4), ALPN (RFC 7301), client authentication (4.3.2), KeyUpdate
// (4.6.3) and session tickets (4.6.1), with application data both ways each time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type ConnectOptions } from '../../engine/net/session';
import { groupByName } from '../../engine/registry/groups';
import { sigSchemeByName } from '../../engine/registry/sigschemes';
import { suiteByName } from '../../engine/registry/suites';
import type { NegotiatedSession } from '../../engine/conn/types';
import type { TraceEvent } from '../../engine/trace/events';
import { identity, readPem, receive } from './peers';

const code = {
  suite: (n: string) => suiteByName(n)!.code,
  group: (n: string) => groupByName(n)!.code,
  scheme: (n: string) => sigSchemeByName(n)!.code,
};

const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_CCM_SHA256', 'TLS_AES_128_CCM_8_SHA256'];
/** Node's `ciphers` takes TLS 1.3 suites by their TLS_ names (Node's default list has no CCM). */
const ALL_SUITES = SUITES.join(':');
/** ecdhCurve names (OpenSSL's group list syntax), which are also our registry's OpenSSL names. */
const GROUPS = ['X25519', 'X448', 'P-256', 'P-384', 'P-521', 'ffdhe2048', 'ffdhe3072', 'ffdhe4096'];
const KEYS = [
  ['rsa2048', 'rsa_pss_rsae_sha256'], ['rsa-pss', 'rsa_pss_pss_sha256'], ['ec-p256', 'ecdsa_secp256r1_sha256'], ['ec-p384', 'ecdsa_secp384r1_sha384'],
  ['ec-p521', 'ecdsa_secp521r1_sha512'], ['ed25519', 'ed25519'], ['ed448', 'ed448'],
] as const;

/** Reads from a Node TLS socket until `want` has arrived. */
function receiveNode(s: tls.TLSSocket, want: string, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const timer = setTimeout(() => reject(new Error(`node did not receive ${JSON.stringify(want)}; got ${JSON.stringify(got)}`)), ms);
    const onData = (d: Buffer) => {
      got += d.toString('utf8');
      if (got.includes(want)) {
        clearTimeout(timer);
        s.off('data', onData);
        resolve(got);
      }
    };
    s.on('data', onData);
    s.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

type Expect = Partial<Pick<NegotiatedSession, 'cipherSuite' | 'group' | 'signatureScheme' | 'alpn' | 'helloRetry'>>;

// ---------------------------------------------------------------------------------------------------------
// Our client against a node:tls server that echoes

interface NodeServerSide {
  protocol: string | null;
  cipher: string;
  alpn: string | false | null;
  authorized: boolean;
  peerSubject?: string;
  received: string;
}

interface ClientCase {
  name: string;
  /** The node server's certificate and key (fixture base name; default ec-p256). */
  key?: string;
  server?: tls.TlsOptions;
  client?: Partial<ConnectOptions>;
  expect: Expect;
  keyUpdate?: boolean;
  /** Checks on what the node server saw. */
  nodeSaw?: (n: NodeServerSide) => void;
  /** Handshake messages our client must have seen, as `in:new_session_ticket`. */
  messages?: string[];
}

async function ourClient(c: ClientCase): Promise<void> {
  const key = c.key ?? 'ec-p256';
  const sides: NodeServerSide[] = [];
  const nodeErrors: Error[] = [];
  const server = tls.createServer({ key: readPem(`${key}.key`), cert: readPem(`${key}.crt`), minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ciphers: ALL_SUITES, ...c.server }, (s) => {
    const side: NodeServerSide = {
      protocol: s.getProtocol(), cipher: s.getCipher().standardName, alpn: s.alpnProtocol, authorized: s.authorized,
      peerSubject: String(s.getPeerCertificate()?.subject?.CN ?? '') || undefined, received: '',
    };
    sides.push(side);
    s.on('data', (d: Buffer) => {
      side.received += d.toString('utf8');
      s.write(d);
    });
    s.on('error', (e) => nodeErrors.push(e));
    s.on('end', () => s.end());
  });
  server.on('tlsClientError', (e) => nodeErrors.push(e));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const messages: string[] = [];
  const keys: string[] = [];
  const context = () => `\nour client's handshake messages: ${messages.join(' ')}\nnode server errors: ${nodeErrors.map((e) => e.message).join('; ') || 'none'}`;
  try {
    const session = await connect({ host: '127.0.0.1', port, serverName: `${key}.example.com`, ...c.client });
    session.on('trace', (e: TraceEvent) => {
      if (e.kind === 'handshake') messages.push(`${e.dir}:${e.name}`);
      if (e.kind === 'keys') keys.push(`${e.dir}:${e.epoch}:${e.generation}`);
    });
    const failure = new Promise<never>((_, reject) => session.on('error', reject));
    session.begin();
    const n = await Promise.race([session.handshake(), failure]).catch((e) => assert.fail(`${(e as Error).message}${context()}`));
    for (const [k, v] of Object.entries(c.expect)) assert.equal(n[k as keyof NegotiatedSession], v, `negotiated ${k}${context()}`);
    assert.equal(n.peerCertificates.length, 1, 'the node server\'s certificate');
    session.write('hello from tls lens\n');
    await Promise.race([receive(session, 'hello from tls lens\n'), failure]).catch((e) => assert.fail(`${(e as Error).message}${context()}`));
    if (c.keyUpdate) {
      session.keyUpdate(true);
      session.write('after key update\n');
      await Promise.race([receive(session, 'after key update\n'), failure]).catch((e) => assert.fail(`${(e as Error).message}${context()}`));
      assert.ok(keys.includes('write:application:1'), `our write keys were updated (${keys.join(' ')})`);
      assert.ok(keys.includes('read:application:1'), `our read keys were updated after node's KeyUpdate (${keys.join(' ')})`);
    }
    session.end();
    assert.equal(sides.length, 1, `the node server saw one secure connection${context()}`);
    const side = sides[0]!;
    assert.equal(side.protocol, 'TLSv1.3');
    if (c.expect.cipherSuite !== undefined) assert.equal(side.cipher, SUITES.find((s) => code.suite(s) === c.expect.cipherSuite), 'the node server\'s cipher');
    assert.match(side.received, /hello from tls lens\n/);
    c.nodeSaw?.(side);
    for (const m of c.messages ?? []) assert.ok(messages.includes(m), `our client saw ${m}${context()}`);
    assert.deepEqual(nodeErrors, [], `no error on the node server${context()}`);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
}

const clientCases: ClientCase[] = [
  ...SUITES.map((s) => ({ name: `suite ${s}`, client: { cipherSuites: [code.suite(s)] }, expect: { cipherSuite: code.suite(s) } })),
  ...GROUPS.map((g) => ({
    name: `group ${g} (node ecdhCurve ${g})`, server: { ecdhCurve: g }, client: { groups: [code.group(g)], keyShareGroups: [code.group(g)] },
    expect: { group: code.group(g), helloRetry: false },
  })),
  ...KEYS.map(([k, s]) => ({ name: `node server key ${k}: signature ${s}`, key: k, expect: { signatureScheme: code.scheme(s) } })),
  {
    name: 'HelloRetryRequest: node ecdhCurve P-384, our first share is X25519', server: { ecdhCurve: 'P-384' },
    client: { groups: [code.group('X25519'), code.group('P-384')], keyShareGroups: [code.group('X25519')] }, expect: { group: code.group('P-384'), helloRetry: true },
  },
  {
    name: 'ALPN: node picks http/1.1 from our h2,http/1.1', server: { ALPNProtocols: ['http/1.1'] },
    client: { alpn: ['h2', 'http/1.1'] }, expect: { alpn: 'http/1.1' }, nodeSaw: (n) => assert.equal(n.alpn, 'http/1.1'),
  },
  ...([['ec-p384', 'ecdsa_secp384r1_sha384'], ['ed448', 'ed448'], ['rsa-pss', 'rsa_pss_pss_sha256']] as const).map(([k]) => ({
    name: `client authentication: node requires and verifies our ${k} certificate`,
    server: { requestCert: true, rejectUnauthorized: true, ca: [readPem(`${k}.crt`)] },
    client: (() => { const id = identity(`${k}.crt`, `${k}.key`); return { certificateChain: id.chain, signer: id.signer }; })(),
    expect: {}, messages: ['in:certificate_request', 'out:certificate', 'out:certificate_verify'],
    nodeSaw: (n: NodeServerSide) => {
      assert.equal(n.authorized, true, 'node verified our certificate');
      assert.equal(n.peerSubject, `${k}.example.com`);
    },
  })),
  {
    name: 'client certificate requested by node (not required), we have none', server: { requestCert: true, rejectUnauthorized: false },
    expect: {}, messages: ['in:certificate_request', 'out:certificate'], nodeSaw: (n) => assert.equal(n.authorized, false),
  },
  { name: 'KeyUpdate both ways (we ask node to update too)', expect: {}, keyUpdate: true, messages: ['out:key_update', 'in:key_update'] },
  { name: 'session tickets: node sends them after the handshake and our client takes them in its stride', expect: {}, messages: ['in:new_session_ticket'] },
];

for (const c of clientCases) test(`our client to node:tls server: ${c.name}`, { timeout: 30_000 }, () => ourClient(c));

// ---------------------------------------------------------------------------------------------------------
// node:tls client against our server, which echoes

interface NodeClientSide {
  protocol: string | null;
  cipher: string;
  alpn: string | false | null;
  authorized: boolean;
  ephemeral: tls.EphemeralKeyInfo | object;
  sessions: number;
}

interface ServerCase {
  name: string;
  server?: Partial<Parameters<typeof createServer>[0]>;
  /** Our certificate and key (fixture base name; default ec-p256). */
  key?: string;
  client?: tls.ConnectionOptions;
  expect: Expect & { clientCert?: boolean };
  /** Our server sends a KeyUpdate (update_requested) after the first data. */
  keyUpdate?: boolean;
  nodeSaw?: (n: NodeClientSide) => void;
  messages?: string[];
}

async function ourServer(c: ServerCase): Promise<void> {
  const key = c.key ?? 'ec-p256';
  const id = identity(`${key}.crt`, `${key}.key`);
  let negotiated: NegotiatedSession | undefined;
  let serverError: Error | undefined;
  const messages: string[] = [];
  const keys: string[] = [];
  let updated = false;
  const server = createServer({ certificateChain: id.chain, signer: id.signer, ...c.server }, (s) => {
    s.on('trace', (e: TraceEvent) => {
      if (e.kind === 'handshake') messages.push(`${e.dir}:${e.name}`);
      if (e.kind === 'keys') keys.push(`${e.dir}:${e.epoch}:${e.generation}`);
    });
    s.on('secure', (n: NegotiatedSession) => (negotiated = n));
    s.on('error', (e: Error) => (serverError = e));
    s.on('data', (d: Uint8Array) => {
      s.write(d);
      if (c.keyUpdate && !updated) {
        updated = true;
        s.keyUpdate(true);
      }
    });
    s.on('end', () => s.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const context = () => `\nour server error: ${serverError?.message ?? 'none'}\nour server's handshake messages: ${messages.join(' ')}`;
  let sessions = 0;
  const socket = tls.connect({
    host: '127.0.0.1', port, servername: `${key}.example.com`, ca: [readPem(`${key}.crt`)], minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ciphers: ALL_SUITES,
    ...c.client,
  });
  socket.on('session', () => sessions++);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    }).catch((e) => assert.fail(`node: ${(e as Error).message}${context()}`));
    socket.write('ping from node\n');
    await receiveNode(socket, 'ping from node\n').catch((e) => assert.fail(`${(e as Error).message}${context()}`));
    if (c.keyUpdate) {
      await new Promise((r) => setTimeout(r, 100));
      socket.write('after key update\n');
      await receiveNode(socket, 'after key update\n').catch((e) => assert.fail(`${(e as Error).message}${context()}`));
      assert.ok(keys.includes('write:application:1'), `our server's write keys were updated (${keys.join(' ')})`);
      assert.ok(keys.includes('read:application:1'), `our server's read keys were updated after node's KeyUpdate (${keys.join(' ')})`);
    }
    const side: NodeClientSide = {
      protocol: socket.getProtocol(), cipher: socket.getCipher().standardName, alpn: socket.alpnProtocol, authorized: socket.authorized,
      ephemeral: socket.getEphemeralKeyInfo() ?? {}, sessions,
    };
    assert.ok(negotiated, `our server completed the handshake${context()}`);
    const { clientCert, ...rest } = c.expect;
    for (const [k, v] of Object.entries(rest)) assert.equal(negotiated![k as keyof NegotiatedSession], v, `negotiated ${k}${context()}`);
    if (clientCert !== undefined) assert.equal(negotiated!.peerCertificates.length > 0, clientCert, `client certificate received${context()}`);
    assert.equal(side.protocol, 'TLSv1.3');
    assert.equal(side.authorized, true, `node verified our certificate: ${socket.authorizationError ?? ''}`);
    c.nodeSaw?.(side);
    for (const m of c.messages ?? []) assert.ok(messages.includes(m), `our server saw ${m}${context()}`);
    assert.equal(serverError, undefined, `no error on our server${context()}`);
  } finally {
    socket.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

/** Node's name for an ephemeral key: `X25519`, `prime256v1`... for ECDH, and the size for DH. */
const NODE_EPHEMERAL: Record<string, { type: string; name?: string; size: number }> = {
  X25519: { type: 'ECDH', name: 'X25519', size: 253 }, X448: { type: 'ECDH', name: 'X448', size: 448 },
  'P-256': { type: 'ECDH', name: 'prime256v1', size: 256 }, 'P-384': { type: 'ECDH', name: 'secp384r1', size: 384 }, 'P-521': { type: 'ECDH', name: 'secp521r1', size: 521 },
  ffdhe2048: { type: 'DH', size: 2048 }, ffdhe3072: { type: 'DH', size: 3072 }, ffdhe4096: { type: 'DH', size: 4096 },
};

const serverCases: ServerCase[] = [
  ...SUITES.map((s) => ({
    name: `suite ${s}`, client: { ciphers: s }, server: { cipherSuites: [code.suite(s)] }, expect: { cipherSuite: code.suite(s) },
    nodeSaw: (n: NodeClientSide) => assert.equal(n.cipher, s),
  })),
  ...GROUPS.map((g) => ({
    name: `group ${g} (node ecdhCurve ${g})`, client: { ecdhCurve: g }, expect: { group: code.group(g), helloRetry: false },
    nodeSaw: (n: NodeClientSide) => assert.deepEqual(n.ephemeral, NODE_EPHEMERAL[g]),
  })),
  ...KEYS.map(([k, s]) => ({ name: `our key ${k}: signature ${s}`, key: k, expect: { signatureScheme: code.scheme(s) } })),
  {
    name: 'HelloRetryRequest: we accept only P-521, node (ecdhCurve X25519:P-521) sends an X25519 share', client: { ecdhCurve: 'X25519:P-521' },
    server: { groups: [code.group('P-521')] }, expect: { group: code.group('P-521'), helloRetry: true },
    nodeSaw: (n) => assert.deepEqual(n.ephemeral, NODE_EPHEMERAL['P-521']), messages: ['out:hello_retry_request'],
  },
  {
    name: 'HelloRetryRequest with only a cookie (forced)', server: { forceHelloRetry: true }, expect: { helloRetry: true }, messages: ['out:hello_retry_request'],
  },
  {
    name: 'ALPN: we pick h2 from node\'s http/1.1,h2', client: { ALPNProtocols: ['http/1.1', 'h2'] }, server: { alpn: ['h2', 'http/1.1'] }, expect: { alpn: 'h2' },
    nodeSaw: (n) => assert.equal(n.alpn, 'h2'),
  },
  ...(['ed25519', 'ec-p521', 'rsa2048', 'ed448'] as const).map((k) => ({
    name: `client authentication: we require a certificate, node sends ${k}`, client: { key: readPem(`${k}.key`), cert: readPem(`${k}.crt`) },
    server: { clientAuth: 'require' as const }, expect: { clientCert: true }, messages: ['in:certificate', 'in:certificate_verify'],
  })),
  { name: 'client authentication requested, node has none', server: { clientAuth: 'request' }, expect: { clientCert: false } },
  {
    name: 'KeyUpdate from our server (update_requested), node answers with its own', keyUpdate: true, expect: {},
    messages: ['out:key_update', 'in:key_update'],
  },
];

for (const c of serverCases) test(`node:tls client to our server: ${c.name}`, { timeout: 30_000 }, () => ourServer(c));

test('node:tls client without a certificate: our server requires one and ends the handshake with certificate_required', { timeout: 30_000 }, async () => {
  const id = identity('ec-p256.crt', 'ec-p256.key');
  let serverError: Error | undefined;
  const server = createServer({ certificateChain: id.chain, signer: id.signer, clientAuth: 'require' }, (s) => {
    s.on('error', (e: Error) => (serverError = e));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const socket = tls.connect({
    host: '127.0.0.1', port: (server.address() as AddressInfo).port, servername: 'ec-p256.example.com', ca: [readPem('ec-p256.crt')], minVersion: 'TLSv1.3',
  });
  try {
    // In TLS 1.3 the client's handshake is done before the server judges its (empty) Certificate: the alert
    // arrives after secureConnect, on the first read.
    const err = await new Promise<Error>((resolve) => {
      socket.on('error', resolve);
      socket.on('secureConnect', () => socket.write('x\n'));
    });
    assert.match(`${(err as NodeJS.ErrnoException).code} ${err.message}`, /CERTIFICATE_REQUIRED|certificate required/i);
    assert.match(serverError?.message ?? '', /no certificate/);
  } finally {
    socket.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
