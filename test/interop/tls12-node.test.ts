// TLS 1.2, 1.1 and 1.0 interop with Node's own `tls` module, both roles on 127.0.0.1: suites of each key exchange
// (ECDHE-ECDSA, ECDHE-RSA, DHE-RSA, RSA) and cipher family (GCM, ChaCha20-Poly1305, CBC), RSA and ECDSA
// certificates, client authentication, ALPN, SNI, and resumption by ticket (RFC 5077) and by session ID, with
// application data both ways each time and the version and suite checked on both sides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { ConnectOptions, SessionOptions } from '../../engine/net/session';
import type { ClientSession } from '../../engine/conn/session-ticket';
import { suiteByName, SUITES } from '../../engine/registry/suites';
import { groupByName } from '../../engine/registry/groups';
import type { NegotiatedSession } from '../../engine/conn/types';
import { identity, ourClientHandshake, ourEchoServer, readPem, receive } from './peers';

const V = { 'TLSv1': 0x0301, 'TLSv1.1': 0x0302, 'TLSv1.2': 0x0303 } as const;
type Ver = keyof typeof V;
const suite = (n: string) => suiteByName(n)!.code;
const ALL_12 = SUITES.filter((s) => s.versions !== 'tls13' && !s.weak).map((s) => s.code);

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

function checkOurs(n: NegotiatedSession, version: Ver, suiteName: string, context = ''): void {
  assert.equal(n.version, V[version], `our version${context}`);
  assert.equal(n.cipherSuite, suite(suiteName), `our suite${context}`);
}

// ---------------------------------------------------------------------------------------------------------
// Our client against a node:tls server that echoes

interface NodeServerSide {
  protocol: string | null;
  cipher: string;
  alpn: string | false | null;
  authorized: boolean;
  peerSubject?: string;
  reused: boolean;
  servername?: string | false;
}

interface NodeServer {
  port: number;
  sides: NodeServerSide[];
  errors: Error[];
  close(): Promise<void>;
}

async function nodeServer(key: string, opts: tls.TlsOptions, sessionIds = false): Promise<NodeServer> {
  const sides: NodeServerSide[] = [];
  const errors: Error[] = [];
  const server = tls.createServer({ key: readPem(`${key}.key`), cert: readPem(`${key}.crt`), ...opts }, (s) => {
    sides.push({
      protocol: s.getProtocol(), cipher: s.getCipher().name, alpn: s.alpnProtocol, authorized: s.authorized,
      peerSubject: String(s.getPeerCertificate()?.subject?.CN ?? '') || undefined, reused: s.isSessionReused(),
      servername: (s as tls.TLSSocket & { servername?: string | false }).servername,
    });
    s.on('data', (d: Buffer) => s.write(d));
    s.on('error', (e) => errors.push(e));
    s.on('end', () => s.end());
  });
  if (sessionIds) {
    // Node keeps no server session cache of its own: these two events are one.
    const cache = new Map<string, Buffer>();
    server.on('newSession', (id: Buffer, data: Buffer, cb: () => void) => {
      cache.set(id.toString('hex'), data);
      cb();
    });
    server.on('resumeSession', (id: Buffer, cb: (err: Error | null, data: Buffer | null) => void) => cb(null, cache.get(id.toString('hex')) ?? null));
  }
  server.on('tlsClientError', (e) => errors.push(e));
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port, sides, errors,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

interface ClientCase {
  name: string;
  key?: string;
  version?: Ver;
  suite: string;
  server?: tls.TlsOptions;
  client?: Partial<ConnectOptions>;
  check?: (n: NegotiatedSession, side: NodeServerSide) => void;
}

/** Node's minimum and cipher list for a version: TLS 1.0/1.1 need security level 0 in OpenSSL 3. */
function nodeVersionOpts(version: Ver, ciphers = 'ALL'): Pick<tls.TlsOptions, 'minVersion' | 'maxVersion' | 'ciphers'> {
  return version === 'TLSv1.2'
    ? { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers }
    : { minVersion: version, maxVersion: version, ciphers: `${ciphers}:@SECLEVEL=0` };
}

async function ourClient(c: ClientCase): Promise<void> {
  const version = c.version ?? 'TLSv1.2';
  const key = c.key ?? 'ec-p256';
  const server = await nodeServer(key, { ...nodeVersionOpts(version), ...c.server });
  try {
    const run = await ourClientHandshake({
      host: '127.0.0.1', port: server.port, serverName: `${key}.example.com`, minVersion: V[version], maxVersion: V[version], cipherSuites12: [suite(c.suite)], ...c.client,
    }).catch((e) => assert.fail(`${(e as Error).message}\n  node server errors: ${server.errors.map((x) => x.message).join('; ') || 'none'}`));
    try {
      checkOurs(run.n, version, c.suite);
      run.session.write('hello from tls lens\n');
      await Promise.race([receive(run.session, 'hello from tls lens\n'), run.failure]);
    } finally {
      run.session.end();
    }
    assert.equal(server.sides.length, 1, 'the node server saw one secure connection');
    const side = server.sides[0]!;
    assert.equal(side.protocol, version);
    assert.equal(side.cipher, c.suite);
    c.check?.(run.n, side);
    assert.deepEqual(server.errors.map((e) => e.message), [], 'no error on the node server');
  } finally {
    await server.close();
  }
}

const clientCases: ClientCase[] = [
  ...['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-ECDSA-AES256-SHA384', 'ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES128-CCM8'].map((s) => ({
    name: `TLS 1.2 ${s}`, suite: s,
  })),
  ...['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-CHACHA20-POLY1305', 'ECDHE-RSA-AES256-SHA', 'ECDHE-RSA-AES128-SHA256', 'DHE-RSA-AES256-GCM-SHA384', 'DHE-RSA-AES128-SHA256', 'AES128-GCM-SHA256', 'AES256-SHA256', 'AES128-SHA'].map((s) => ({
    name: `TLS 1.2 ${s} (RSA certificate)`, key: 'rsa2048', suite: s, ...(s.startsWith('DHE') ? { server: { dhparam: 'auto' } } : {}),
  })),
  ...([['TLSv1.1', 'ECDHE-ECDSA-AES256-SHA', 'ec-p256'], ['TLSv1', 'ECDHE-ECDSA-AES128-SHA', 'ec-p384'], ['TLSv1.1', 'ECDHE-RSA-AES128-SHA', 'rsa2048'], ['TLSv1', 'DHE-RSA-AES256-SHA', 'rsa2048'], ['TLSv1', 'AES256-SHA', 'rsa2048']] as [Ver, string, string][]).map(([version, s, key]) => ({
    name: `${version} ${s} (${key})`, version, suite: s, key, ...(s.startsWith('DHE') ? { server: { dhparam: 'auto' } } : {}),
  })),
  {
    name: 'TLS 1.2 group P-384 (node ecdhCurve P-384)', suite: 'ECDHE-ECDSA-AES128-GCM-SHA256', server: { ecdhCurve: 'P-384' },
    check: (n) => assert.equal(n.group, groupByName('P-384')!.code),
  },
  {
    name: 'TLS 1.2 ALPN: node picks http/1.1 from our h2,http/1.1', suite: 'ECDHE-ECDSA-AES128-GCM-SHA256', server: { ALPNProtocols: ['http/1.1'] },
    client: { alpn: ['h2', 'http/1.1'] }, check: (n, side) => {
      assert.equal(n.alpn, 'http/1.1');
      assert.equal(side.alpn, 'http/1.1');
    },
  },
  {
    name: 'TLS 1.2 SNI: node sees our server name', suite: 'ECDHE-ECDSA-AES128-GCM-SHA256', client: { serverName: 'sni.example' },
    check: (_n, side) => assert.equal(side.servername, 'sni.example'),
  },
  ...([['TLSv1.2', 'ec-p384', 'ECDHE-RSA-AES128-GCM-SHA256'], ['TLSv1.2', 'rsa2048', 'ECDHE-RSA-AES256-SHA384'], ['TLSv1', 'rsa2048', 'ECDHE-RSA-AES128-SHA'], ['TLSv1.1', 'ec-p256', 'AES128-SHA']] as [Ver, string, string][]).map(([version, k, s]) => ({
    name: `${version} client authentication: node requires and verifies our ${k} certificate`, version, key: 'rsa2048', suite: s,
    server: { requestCert: true, rejectUnauthorized: true, ca: [readPem(`${k}.crt`)] },
    client: (() => { const id = identity(`${k}.crt`, `${k}.key`); return { certificateChain: id.chain, signer: id.signer }; })(),
    check: (n: NegotiatedSession, side: NodeServerSide) => {
      assert.equal(side.authorized, true, 'node verified our certificate');
      assert.equal(side.peerSubject, `${k}.example.com`);
    },
  })),
];

for (const c of clientCases) test(`our client to node:tls server: ${c.name}`, { timeout: 30_000 }, () => ourClient(c));

for (const [by, sessionIds] of [['ticket', false], ['session ID', true]] as const) {
  test(`our client resumes with a node:tls server by ${by} (TLS 1.2)`, { timeout: 30_000 }, async () => {
    const server = await nodeServer('ec-p256', { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ...(sessionIds ? { secureOptions: crypto.constants.SSL_OP_NO_TICKET } : {}) }, sessionIds);
    try {
      let saved: ClientSession | undefined;
      const opts = { host: '127.0.0.1', port: server.port, serverName: 'ec-p256.example.com', maxVersion: V['TLSv1.2'] };
      const first = await ourClientHandshake({ ...opts, onSession: (s) => (saved = s) });
      first.session.write('one\n');
      await Promise.race([receive(first.session, 'one\n'), first.failure]);
      first.session.end();
      assert.ok(saved, 'node gave a session');
      assert.equal(saved.ticket.length > 0, !sessionIds, `a ticket only when tickets are on (${by})`);
      const second = await ourClientHandshake({ ...opts, session: saved });
      second.session.write('two\n');
      await Promise.race([receive(second.session, 'two\n'), second.failure]);
      second.session.end();
      assert.equal(second.n.resumed, true, `resumed: ${second.messages.join(' ')} | ${second.infos.join(' | ')}`);
      assert.ok(!second.messages.includes('in:certificate'), second.messages.join(' '));
      assert.deepEqual(server.sides.map((s) => s.reused), [false, true], 'node says the second was reused');
      assert.deepEqual(server.errors, []);
    } finally {
      await server.close();
    }
  });
}

// ---------------------------------------------------------------------------------------------------------
// node:tls client against our server, which echoes

interface ServerCase {
  name: string;
  key?: string;
  version?: Ver;
  suite: string;
  server?: SessionOptions;
  client?: tls.ConnectionOptions;
  check?: (n: NegotiatedSession, socket: tls.TLSSocket) => void;
}

async function nodeClient(port: number, key: string, version: Ver, opts: tls.ConnectionOptions): Promise<tls.TLSSocket> {
  const socket = tls.connect({ host: '127.0.0.1', port, servername: `${key}.example.com`, ca: [readPem(`${key}.crt`)], ...nodeVersionOpts(version), ...opts });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

async function ourServer(c: ServerCase): Promise<void> {
  const key = c.key ?? 'ec-p256';
  const version = c.version ?? 'TLSv1.2';
  const id = identity(`${key}.crt`, `${key}.key`);
  const server = await ourEchoServer({ certificateChain: id.chain, signer: id.signer, cipherSuites12: ALL_12, minVersion: V.TLSv1, ...c.server });
  const context = () => `\n  our server: ${server.conns[0]?.error?.message ?? 'no error'}; messages ${server.conns[0]?.messages.join(' ') ?? 'none'}`;
  let socket: tls.TLSSocket | undefined;
  try {
    socket = await nodeClient(server.port, key, version, { ciphers: version === 'TLSv1.2' ? c.suite : `${c.suite}:@SECLEVEL=0`, ...c.client })
      .catch((e) => assert.fail(`node: ${(e as Error).message}${context()}`));
    socket.write('ping from node\n');
    await receiveNode(socket, 'ping from node\n').catch((e) => assert.fail(`${(e as Error).message}${context()}`));
    const conn = await server.settled(0);
    assert.ok(conn.negotiated, `our server completed the handshake${context()}`);
    checkOurs(conn.negotiated, version, c.suite, context());
    assert.equal(socket.getProtocol(), version);
    assert.equal(socket.getCipher().name, c.suite);
    assert.equal(socket.authorized, true, `node verified our certificate: ${socket.authorizationError ?? ''}`);
    c.check?.(conn.negotiated, socket);
    assert.equal(conn.error, undefined, `no error on our server${context()}`);
  } finally {
    socket?.destroy();
    await server.close();
  }
}

const serverCases: ServerCase[] = [
  ...['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-ECDSA-AES128-SHA256', 'ECDHE-ECDSA-AES256-SHA', 'ECDHE-ECDSA-AES256-CCM'].map((s) => ({
    name: `TLS 1.2 ${s}`, suite: s,
  })),
  ...['ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305', 'ECDHE-RSA-AES128-SHA', 'DHE-RSA-AES128-GCM-SHA256', 'DHE-RSA-AES256-SHA256', 'AES256-GCM-SHA384', 'AES128-SHA256', 'AES256-SHA'].map((s) => ({
    name: `TLS 1.2 ${s} (RSA certificate)`, key: 'rsa2048', suite: s,
  })),
  ...([['TLSv1.1', 'ECDHE-ECDSA-AES128-SHA', 'ec-p256'], ['TLSv1', 'ECDHE-ECDSA-AES256-SHA', 'ec-p521'], ['TLSv1.1', 'DHE-RSA-AES256-SHA', 'rsa2048'], ['TLSv1', 'ECDHE-RSA-AES256-SHA', 'rsa2048'], ['TLSv1', 'AES128-SHA', 'rsa2048']] as [Ver, string, string][]).map(([version, s, key]) => ({
    name: `${version} ${s} (${key})`, version, suite: s, key,
  })),
  {
    name: 'TLS 1.2 group P-521 (node ecdhCurve P-521:P-256)', suite: 'ECDHE-ECDSA-AES128-GCM-SHA256', client: { ecdhCurve: 'P-521:P-256' }, server: { groups: [groupByName('P-521')!.code] },
    check: (n, socket) => {
      assert.equal(n.group, groupByName('P-521')!.code);
      assert.deepEqual(socket.getEphemeralKeyInfo(), { type: 'ECDH', name: 'secp521r1', size: 521 });
    },
  },
  {
    name: 'TLS 1.2 DHE: node sees our 2048-bit group', key: 'rsa2048', suite: 'DHE-RSA-AES256-GCM-SHA384',
    check: (_n, socket) => assert.deepEqual(socket.getEphemeralKeyInfo(), { type: 'DH', size: 2048 }),
  },
  {
    name: 'TLS 1.2 ALPN: we pick h2 from node\'s http/1.1,h2', suite: 'ECDHE-ECDSA-AES128-GCM-SHA256', client: { ALPNProtocols: ['http/1.1', 'h2'] }, server: { alpn: ['h2', 'http/1.1'] },
    check: (n, socket) => {
      assert.equal(n.alpn, 'h2');
      assert.equal(socket.alpnProtocol, 'h2');
    },
  },
  {
    name: 'TLS 1.2 SNI: our server sees node\'s servername', suite: 'ECDHE-ECDSA-AES128-GCM-SHA256',
    check: (n) => assert.equal(n.serverName, 'ec-p256.example.com'),
  },
  ...([['TLSv1.2', 'ec-p384', 'ECDHE-RSA-AES128-GCM-SHA256'], ['TLSv1.2', 'rsa2048', 'AES256-SHA256'], ['TLSv1', 'ec-p256', 'ECDHE-RSA-AES128-SHA'], ['TLSv1.1', 'rsa2048', 'DHE-RSA-AES128-SHA']] as [Ver, string, string][]).map(([version, k, s]) => ({
    name: `${version} client authentication: we require a certificate, node sends ${k}`, version, key: 'rsa2048', suite: s,
    client: { key: readPem(`${k}.key`), cert: readPem(`${k}.crt`) }, server: { clientAuth: 'require' as const },
    check: (n: NegotiatedSession) => assert.equal(n.peerCertificates.length, 1),
  })),
];

for (const c of serverCases) test(`node:tls client to our server: ${c.name}`, { timeout: 30_000 }, () => ourServer(c));

for (const [by, ourOpts] of [['ticket', {}], ['session ID (our server sends no tickets)', { ticketsToSend: 0 }]] as const) {
  for (const version of ['TLSv1.2', 'TLSv1'] as Ver[]) {
    test(`node:tls client resumes with our server by ${by}, ${version}`, { timeout: 30_000 }, async () => {
      const id = identity('rsa2048.crt', 'rsa2048.key');
      const server = await ourEchoServer({ certificateChain: id.chain, signer: id.signer, minVersion: V.TLSv1, ...ourOpts });
      const sockets: tls.TLSSocket[] = [];
      try {
        const first = await nodeClient(server.port, 'rsa2048', version, {});
        sockets.push(first);
        first.write('one\n');
        await receiveNode(first, 'one\n');
        // (in TLS 1.2 the 'session' event comes before secureConnect: the session is simply read)
        const session = first.getSession();
        first.end();
        assert.ok(session, 'node got a session');
        const second = await nodeClient(server.port, 'rsa2048', version, { session });
        sockets.push(second);
        second.write('two\n');
        await receiveNode(second, 'two\n');
        assert.equal(second.isSessionReused(), true, 'node says it resumed');
        const conns = [await server.settled(0), await server.settled(1)];
        assert.deepEqual(conns.map((c) => c.negotiated?.resumed), [false, true]);
        assert.equal(conns[1]!.negotiated?.version, V[version]);
        assert.ok(!conns[1]!.messages.includes('out:certificate'), conns[1]!.messages.join(' '));
        assert.equal(conns[0]!.messages.includes('out:new_session_ticket'), !('ticketsToSend' in ourOpts), conns[0]!.messages.join(' '));
      } finally {
        for (const s of sockets) s.destroy();
        await server.close();
      }
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Bulk data: many full records both ways (record splitting, CBC padding and IVs, MACs over 16 KB records)

const BULK: [Ver, string, string][] = [
  ['TLSv1.2', 'ECDHE-ECDSA-AES128-GCM-SHA256', 'ec-p256'], ['TLSv1.2', 'ECDHE-RSA-CHACHA20-POLY1305', 'rsa2048'],
  ['TLSv1.2', 'ECDHE-ECDSA-AES256-SHA384', 'ec-p256'], ['TLSv1.2', 'ECDHE-ECDSA-AES256-CCM8', 'ec-p256'],
  ['TLSv1.1', 'ECDHE-RSA-AES128-SHA', 'rsa2048'], ['TLSv1', 'ECDHE-RSA-AES256-SHA', 'rsa2048'],
];
const BULK_BYTES = 100_000;

function collect(on: (cb: (d: Uint8Array) => void) => void, n: number, what: string, ms = 10_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let got = 0;
    const timer = setTimeout(() => reject(new Error(`${what}: ${got} of ${n} bytes arrived`)), ms);
    on((d) => {
      parts.push(Buffer.from(d));
      got += d.length;
      if (got >= n) {
        clearTimeout(timer);
        resolve(Buffer.concat(parts));
      }
    });
  });
}

for (const [version, s, key] of BULK) {
  test(`bulk: our client sends ${BULK_BYTES} bytes to a node:tls server and gets them back, ${version} ${s}`, { timeout: 30_000 }, async () => {
    const server = await nodeServer(key, nodeVersionOpts(version));
    try {
      const run = await ourClientHandshake({ host: '127.0.0.1', port: server.port, minVersion: V[version], maxVersion: V[version], cipherSuites12: [suite(s)] });
      const data = crypto.randomBytes(BULK_BYTES);
      const back = collect((cb) => run.session.on('data', cb), BULK_BYTES, 'the echo');
      run.session.write(new Uint8Array(data));
      const got = await Promise.race([back, run.failure]);
      assert.ok(got.equals(data), 'the same bytes came back');
      run.session.end();
      assert.equal(server.sides[0]?.cipher, s);
    } finally {
      await server.close();
    }
  });
  test(`bulk: a node:tls client sends ${BULK_BYTES} bytes to our server and gets them back, ${version} ${s}`, { timeout: 30_000 }, async () => {
    const id = identity(`${key}.crt`, `${key}.key`);
    const server = await ourEchoServer({ certificateChain: id.chain, signer: id.signer, cipherSuites12: ALL_12, minVersion: V.TLSv1 });
    let socket: tls.TLSSocket | undefined;
    try {
      socket = await nodeClient(server.port, key, version, { ciphers: version === 'TLSv1.2' ? s : `${s}:@SECLEVEL=0` });
      const data = crypto.randomBytes(BULK_BYTES);
      const back = collect((cb) => socket!.on('data', cb), BULK_BYTES, 'the echo');
      socket.write(data);
      assert.ok((await back).equals(data), 'the same bytes came back');
      const conn = await server.settled(0);
      assert.equal(conn.negotiated?.cipherSuite, suite(s));
      assert.equal(conn.error, undefined);
    } finally {
      socket?.destroy();
      await server.close();
    }
  });
}

test('node:tls client (maxVersion TLSv1.2) to our default server: TLS 1.2 with the downgrade sentinel, which node accepts', { timeout: 30_000 }, async () => {
  const id = identity('ec-p256.crt', 'ec-p256.key');
  const server = await ourEchoServer({ certificateChain: id.chain, signer: id.signer });
  let socket: tls.TLSSocket | undefined;
  try {
    socket = await nodeClient(server.port, 'ec-p256', 'TLSv1.2', { ciphers: undefined } as tls.ConnectionOptions);
    socket.write('x\n');
    await receiveNode(socket, 'x\n');
    assert.equal(socket.getProtocol(), 'TLSv1.2');
    assert.equal((await server.settled(0)).negotiated?.version, V['TLSv1.2']);
  } finally {
    socket?.destroy();
    await server.close();
  }
});
