// DTLS 1.2 and 1.0 interop with OpenSSL 3 on 127.0.0.1 (RFC 6347, RFC 4347), both roles: our client
// (connectDtls) against `openssl s_server -dtls1_2 / -dtls1`, and `openssl s_client -dtls1_2 / -dtls1` against
// our server (createDtlsServer), with data both ways and the negotiated version and suite checked on both sides:
// ECDHE-ECDSA with AES-GCM, ChaCha20-Poly1305, AES-CCM_8 and AES-CBC (with encrypt-then-MAC and without, -no_etm),
// ECDHE-RSA, DHE-RSA and static RSA with an RSA-2048 certificate, groups X25519 and P-256; version negotiation;
// fragmentation at a 500-byte path MTU with RSA-4096 certificates both ways; client authentication both ways;
// resumption by ticket and by session ID both ways.
//
// Each case starts its own peer (s_server prints `Protocol version:` and `Ciphersuite:` with -brief; s_client
// prints its SSL-Session block). openssl is a test dependency (scripts/install-test-deps.sh): without it these
// tests fail, naming it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NegotiatedSession } from '../../engine/conn/types';
import type { ClientSession } from '../../engine/conn/session-ticket';
import { SessionCache12 } from '../../engine/handshake/tls12/session';
import type { DtlsSessionOptions } from '../../engine/net/dtls';
import { groupByName } from '../../engine/registry/groups';
import { suiteByName, SUITES, type CipherSuite } from '../../engine/registry/suites';
import {
  describeDtlsLog, identity, opensslClient, opensslDtlsServer, ourDtlsClientHandshake, ourDtlsEchoServer, PKI, readPem, receiveDtls,
  requireOpensslTool, udpRelay, waitForFrom, type Peer,
} from './peers';

const DTLS12 = 0xfefd;
const DTLS10 = 0xfeff;
type Ver = 'DTLSv1.2' | 'DTLSv1';
const WIRE: Record<Ver, number> = { 'DTLSv1.2': DTLS12, 'DTLSv1': DTLS10 };
const FLAG: Record<Ver, string> = { 'DTLSv1.2': '-dtls1_2', 'DTLSv1': '-dtls1' };
const suiteCode = (n: string) => {
  const s = suiteByName(n);
  if (!s) throw new Error(`no suite ${n} in the registry`);
  return s.code;
};
const isCbc = (n: string) => (suiteByName(n) as CipherSuite).mac !== 'AEAD';
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Every TLS 1.2-and-older suite that is not weak: our server is configured with all, so the peer's list decides. */
const ALL_12 = SUITES.filter((s) => s.versions !== 'tls13' && !s.weak).map((s) => s.code);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-dtls-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

function certArgs(key: string): string[] {
  return ['-cert', PKI(`${key}.crt`), '-key', PKI(`${key}.key`)];
}
function ours(key: string): Pick<DtlsSessionOptions, 'certificateChain' | 'signer'> {
  const id = identity(`${key}.crt`, `${key}.key`);
  return { certificateChain: id.chain, signer: id.signer };
}
function derOf(key: string): Uint8Array {
  return new Uint8Array(Buffer.from(readPem(`${key}.crt`).split('-----')[2]!.replace(/\s+/g, ''), 'base64'));
}

interface Expect {
  etm?: boolean;
  ems?: boolean;
  /** IANA group name we must have negotiated. */
  group?: string;
}

function checkNegotiated(n: NegotiatedSession, version: Ver, suite: string, e: Expect, context: string): void {
  assert.equal(n.version, WIRE[version], `negotiated version 0x${n.version.toString(16)}${context}`);
  assert.equal(n.cipherSuite, suiteCode(suite), `negotiated suite 0x${n.cipherSuite.toString(16)}${context}`);
  assert.ok(n.legacy, `NegotiatedSession.legacy is set${context}`);
  assert.equal(n.legacy.extendedMasterSecret, e.ems ?? true, `extended master secret${context}`);
  assert.equal(n.legacy.encryptThenMac, e.etm ?? isCbc(suite), `encrypt-then-MAC${context}`);
  assert.equal(n.legacy.secureRenegotiation, true, `renegotiation_info${context}`);
  if (e.group) assert.equal(n.group, groupByName(e.group)!.code, `group${context}`);
}

// ---------------------------------------------------------------------------------------------------------
// The suite matrix

interface Case {
  name?: string;
  key: string;
  suite: string;
  version?: Ver;
  /** Extra s_server or s_client arguments. */
  peer?: string[];
  /** Extra options for our side. */
  our?: Partial<DtlsSessionOptions>;
  expect?: Expect;
  /** What s_client prints (our server's cases). */
  peerSays?: RegExp[];
  /** The peer's version flag, when not the one of `version`. */
  flag?: string;
}

const MATRIX: Case[] = [
  { key: 'ec-p256', suite: 'ECDHE-ECDSA-AES128-GCM-SHA256', expect: { group: 'x25519' } },
  { key: 'ec-p256', suite: 'ECDHE-ECDSA-AES256-GCM-SHA384' },
  { key: 'ec-p256', suite: 'ECDHE-ECDSA-CHACHA20-POLY1305' },
  { key: 'ec-p256', suite: 'ECDHE-ECDSA-AES128-CCM8' },
  { key: 'ec-p256', suite: 'ECDHE-ECDSA-AES128-SHA', name: 'ECDHE-ECDSA-AES128-SHA (CBC, encrypt-then-MAC)', expect: { etm: true } },
  { key: 'ec-p256', suite: 'ECDHE-ECDSA-AES128-SHA', name: 'ECDHE-ECDSA-AES128-SHA (CBC, MAC-then-encrypt: -no_etm)', peer: ['-no_etm'], expect: { etm: false } },
  { key: 'rsa2048', suite: 'ECDHE-RSA-AES128-GCM-SHA256' },
  { key: 'rsa2048', suite: 'ECDHE-RSA-CHACHA20-POLY1305' },
  { key: 'rsa2048', suite: 'ECDHE-RSA-AES256-SHA384', name: 'ECDHE-RSA-AES256-SHA384 (CBC, -no_etm)', peer: ['-no_etm'], expect: { etm: false } },
  { key: 'rsa2048', suite: 'DHE-RSA-AES128-GCM-SHA256' },
  { key: 'rsa2048', suite: 'DHE-RSA-AES256-SHA256' },
  // Static RSA: the premaster secret starts with the DTLS version of the ClientHello (0xfefd, 0xfeff), not TLS's.
  { key: 'rsa2048', suite: 'AES128-SHA', name: 'AES128-SHA (static RSA, CBC, encrypt-then-MAC)' },
  { key: 'rsa2048', suite: 'AES128-SHA', name: 'AES128-SHA (static RSA, CBC, -no_etm)', peer: ['-no_etm'], expect: { etm: false } },
  { key: 'rsa2048', suite: 'AES256-GCM-SHA384', name: 'AES256-GCM-SHA384 (static RSA)' },
  // DTLS 1.0 (TLS 1.1 records: explicit CBC IVs; SHA-1 signatures need security level 0 in OpenSSL 3)
  { version: 'DTLSv1', key: 'ec-p256', suite: 'ECDHE-ECDSA-AES128-SHA' },
  { version: 'DTLSv1', key: 'ec-p256', suite: 'ECDHE-ECDSA-AES256-SHA', name: 'ECDHE-ECDSA-AES256-SHA (-no_etm)', peer: ['-no_etm'], expect: { etm: false } },
  { version: 'DTLSv1', key: 'rsa2048', suite: 'ECDHE-RSA-AES256-SHA' },
  { version: 'DTLSv1', key: 'rsa2048', suite: 'DHE-RSA-AES128-SHA' },
  { version: 'DTLSv1', key: 'rsa2048', suite: 'AES128-SHA', name: 'AES128-SHA (static RSA)' },
];

/** Groups: X25519 (the default of both) and P-256 (the only one the peer lists). */
const GROUP_CASES_CLIENT: Case[] = [
  { name: 'group P-256 (s_server -groups P-256; we offer X25519 first)', key: 'ec-p256', suite: 'ECDHE-ECDSA-AES128-GCM-SHA256', peer: ['-groups', 'P-256'], expect: { group: 'secp256r1' } },
  { name: 'group X25519 (s_server -groups X25519:P-256)', key: 'rsa2048', suite: 'ECDHE-RSA-AES256-GCM-SHA384', peer: ['-groups', 'X25519:P-256'], expect: { group: 'x25519' } },
];
const GROUP_CASES_SERVER: Case[] = [
  { name: 'group P-256 (s_client -groups P-256)', key: 'ec-p256', suite: 'ECDHE-ECDSA-AES128-GCM-SHA256', peer: ['-groups', 'P-256'], expect: { group: 'secp256r1' }, peerSays: [/Server Temp Key: ECDH, prime256v1, 256 bits/] },
  { name: 'group X25519 (s_client -groups X25519)', key: 'rsa2048', suite: 'ECDHE-RSA-AES256-GCM-SHA384', peer: ['-groups', 'X25519'], expect: { group: 'x25519' }, peerSays: [/Server Temp Key: X25519, 253 bits/] },
  { name: 'DHE-RSA: s_client sees our 2048-bit group', key: 'rsa2048', suite: 'DHE-RSA-AES128-GCM-SHA256', peerSays: [/Server Temp Key: DH, 2048 bits/] },
];

const caseName = (c: Case) => `${c.version ?? 'DTLSv1.2'} ${c.name ?? c.suite}`;

async function ourClientCase(c: Case): Promise<void> {
  requireOpensslTool();
  const version = c.version ?? 'DTLSv1.2';
  const server = await opensslDtlsServer([FLAG[version], '-brief', ...certArgs(c.key), '-cipher', 'ALL:@SECLEVEL=0', ...(c.peer ?? [])]);
  const context = () => `\n--- s_server printed:\n${server.output().slice(-2500)}`;
  try {
    const run = await ourDtlsClientHandshake({
      host: '127.0.0.1', port: server.port, serverName: 'localhost', cipherSuites12: [suiteCode(c.suite)], dtlsMin: WIRE[version], dtlsMax: WIRE[version], ...c.our,
    }).catch((e) => assert.fail(`${(e as Error).message}${context()}`));
    try {
      const ctx = `\n  our client's ${describeDtlsLog(run)}${context()}`;
      checkNegotiated(run.n, version, c.suite, c.expect ?? {}, ctx);
      assert.deepEqual(run.n.peerCertificates[0], derOf(c.key), `the server's certificate${ctx}`);
      await server.waitFor(new RegExp(`Protocol version: ${esc(version)}\\r?\\n`)).catch((e) => assert.fail(`${(e as Error).message}${ctx}`));
      await server.waitFor(new RegExp(`Ciphersuite: ${esc(c.suite)}\\r?\\n`)).catch((e) => assert.fail(`${(e as Error).message}${ctx}`));
      const line = `hello s_server, from TLS Lens over ${version} ${c.suite}`;
      run.session.write(`${line}\n`);
      await server.waitFor(new RegExp(esc(line))).catch((e) => assert.fail(`${(e as Error).message}${ctx}`));
      server.proc.stdin!.write('hello TLS Lens, from s_server\n');
      await Promise.race([receiveDtls(run.session, 'hello TLS Lens, from s_server\n'), run.failure]).catch((e) => assert.fail(`${(e as Error).message}${ctx}`));
      assert.deepEqual(run.alertsOut(), [], `we sent no alert${ctx}`);
    } finally {
      run.session.end();
    }
  } finally {
    await server.stop();
  }
}

async function ourServerCase(c: Case): Promise<void> {
  requireOpensslTool();
  const version = c.version ?? 'DTLSv1.2';
  const server = await ourDtlsEchoServer({ ...ours(c.key), cipherSuites12: ALL_12, dtlsMin: DTLS10, dtlsMax: DTLS12, ...c.our });
  const client = opensslClient(server.port, [c.flag ?? FLAG[version], '-cipher', `${c.suite}:@SECLEVEL=0`, ...(c.peer ?? [])]);
  const context = () => `\n--- our server:\n${server.describe()}\n--- s_client printed:\n${client.output().slice(-2500)}`;
  try {
    await client.waitFor(/Verify return code/).catch((e) => assert.fail(`${(e as Error).message.split('\n')[0]}${context()}`));
    const conn = await server.settled();
    assert.ok(conn.negotiated, `our server completed the handshake${context()}`);
    checkNegotiated(conn.negotiated, version, c.suite, c.expect ?? {}, context());
    assert.match(client.output(), new RegExp(`Protocol  : ${esc(version)}\\r?\\n`), `s_client's protocol${context()}`);
    assert.match(client.output(), new RegExp(`Cipher    : ${esc(c.suite)}\\r?\\n`), `s_client's cipher${context()}`);
    for (const re of c.peerSays ?? []) assert.match(client.output(), re, `s_client printed${context()}`);
    const line = `ping from s_client over ${version} ${c.suite}`;
    client.proc.stdin!.write(`${line}\n`);
    await server.received(new RegExp(esc(line))).catch((e) => assert.fail(`${(e as Error).message}${context()}`));
    // the echo: s_client prints our record after its own line went out
    await waitForFrom(client, new RegExp(esc(line)), client.output().indexOf('Verify return code')).catch((e) => assert.fail(`${(e as Error).message}${context()}`));
    assert.equal(conn.error, undefined, `no error on our server${context()}`);
    assert.deepEqual(conn.alertsOut(), [], `our server sent no alert${context()}`);
  } finally {
    await client.stop();
    server.close();
  }
}

describe('our DTLS client (connectDtls) to openssl s_server', { concurrency: 4 }, () => {
  for (const c of [...MATRIX, ...GROUP_CASES_CLIENT]) it(caseName(c), { timeout: 20_000 }, () => ourClientCase(c));
});

describe('openssl s_client to our DTLS server (createDtlsServer, DTLS 1.0 to 1.2)', { concurrency: 4 }, () => {
  for (const c of [...MATRIX, ...GROUP_CASES_SERVER]) it(caseName(c), { timeout: 20_000 }, () => ourServerCase(c));
});

// ---------------------------------------------------------------------------------------------------------
// Version negotiation

describe('DTLS version negotiation', { concurrency: 4 }, () => {
  it('our client (DTLS 1.0 to 1.2) to s_server -dtls1: DTLS 1.0', { timeout: 20_000 }, () =>
    ourClientCase({ version: 'DTLSv1', key: 'rsa2048', suite: 'ECDHE-RSA-AES128-SHA', our: { dtlsMin: DTLS10, dtlsMax: DTLS12 } }));

  it('our client (DTLS 1.0 to 1.2) to s_server -dtls (any): DTLS 1.2', { timeout: 20_000 }, async () => {
    const server = await opensslDtlsServer(['-dtls', '-brief', ...certArgs('ec-p256')]);
    try {
      const run = await ourDtlsClientHandshake({ host: '127.0.0.1', port: server.port, dtlsMin: DTLS10, dtlsMax: DTLS12 });
      try {
        assert.equal(run.n.version, DTLS12, describeDtlsLog(run));
        await server.waitFor(/Protocol version: DTLSv1\.2\r?\n/);
      } finally {
        run.session.end();
      }
    } finally {
      await server.stop();
    }
  });

  it('our client (DTLS 1.2 only, the default) to s_server -dtls1: refused with protocol_version, not hung', { timeout: 20_000 }, async () => {
    const server = await opensslDtlsServer(['-dtls1', '-brief', ...certArgs('ec-p256'), '-cipher', 'ALL:@SECLEVEL=0']);
    try {
      await assert.rejects(ourDtlsClientHandshake({ host: '127.0.0.1', port: server.port, handshakeTimeoutMs: 8000 }), (e: Error & { alert?: string }) => {
        assert.match(`${e.alert} ${e.message}`, /protocol_version/, `${e.message}\n--- s_server printed:\n${server.output()}`);
        return true;
      });
    } finally {
      await server.stop();
    }
  });

  it('s_client -dtls (any) to our server (DTLS 1.0 to 1.2): DTLS 1.2', { timeout: 20_000 }, () =>
    ourServerCase({ key: 'ec-p256', suite: 'ECDHE-ECDSA-AES256-GCM-SHA384', flag: '-dtls' }));

  it('s_client -dtls1 to our server (DTLS 1.2 only, the default): refused with protocol_version', { timeout: 20_000 }, async () => {
    const server = await ourDtlsEchoServer({ ...ours('ec-p256'), cipherSuites12: ALL_12 });
    const client = opensslClient(server.port, ['-dtls1', '-cipher', 'ALL:@SECLEVEL=0']);
    try {
      const conn = await server.settled();
      assert.equal(conn.negotiated, undefined);
      assert.match(`${conn.error?.alert} ${conn.error?.message}`, /protocol_version/, server.describe());
      assert.ok(conn.alertsOut().includes('out:fatal:protocol_version'), server.describe());
      await client.waitFor(/alert protocol version|protocol version/i, 5000);
    } finally {
      await client.stop();
      server.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// Fragmentation: RSA-4096 certificates both ways at a 500-byte path MTU (472-byte datagrams)

const MTU = 500;
const MAX_DATAGRAM = MTU - 28;

describe('fragmentation at -mtu 500 / mtu: 500 with RSA-4096 certificates both ways', { concurrency: 2 }, () => {
  it('our client (mtu 500, RSA-4096 client certificate) to s_server -mtu 500 -Verify 1 (RSA-4096)', { timeout: 20_000 }, async () => {
    requireOpensslTool();
    const server = await opensslDtlsServer(['-dtls1_2', '-mtu', String(MTU), ...certArgs('rsa4096'), '-Verify', '1']);
    const relay = await udpRelay(server.port);
    const context = () => `\n--- s_server printed:\n${server.output().slice(-2500)}`;
    try {
      const run = await ourDtlsClientHandshake({ host: '127.0.0.1', port: relay.port, mtu: MTU, ...ours('rsa4096') }).catch((e) => assert.fail(`${(e as Error).message}${context()}`));
      try {
        const ctx = `\n  ${describeDtlsLog(run)}${context()}`;
        assert.deepEqual(run.n.peerCertificates[0], derOf('rsa4096'), `s_server's RSA-4096 certificate, reassembled${ctx}`);
        assert.ok(run.infos.some((m) => /^certificate \(\d+ bytes\) sent in \d+ fragments/.test(m)), `our Certificate went in fragments${ctx}`);
        await server.waitFor(/subject=.*CN = rsa4096\.example\.com/).catch((e) => assert.fail(`${(e as Error).message}${ctx}`));
        run.session.write('fragmented hello\n');
        await server.waitFor(/fragmented hello/);
        server.proc.stdin!.write('fragmented reply\n');
        await receiveDtls(run.session, 'fragmented reply');
        for (const dir of ['c2s', 's2c'] as const) {
          const ds = relay.log.filter((d) => d.dir === dir);
          const big = ds.filter((d) => d.bytes.length > MAX_DATAGRAM);
          assert.deepEqual(big.map((d) => d.bytes.length), [], `${dir}: every datagram fits ${MAX_DATAGRAM} bytes`);
          assert.ok(ds.length >= 6, `${dir}: the handshake took several datagrams (${ds.length})`);
        }
      } finally {
        run.session.end();
      }
    } finally {
      relay.close();
      await server.stop();
    }
  });

  it('s_client -mtu 500 with an RSA-4096 client certificate to our server (mtu 500, RSA-4096, clientAuth require)', { timeout: 20_000 }, async () => {
    requireOpensslTool();
    const server = await ourDtlsEchoServer({ ...ours('rsa4096'), mtu: MTU, clientAuth: 'require' });
    const relay = await udpRelay(server.port);
    const client = opensslClient(relay.port, ['-dtls1_2', '-mtu', String(MTU), ...certArgs('rsa4096')]);
    const context = () => `\n--- our server:\n${server.describe()}\n--- s_client printed:\n${client.output().slice(-2500)}`;
    try {
      await client.waitFor(/Verify return code/).catch((e) => assert.fail(`${(e as Error).message.split('\n')[0]}${context()}`));
      const conn = await server.settled();
      assert.ok(conn.negotiated, `handshake completed${context()}`);
      assert.deepEqual(conn.negotiated.peerCertificates[0], derOf('rsa4096'), `s_client's RSA-4096 certificate, reassembled${context()}`);
      assert.ok(conn.infos.some((m) => /^certificate \(\d+ bytes\) sent in \d+ fragments/.test(m)), `our Certificate went in fragments${context()}`);
      assert.match(client.output(), /subject=.*CN = rsa4096\.example\.com/);
      client.proc.stdin!.write('fragmented ping\n');
      await server.received(/fragmented ping/);
      for (const dir of ['c2s', 's2c'] as const) {
        const ds = relay.log.filter((d) => d.dir === dir);
        assert.deepEqual(ds.filter((d) => d.bytes.length > MAX_DATAGRAM).map((d) => d.bytes.length), [], `${dir}: every datagram fits ${MAX_DATAGRAM} bytes${context()}`);
        assert.ok(ds.length >= 6, `${dir}: the handshake took several datagrams (${ds.length})`);
      }
    } finally {
      await client.stop();
      relay.close();
      server.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// Client authentication

describe('DTLS client authentication', { concurrency: 4 }, () => {
  it('our client with an ECDSA P-384 certificate to s_server -Verify 1', { timeout: 20_000 }, async () => {
    const server = await opensslDtlsServer(['-dtls1_2', ...certArgs('rsa2048'), '-Verify', '1']);
    try {
      const run = await ourDtlsClientHandshake({ host: '127.0.0.1', port: server.port, ...ours('ec-p384') });
      try {
        assert.ok(run.messages.includes('in:certificate_request') && run.messages.includes('out:certificate_verify'), describeDtlsLog(run));
        await server.waitFor(/subject=.*CN = ec-p384\.example\.com/);
        run.session.write('authenticated hello\n');
        await server.waitFor(/authenticated hello/);
        server.proc.stdin!.write('authenticated reply\n');
        await receiveDtls(run.session, 'authenticated reply');
      } finally {
        run.session.end();
      }
    } finally {
      await server.stop();
    }
  });

  it('our client without a certificate to s_server -Verify 1: s_server refuses (handshake_failure), we fail', { timeout: 20_000 }, async () => {
    const server = await opensslDtlsServer(['-dtls1_2', ...certArgs('rsa2048'), '-Verify', '1']);
    try {
      await assert.rejects(ourDtlsClientHandshake({ host: '127.0.0.1', port: server.port, handshakeTimeoutMs: 8000 }), (e: Error & { alert?: string; fromPeer?: boolean }) => {
        assert.match(`${e.alert}`, /handshake_failure|certificate_required/, e.message);
        return true;
      });
      await server.waitFor(/peer did not return a certificate/);
    } finally {
      await server.stop();
    }
  });

  it('s_client -cert/-key (ECDSA P-384) to our server with clientAuth require', { timeout: 20_000 }, async () => {
    const server = await ourDtlsEchoServer({ ...ours('rsa2048'), clientAuth: 'require' });
    const client = opensslClient(server.port, ['-dtls1_2', ...certArgs('ec-p384')]);
    try {
      await client.waitFor(/Verify return code/);
      const conn = await server.settled();
      assert.ok(conn.negotiated, server.describe());
      assert.deepEqual(conn.negotiated.peerCertificates[0], derOf('ec-p384'), 'the client certificate');
      assert.ok(conn.messages.includes('out:certificate_request') && conn.messages.includes('in:certificate_verify'), server.describe());
      client.proc.stdin!.write('client-authenticated ping\n');
      await server.received(/client-authenticated ping/);
      await waitForFrom(client, /client-authenticated ping/, client.output().indexOf('Verify return code'));
    } finally {
      await client.stop();
      server.close();
    }
  });

  it('s_client without a certificate to our server with clientAuth require: refused', { timeout: 20_000 }, async () => {
    const server = await ourDtlsEchoServer({ ...ours('rsa2048'), clientAuth: 'require' });
    const client = opensslClient(server.port, ['-dtls1_2']);
    try {
      const conn = await server.settled();
      assert.equal(conn.negotiated, undefined, server.describe());
      assert.match(`${conn.error?.alert}`, /handshake_failure|certificate_required/, server.describe());
      await client.waitFor(/alert handshake failure|alert certificate required|alert number/i, 5000);
    } finally {
      await client.stop();
      server.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// Resumption

describe('DTLS resumption', { concurrency: 2 }, () => {
  for (const [how, args] of [['ticket', []], ['session-id', ['-no_ticket']]] as const) {
    it(`our client resumes with s_server ${args.join(' ') || '(tickets)'}: by ${how}`, { timeout: 25_000 }, async () => {
      const server = await opensslDtlsServer(['-dtls1_2', ...certArgs('ec-p256'), ...args]);
      try {
        let saved: ClientSession | undefined;
        const first = await ourDtlsClientHandshake({ host: '127.0.0.1', port: server.port, onSession: (s) => (saved = s) });
        assert.equal(first.n.resumed, false);
        first.session.write('first\n');
        await server.waitFor(/first/);
        first.session.end();
        await server.waitFor(/ACCEPT[\s\S]*ACCEPT|CONNECTION CLOSED|shutting down/, 5000).catch(() => undefined);
        assert.ok(saved, `our client kept a session (${how})\n${describeDtlsLog(first)}`);
        if (how === 'ticket') assert.ok(saved.ticket.length > 0, 'with a ticket');
        const from = server.output().length;
        const second = await ourDtlsClientHandshake({ host: '127.0.0.1', port: server.port, session: saved }).catch((e) => assert.fail(`${(e as Error).message}\n--- s_server printed:\n${server.output().slice(from)}`));
        try {
          const ctx = `\n${describeDtlsLog(second)}\n--- s_server printed:\n${server.output().slice(from)}`;
          assert.equal(second.n.resumed, true, `resumed${ctx}`);
          assert.equal(second.n.resumedBy, how, `resumed by ${how}${ctx}`);
          assert.ok(!second.messages.includes('in:certificate'), `no Certificate${ctx}`);
          await waitForFrom(server, /Reused session-id/, from).catch((e) => assert.fail(`${(e as Error).message}${ctx}`));
          second.session.write('second\n');
          await waitForFrom(server, /second/, from);
          server.proc.stdin!.write('resumed reply\n');
          await receiveDtls(second.session, 'resumed reply');
        } finally {
          second.session.end();
        }
      } finally {
        await server.stop();
      }
    });
  }

  for (const how of ['ticket', 'session-id'] as const) {
    it(`s_client -sess_out then -sess_in to our server (${how === 'ticket' ? 'ticketKey' : 'sessionCache, no ticket key'}): Reused`, { timeout: 25_000 }, async () => {
      const sess = path.join(tmp, `sess-${how}.pem`);
      const server = await ourDtlsEchoServer({
        ...ours('ec-p256'), ...(how === 'ticket' ? { ticketKey: new Uint8Array(32).fill(7) } : { sessionCache: new SessionCache12() }),
      });
      const a = opensslClient(server.port, ['-dtls1_2', '-sess_out', sess]);
      let b: Peer | undefined;
      try {
        await a.waitFor(/Verify return code/);
        a.proc.stdin!.write('first ping\n');
        await server.received(/first ping/);
        await waitForFrom(a, /first ping/, a.output().indexOf('Verify return code'));
        await a.stop();
        assert.ok(fs.existsSync(sess), 's_client wrote its session');
        const n0 = server.conns.length;
        b = opensslClient(server.port, ['-dtls1_2', '-sess_in', sess]);
        await b.waitFor(/Verify return code/).catch((e) => assert.fail(`${(e as Error).message}\n${server.describe()}`));
        const conn = await server.settled(n0);
        const ctx = `\n${server.describe()}\n--- s_client printed:\n${b.output().slice(-2500)}`;
        assert.equal(conn.negotiated?.resumed, true, `our server resumed${ctx}`);
        assert.equal(conn.negotiated?.resumedBy, how, `by ${how}${ctx}`);
        assert.match(b.output(), /Reused, /, `s_client says Reused${ctx}`);
        b.proc.stdin!.write('second ping\n');
        await server.received(/second ping/);
      } finally {
        await a.stop();
        await b?.stop();
        server.close();
      }
    });
  }
});
