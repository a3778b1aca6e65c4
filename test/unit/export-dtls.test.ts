// DTLS captures (engine/export/capture.ts DatagramCapture, the UDP flows of engine/export/pcapng.ts): each datagram a
// DtlsSession sent or received ('datagram' events) becomes one UDP packet between the real endpoints, never joined
// with another however close in time, several records in one datagram kept together; the file's comment and
// interface say UDP and DTLS. Then a real DTLS 1.2 association between two in-memory DtlsSessions: each side's
// capture holds exactly the datagrams that crossed the link, and the client's key log (CLIENT_RANDOM) is in the DSB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import { nobleProvider } from '../../engine/crypto/noble';
import { HelloCookies } from '../../engine/dtls/cookie';
import { DtlsSession, type DatagramEvent } from '../../engine/net/dtls';
import { identityFromPem } from '../../engine/tools/identity';
import { capturePcapng, DatagramCapture, KeyLog } from '../../engine/export/capture';

// ---- a small reader: blocks, then IPv4 + UDP of each Enhanced Packet Block ----------------------------------------

interface Udp { src: string; dst: string; sport: number; dport: number; payload: Uint8Array; us: number; dirFlag?: number }

function blocks(file: Uint8Array): { type: number; bytes: Uint8Array }[] {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const out: { type: number; bytes: Uint8Array }[] = [];
  for (let at = 0; at < file.length;) {
    const total = v.getUint32(at + 4, true);
    assert.equal(v.getUint32(at + total - 4, true), total);
    out.push({ type: v.getUint32(at, true), bytes: file.subarray(at + 8, at + total - 4) });
    at += total;
  }
  return out;
}

/** The text of option `code` in an options list starting at `from`. */
function option(bytes: Uint8Array, from: number, code: number): Uint8Array | undefined {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = from; at + 4 <= bytes.length;) {
    const c = v.getUint16(at, true);
    const len = v.getUint16(at + 2, true);
    if (c === 0) return undefined;
    if (c === code) return bytes.subarray(at + 4, at + 4 + len);
    at += 4 + ((len + 3) & ~3);
  }
  return undefined;
}

function udpPackets(file: Uint8Array): Udp[] {
  return blocks(file).filter((b) => b.type === 6).map((b) => {
    const v = new DataView(b.bytes.buffer, b.bytes.byteOffset, b.bytes.byteLength);
    const us = v.getUint32(4, true) * 2 ** 32 + v.getUint32(8, true);
    const cap = v.getUint32(12, true);
    const ip = b.bytes.subarray(20, 20 + cap);
    assert.equal(ip[0], 0x45, 'IPv4, no options');
    assert.equal(ip[9], 17, 'UDP');
    const u = new DataView(ip.buffer, ip.byteOffset + 20, ip.length - 20);
    assert.equal(u.getUint16(4), ip.length - 20, 'UDP length');
    const f = option(b.bytes, 20 + ((cap + 3) & ~3), 2);
    return {
      src: [...ip.subarray(12, 16)].join('.'), dst: [...ip.subarray(16, 20)].join('.'), sport: u.getUint16(0), dport: u.getUint16(2),
      payload: ip.subarray(28), us, ...(f ? { dirFlag: new DataView(f.buffer, f.byteOffset, 4).getUint32(0, true) } : {}),
    };
  });
}

const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
const T0 = Date.UTC(2025, 0, 2, 3, 4, 5, 678);
const fill = (n: number, x: number) => new Uint8Array(n).fill(x);

// ---- DatagramCapture on its own -------------------------------------------------------------------------------------

test('DatagramCapture: one UDP packet per datagram, never joined (same millisecond, same side), ours the local endpoint, direction flags', () => {
  const source = Object.assign(new EventEmitter(), { local: { address: '127.0.0.1', port: 40001 }, remote: { address: '127.0.0.1', port: 4433 } });
  const cap = DatagramCapture.fromSession('client', source);
  const sent: DatagramEvent[] = [
    { dir: 'out', bytes: fill(100, 1), t: T0 },
    { dir: 'in', bytes: fill(60, 2), t: T0 + 0.1 },
    { dir: 'in', bytes: fill(70, 3), t: T0 + 0.2 }, // same millisecond, same side: still two datagrams
    { dir: 'in', bytes: new Uint8Array(0), t: T0 + 0.3 }, // an empty datagram carries nothing to show
    { dir: 'out', bytes: fill(30, 4), t: T0 + 5 },
  ];
  for (const d of sent) source.emit('datagram', d);
  assert.equal(cap.segments.length, 4);
  assert.equal(cap.bytes, 260);
  const pk = udpPackets(capturePcapng([cap], undefined));
  assert.deepEqual(pk.map((p) => [p.sport, p.dport, p.payload.length, p.dirFlag]), [[40001, 4433, 100, 2], [4433, 40001, 60, 1], [4433, 40001, 70, 1], [40001, 4433, 30, 2]]);
  assert.deepEqual(pk.map((p) => p.payload[0]), [1, 2, 3, 4]);
  assert.equal(pk[0]!.us, T0 * 1000);
  for (let i = 1; i < pk.length; i++) assert.ok(pk[i]!.us > pk[i - 1]!.us);
  // Bytes are copied: a buffer reused by the socket later does not change the capture.
  sent[0]!.bytes.fill(9);
  assert.equal(udpPackets(capturePcapng([cap], undefined))[0]!.payload[0], 1);
});

test('DatagramCapture: the server side (client = remote); an unspecified local address with a loopback peer is the loopback', () => {
  const s = new DatagramCapture('server');
  s.setEndpoints({ address: '0.0.0.0', port: 4433 }, { address: '127.0.0.1', port: 50000 });
  assert.deepEqual([s.client, s.server], [{ address: '127.0.0.1', port: 50000 }, { address: '127.0.0.1', port: 4433 }]);
  s.setEndpoints({ address: '::', port: 4433 }, { address: '::1', port: 50000 });
  assert.deepEqual(s.server, { address: '::1', port: 4433 });
  s.setEndpoints({ address: '0.0.0.0', port: 4433 }, { address: '192.0.2.7', port: 50000 });
  assert.deepEqual(s.server, { address: '0.0.0.0', port: 4433 }, 'not known for another peer: left as bound');
  s.onDatagram({ dir: 'in', bytes: fill(10, 1), t: T0 });
  s.onDatagram({ dir: 'out', bytes: fill(20, 2), t: T0 + 1 });
  const pk = udpPackets(capturePcapng([s], undefined));
  assert.deepEqual(pk.map((p) => [p.src, p.sport, p.dst, p.dport, p.dirFlag]), [['192.0.2.7', 50000, '0.0.0.0', 4433, 1], ['0.0.0.0', 4433, '192.0.2.7', 50000, 2]]);
  // A capture with no datagram adds no packet.
  assert.equal(udpPackets(capturePcapng([s, new DatagramCapture('client')], undefined)).length, 2);
});

test('capturePcapng with UDP flows: the section comment and the interface say DTLS and UDP', () => {
  const c = new DatagramCapture('client', { client: { address: '127.0.0.1', port: 1 }, server: { address: '127.0.0.1', port: 2 } });
  c.onDatagram({ dir: 'out', bytes: fill(5, 1), t: T0 });
  const b = blocks(capturePcapng([c], 'CLIENT_RANDOM 00 11\n'));
  assert.deepEqual(b.map((x) => x.type), [0x0a0d0d0a, 0x0a, 1, 6]);
  const comment = text(option(b[0]!.bytes, 16, 1));
  assert.match(comment, /DTLS bytes are exactly those sent and received \(one packet per datagram/);
  assert.match(comment, /IP and UDP headers/);
  assert.match(text(option(b[2]!.bytes, 8, 3)), /IP and UDP headers synthesized; DTLS bytes/);
});

// ---- a real association ---------------------------------------------------------------------------------------------

const provider = nobleProvider();
const PKI = (n: string) => fs.readFileSync(path.resolve('test/fixtures/pki', n), 'utf8');
const id = identityFromPem(PKI('ec-p256.crt'), PKI('ec-p256.key'), 'ec-p256.crt');

test('a DTLS 1.2 association in memory: each side\'s capture is exactly the datagrams that crossed the link, the DSB holds the client\'s CLIENT_RANDOM', async () => {
  const client = { address: '127.0.0.1', port: 50123 };
  const server = { address: '127.0.0.1', port: 4433 };
  const wire: { from: 'client' | 'server'; bytes: Uint8Array }[] = [];
  const logs = { c: new KeyLog(), s: new KeyLog() };
  let c!: DtlsSession;
  let s!: DtlsSession;
  // Each datagram is delivered on a later turn, as a socket would.
  c = new DtlsSession((d) => {
    wire.push({ from: 'client', bytes: d.slice() });
    setImmediate(() => s.receive(d.slice()));
  }, 'client', { provider, serverName: 'localhost', onSecret: logs.c.sink() });
  s = new DtlsSession((d) => {
    wire.push({ from: 'server', bytes: d.slice() });
    setImmediate(() => c.receive(d.slice()));
  }, 'server', { provider, certificateChain: id.chain, signer: id.signer, cookies: new HelloCookies({ provider }), peer: client, onSecret: logs.s.sink() });
  c.local = client;
  c.remote = server;
  s.local = server;
  s.remote = client;
  const caps = { c: DatagramCapture.fromSession('client', c), s: DatagramCapture.fromSession('server', s) };
  const got: string[] = [];
  s.on('data', (d: Uint8Array) => {
    got.push(text(d));
    s.write('HTTP/1.0 200 ok\r\n\r\n');
    s.end();
  });
  const ended = new Promise<void>((resolve) => c.on('close', () => resolve()));
  c.on('data', (d: Uint8Array) => got.push(text(d)));
  c.on('end', () => c.end());
  s.begin();
  c.begin();
  await c.handshake();
  c.write('GET / HTTP/1.0\r\n\r\n');
  await ended;
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(got, ['GET / HTTP/1.0\r\n\r\n', 'HTTP/1.0 200 ok\r\n\r\n']);

  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  const cpk = udpPackets(capturePcapng([caps.c], logs.c));
  // The client's file: every datagram of the link, in order, the client's port to the server's and back.
  assert.deepEqual(cpk.map((p) => `${p.sport}>${p.dport}:${hex(p.payload)}`), wire.map((w) => (w.from === 'client' ? `50123>4433:` : `4433>50123:`) + hex(w.bytes)));
  assert.ok(wire.length >= 10, `${wire.length} datagrams`);
  // The server's file: what it received and sent, to the end of its session (the client's close_notify came after).
  const spk = udpPackets(capturePcapng([caps.s], logs.s));
  const sExpected = wire.map((w) => (w.from === 'client' ? `50123>4433:` : `4433>50123:`) + hex(w.bytes));
  assert.deepEqual(spk.map((p) => `${p.sport}>${p.dport}:${hex(p.payload)}`), sExpected.slice(0, spk.length));
  assert.ok(sExpected.length - spk.length <= 1, `${spk.length} of ${sExpected.length}`);
  // The first datagram is the ClientHello (handshake record of epoch 0, a DTLS record version, message type 1).
  assert.deepEqual([cpk[0]!.payload[0], cpk[0]!.payload[1], cpk[0]!.payload[3], cpk[0]!.payload[4], cpk[0]!.payload[13]], [22, 0xfe, 0, 0, 1]);
  // The key log in the client's file.
  const dsb = blocks(capturePcapng([caps.c], logs.c)).find((b) => b.type === 0x0a)!;
  const v = new DataView(dsb.bytes.buffer, dsb.bytes.byteOffset, dsb.bytes.byteLength);
  assert.equal(v.getUint32(0, true), 0x544c534b, 'TLSK');
  const keyLog = text(dsb.bytes.subarray(8, 8 + v.getUint32(4, true)));
  assert.match(keyLog, /^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}\n$/);
  assert.equal(keyLog, logs.c.text());
  // The client random of the key log is the ClientHello's (record header 13, handshake header 12, version 2).
  assert.equal(keyLog.split(' ')[1], hex(cpk[0]!.payload.subarray(13 + 12 + 2, 13 + 12 + 2 + 32)));
  assert.ok(!text(cpk.map((p) => p.payload).reduce((a, b) => Buffer.concat([a, b]), Buffer.alloc(0))).includes('GET / HTTP'), 'application data stays encrypted in the packets');
});
