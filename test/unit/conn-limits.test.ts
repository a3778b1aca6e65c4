// Each connection limit (engine/conn/limits.ts), exceeded on purpose by a peer run in memory: the connection
// fails with the limit's name in its error and sends a fatal alert; under the default a normal handshake passes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { TlsConnection } from '../../engine/conn/connection';
import type { ConnectionConfig } from '../../engine/conn/config';
import { DEFAULT_LIMITS, LimitError, resolveLimits, type LimitName } from '../../engine/conn/limits';
import { nobleProvider } from '../../engine/crypto/noble';
import { DtlsConnection } from '../../engine/dtls/connection';
import { connect } from '../../engine/net/session';
import { identityFromPem } from '../../engine/tools/identity';
import { pump } from './pump';

const pki = (n: string) => fs.readFileSync(path.resolve('test/fixtures/pki', n), 'utf8');
const ID = identityFromPem(pki('ec-p256.crt'), pki('ec-p256.key'), 'ec-p256');
const provider = nobleProvider();

function pair(clientOver: Partial<ConnectionConfig> = {}, serverOver: Partial<ConnectionConfig> = {}) {
  const client = new TlsConnection({ side: 'client', provider, serverName: 'localhost', ...clientOver });
  const server = new TlsConnection({ side: 'server', provider, certificateChain: ID.chain, signer: ID.signer, ...serverOver });
  client.start();
  return { client, server };
}


function assertLimit(conn: { status: string; error?: Error }, limit: LimitName): void {
  assert.equal(conn.status, 'failed', `expected the connection to fail on ${limit}`);
  assert.ok(conn.error instanceof Error);
  assert.match(conn.error.message, new RegExp(`\\b${limit}\\b`), `error names ${limit}: ${conn.error.message}`);
}

function splitHandshakeRecord(rec: Uint8Array, size: number): Uint8Array[] {
  // One plaintext handshake record split into many records of `size` bytes of its body.
  const body = rec.subarray(5);
  const out: Uint8Array[] = [];
  for (let off = 0; off < body.length; off += size) {
    const part = body.subarray(off, Math.min(body.length, off + size));
    out.push(Uint8Array.of(rec[0]!, rec[1]!, rec[2]!, part.length >> 8, part.length & 0xff, ...part));
  }
  return out;
}

describe('connection limits', () => {
  test('resolveLimits: defaults, overrides, and refusals that say why', () => {
    assert.deepEqual(resolveLimits(undefined), DEFAULT_LIMITS);
    assert.equal(resolveLimits({ maxExtensions: 7 }).maxExtensions, 7);
    assert.throws(() => resolveLimits({ maxExtension: 1 } as never), /unknown connection limit maxExtension/);
    assert.throws(() => resolveLimits({ maxExtensions: 0 }), /maxExtensions must be a positive number/);
    assert.throws(() => resolveLimits({ maxExtensions: Number.NaN }), /positive number/);
  });

  test('under the defaults a TLS 1.3 and a TLS 1.2 handshake complete', () => {
    for (const maxVersion of [0x0304, 0x0303]) {
      const { client, server } = pair({ maxVersion });
      pump(client, server);
      assert.equal(client.status, 'open');
      assert.equal(server.status, 'open');
    }
  });

  test('maxHandshakeMessageBytes: a ClientHello larger than the server allows', () => {
    const { client, server } = pair({}, { limits: { maxHandshakeMessageBytes: 100 } });
    pump(client, server);
    assertLimit(server, 'maxHandshakeMessageBytes');
    assert.equal(client.status, 'failed'); // it heard the alert
  });

  test('maxCertificateChainBytes: a Certificate message larger than the client allows', () => {
    const { client, server } = pair({ limits: { maxCertificateChainBytes: 300 } });
    pump(client, server);
    assertLimit(client, 'maxCertificateChainBytes');
  });

  test('maxCertificateChainLength: more certificates than the client allows', () => {
    const { client, server } = pair({ limits: { maxCertificateChainLength: 2 } }, { certificateChain: [ID.chain[0]!, ID.chain[0]!, ID.chain[0]!] });
    pump(client, server);
    assertLimit(client, 'maxCertificateChainLength');
    assert.equal((client.error as LimitError).limit, 'maxCertificateChainLength');
    assert.equal((client.error as LimitError).value, 3);
  });

  test('maxExtensions: a ClientHello with more extensions than the server allows', () => {
    const { client, server } = pair({}, { limits: { maxExtensions: 4 } });
    pump(client, server);
    assertLimit(server, 'maxExtensions');
  });

  test('maxRecordsPerHandshake: a ClientHello cut into one-byte records', () => {
    const client = new TlsConnection({ side: 'client', provider, serverName: 'localhost' });
    const server = new TlsConnection({ side: 'server', provider, certificateChain: ID.chain, signer: ID.signer, limits: { maxRecordsPerHandshake: 50 } });
    client.start();
    const [hello] = client.takeOutgoing();
    const tiny = splitHandshakeRecord(hello!, 1);
    assert.ok(tiny.length > 50);
    for (const r of tiny) server.receive(r);
    assertLimit(server, 'maxRecordsPerHandshake');
  });

  test('maxRecordsPerHandshake: the default lets a ClientHello in one-byte records through', () => {
    const { client, server } = pair();
    for (const r of splitHandshakeRecord(client.takeOutgoing()[0]!, 1)) server.receive(r);
    pump(client, server);
    assert.equal(server.status, 'open');
  });

  test('maxEmptyRecordsInARow: empty application data records after the handshake', () => {
    const { client, server } = pair();
    pump(client, server);
    // Empty records are sealed by the client's own record layer: write() of zero bytes sends nothing, so use its protector.
    const seal = (client as unknown as { writeRecord(type: number, content: Uint8Array): void }).writeRecord.bind(client);
    for (let i = 0; i < DEFAULT_LIMITS.maxEmptyRecordsInARow + 1; i++) seal(23, new Uint8Array(0));
    for (const c of client.takeOutgoing()) server.receive(c);
    assertLimit(server, 'maxEmptyRecordsInARow');
  });

  test('maxKeyUpdatesInARow: KeyUpdates with no data between them', () => {
    const { client, server } = pair({}, { limits: { maxKeyUpdatesInARow: 3 } });
    pump(client, server);
    server.takeOutgoing();
    for (let i = 0; i < 3; i++) client.keyUpdate(false);
    for (const c of client.takeOutgoing()) server.receive(c);
    assert.equal(server.status, 'open', 'three are allowed');
    client.write(new TextEncoder().encode('data resets the count'));
    for (let i = 0; i < 3; i++) client.keyUpdate(false);
    for (const c of client.takeOutgoing()) server.receive(c);
    assert.equal(server.status, 'open', 'data between resets the count');
    for (let i = 0; i < 4; i++) client.keyUpdate(false);
    for (const c of client.takeOutgoing()) server.receive(c);
    assertLimit(server, 'maxKeyUpdatesInARow');
  });

  test('maxWarningAlertsInARow: a flood of warning alerts in TLS 1.2', () => {
    const { client, server } = pair({ maxVersion: 0x0303 }, { maxVersion: 0x0303 });
    pump(client, server);
    for (let i = 0; i <= DEFAULT_LIMITS.maxWarningAlertsInARow; i++) (server as unknown as { sendWarning?: never; host: { sendWarning(n: string): void } }).host.sendWarning('no_renegotiation');
    for (const c of server.takeOutgoing()) client.receive(c);
    assertLimit(client, 'maxWarningAlertsInARow');
  });

  test('maxRenegotiationsPerMinute: a client renegotiating in a loop', () => {
    let now = 0;
    const { client, server } = pair({ maxVersion: 0x0303 }, { maxVersion: 0x0303, renegotiation: true, now: () => now, limits: { maxRenegotiationsPerMinute: 2 } });
    pump(client, server);
    for (let i = 0; i < 2; i++) {
      client.renegotiate();
      pump(client, server);
      assert.equal(server.status, 'open', `renegotiation ${i + 1} is allowed`);
      now += 1000;
    }
    client.renegotiate();
    pump(client, server);
    assertLimit(server, 'maxRenegotiationsPerMinute');
    // A minute later the window is empty again.
    const second = pair({ maxVersion: 0x0303 }, { maxVersion: 0x0303, renegotiation: true, now: () => now, limits: { maxRenegotiationsPerMinute: 1 } });
    pump(second.client, second.server);
    second.client.renegotiate();
    pump(second.client, second.server);
    now += 61_000;
    second.client.renegotiate();
    pump(second.client, second.server);
    assert.equal(second.server.status, 'open');
  });

  test('maxDtlsReassemblyBytes: a DTLS flight larger than the reassembly buffer', () => {
    const client = new DtlsConnection({ side: 'client', provider, serverName: 'localhost', limits: { maxDtlsReassemblyBytes: 400 } });
    const server = new DtlsConnection({ side: 'server', provider, certificateChain: ID.chain, signer: ID.signer, mtu: 200 });
    client.start();
    for (let i = 0; i < 10 && client.status === 'handshaking'; i++) {
      for (const d of client.takeDatagrams()) server.receiveDatagram(d);
      for (const d of server.takeDatagrams()) client.receiveDatagram(d);
    }
    assert.equal(client.status, 'failed');
    assert.match(client.error!.message, /maxDtlsReassemblyBytes|maxCertificateChainBytes/);
  });

  test('handshakeTimeoutMs: a server that trickles a byte at a time (slowloris) still ends the handshake', async () => {
    const sockets: net.Socket[] = [];
    const srv = net.createServer((s) => {
      sockets.push(s);
      s.on('error', () => undefined);
      const hello = Uint8Array.of(22, 3, 3, 0x40, 0x00); // a record header promising 16 KiB that never comes
      let i = 0;
      const tick = setInterval(() => (s.destroyed ? clearInterval(tick) : s.write(Uint8Array.of(hello[i++ % hello.length]!))), 30);
      s.on('close', () => clearInterval(tick));
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    const started = Date.now();
    try {
      const session = await connect({ host: '127.0.0.1', port, serverName: 'localhost', limits: { handshakeTimeoutMs: 400 } });
      await assert.rejects(session.handshake(), /handshake timed out after 0.4 s .*limit handshakeTimeoutMs.*sent only \d+ bytes/);
      assert.ok(Date.now() - started < 3000);
    } finally {
      for (const s of sockets) s.destroy();
      srv.close();
    }
  });
});
