// The pcapng writer (engine/export/pcapng.ts) and the capture around it (engine/export/capture.ts), read back with a
// parser written here from the pcapng spec: block lengths and byte-order magic, the Decryption Secrets Block with the
// key log, the interface, and the synthesized IPv4/IPv6 + TCP (or UDP) headers: checksums, SYN/SYN-ACK/ACK, sequence
// and acknowledgement numbers continuous with the data, FIN at the end, timestamps from the trace. Then real
// in-memory handshakes (TLS 1.3, 1.2, 1.1, 1.0): the key log labels of each version, and a capture whose TCP
// payloads are exactly the records each side sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { TlsConnection } from '../../engine/conn/connection';
import type { ConnectionConfig } from '../../engine/conn/config';
import { nobleProvider } from '../../engine/crypto/noble';
import { identityFromPem } from '../../engine/tools/identity';
import { toJson, type TraceEvent } from '../../engine/trace/events';
import { addressPair, buildPcapng, internetChecksum, parseIp, parsePcapngBlocks, type Flow } from '../../engine/export/pcapng';
import { capturePcapng, ConnectionCapture, KeyLog, KEYLOG_LABELS, keyLogLine } from '../../engine/export/capture';
import { pump as pumpPair } from './pump';

// ---- a reader written from the spec, independent of the writer -------------------------------------------------

interface Block { type: number; total: number; body: DataView; bytes: Uint8Array }

function readBlocks(file: Uint8Array): Block[] {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const out: Block[] = [];
  for (let at = 0; at < file.length;) {
    const type = v.getUint32(at, true);
    const total = v.getUint32(at + 4, true);
    assert.ok(total >= 12 && total % 4 === 0, `block at ${at}: length ${total} is a multiple of 4, at least 12`);
    assert.ok(at + total <= file.length, `block at ${at} fits the file`);
    assert.equal(v.getUint32(at + total - 4, true), total, `block at ${at}: trailing length equals the leading one`);
    out.push({ type, total, body: new DataView(file.buffer, file.byteOffset + at + 8, total - 12), bytes: file.subarray(at + 8, at + total - 4) });
    at += total;
  }
  return out;
}

function readOptions(bytes: Uint8Array, from: number): Map<number, Uint8Array[]> {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<number, Uint8Array[]>();
  let at = from;
  while (at + 4 <= bytes.length) {
    const code = v.getUint16(at, true);
    const len = v.getUint16(at + 2, true);
    if (code === 0) {
      assert.equal(len, 0, 'opt_endofopt has length 0');
      assert.equal(at + 4, bytes.length, 'opt_endofopt ends the options');
      return out;
    }
    out.set(code, [...(out.get(code) ?? []), bytes.subarray(at + 4, at + 4 + len)]);
    at += 4 + ((len + 3) & ~3);
  }
  assert.equal(at, bytes.length, 'options fill the block');
  return out;
}

interface Pkt { us: number; flags?: number; ip: Uint8Array }

function packets(blocks: Block[]): Pkt[] {
  return blocks.filter((b) => b.type === 6).map((b) => {
    const v = b.body;
    assert.equal(v.getUint32(0, true), 0, 'interface 0');
    const us = v.getUint32(4, true) * 2 ** 32 + v.getUint32(8, true);
    const cap = v.getUint32(12, true);
    assert.equal(v.getUint32(16, true), cap, 'captured length = original length');
    const ip = b.bytes.subarray(20, 20 + cap);
    const opts = readOptions(b.bytes, 20 + ((cap + 3) & ~3));
    const f = opts.get(2)?.[0];
    return { us, ip, ...(f ? { flags: new DataView(f.buffer, f.byteOffset, 4).getUint32(0, true) } : {}) };
  });
}

interface Seg { src: string; dst: string; sport: number; dport: number; seq: number; ack: number; flags: number; payload: Uint8Array; us: number; mss?: number; dirFlag?: number }

const ipText = (b: Uint8Array) => (b.length === 4 ? [...b].join('.') : Array.from({ length: 8 }, (_, i) => ((b[2 * i]! << 8) | b[2 * i + 1]!).toString(16)).join(':'));

function pseudo(src: Uint8Array, dst: Uint8Array, proto: number, len: number): Uint8Array {
  if (src.length === 4) return Uint8Array.from([...src, ...dst, 0, proto, len >> 8, len & 0xff]);
  return Uint8Array.from([...src, ...dst, 0, 0, len >> 8, len & 0xff, 0, 0, 0, proto]);
}

/** IP and TCP/UDP headers parsed and their checksums verified. */
function parseIpPacket(p: Pkt): Seg & { proto: number } {
  const ip = p.ip;
  const v = new DataView(ip.buffer, ip.byteOffset, ip.byteLength);
  let src: Uint8Array, dst: Uint8Array, proto: number, l4: Uint8Array;
  if (ip[0]! >> 4 === 4) {
    const ihl = (ip[0]! & 15) * 4;
    assert.equal(v.getUint16(2), ip.length, 'IPv4 total length');
    assert.equal(internetChecksum(ip.subarray(0, ihl)), 0, 'IPv4 header checksum verifies');
    src = ip.subarray(12, 16);
    dst = ip.subarray(16, 20);
    proto = ip[9]!;
    l4 = ip.subarray(ihl);
  } else {
    assert.equal(ip[0]! >> 4, 6);
    assert.equal(v.getUint16(4), ip.length - 40, 'IPv6 payload length');
    src = ip.subarray(8, 24);
    dst = ip.subarray(24, 40);
    proto = ip[6]!;
    l4 = ip.subarray(40);
  }
  assert.equal(internetChecksum(pseudo(src, dst, proto, l4.length), l4), 0, `${proto === 6 ? 'TCP' : 'UDP'} checksum verifies`);
  const w = new DataView(l4.buffer, l4.byteOffset, l4.byteLength);
  if (proto === 17) {
    assert.equal(w.getUint16(4), l4.length, 'UDP length');
    return { proto, src: ipText(src), dst: ipText(dst), sport: w.getUint16(0), dport: w.getUint16(2), seq: 0, ack: 0, flags: 0, payload: l4.subarray(8), us: p.us, ...(p.flags !== undefined ? { dirFlag: p.flags } : {}) };
  }
  assert.equal(proto, 6);
  const hl = (l4[12]! >> 4) * 4;
  const mss = hl > 20 && l4[20] === 2 ? w.getUint16(22) : undefined;
  return {
    proto, src: ipText(src), dst: ipText(dst), sport: w.getUint16(0), dport: w.getUint16(2), seq: w.getUint32(4), ack: w.getUint32(8),
    flags: l4[13]!, payload: l4.subarray(hl), us: p.us, ...(mss !== undefined ? { mss } : {}), ...(p.flags !== undefined ? { dirFlag: p.flags } : {}),
  };
}

const FIN = 1, SYN = 2, PSH = 8, ACK = 16;

/** Walks a TCP conversation checking seq/ack continuity; returns each direction's byte stream. */
function checkTcp(segs: Seg[], clientPort: number): { c2s: Uint8Array; s2c: Uint8Array; flags: string[] } {
  const next: Record<string, number | undefined> = {};
  const stream: Record<string, number[]> = { c: [], s: [] };
  const flags: string[] = [];
  for (const s of segs) {
    const me = s.sport === clientPort ? 'c' : 's';
    const peer = me === 'c' ? 's' : 'c';
    flags.push(`${me}:${[s.flags & SYN ? 'S' : '', s.flags & FIN ? 'F' : '', s.flags & PSH ? 'P' : '', s.flags & ACK ? '.' : ''].join('')}`);
    if (s.flags & SYN) next[me] = s.seq;
    else assert.equal(s.seq, next[me], `${me} segment starts where its previous one ended`);
    if (s.flags & ACK) assert.equal(s.ack, next[peer], `${me} acknowledges everything ${peer} sent so far`);
    else assert.ok(s.flags & SYN && me === 'c', 'only the first SYN lacks ACK');
    next[me] = (next[me]! + s.payload.length + (s.flags & SYN ? 1 : 0) + (s.flags & FIN ? 1 : 0)) >>> 0;
    stream[me]!.push(...s.payload);
  }
  return { c2s: Uint8Array.from(stream.c!), s2c: Uint8Array.from(stream.s!), flags };
}

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

// ---- the file format ----------------------------------------------------------------------------------------------

const T0 = Date.UTC(2025, 0, 2, 3, 4, 5, 678);
const flow4: Flow = {
  transport: 'tcp',
  client: { address: '127.0.0.1', port: 50000 },
  server: { address: '127.0.0.1', port: 4433 },
  openedAt: T0, establishedAt: T0 + 0.25,
  segments: [
    { t: T0 + 1, from: 'client', data: bytes(300, 1) },
    { t: T0 + 3.5, from: 'server', data: bytes(5000, 2) },
    { t: T0 + 4, from: 'client', data: bytes(80, 3) },
    { t: T0 + 4.2, from: 'client', data: bytes(20, 4) }, // same millisecond: one send with the previous
    { t: T0 + 6, from: 'server', data: bytes(24, 5) },
  ],
  fins: { client: T0 + 7, server: T0 + 7.5 },
  perspective: 'client',
};
const KEYLOG = 'CLIENT_RANDOM 00112233 445566\nCLIENT_TRAFFIC_SECRET_0 00112233 778899\n';

test('pcapng: SHB (byte-order magic, version 1.0), DSB with the key log, IDB (LINKTYPE_RAW, microseconds), EPBs; every block\'s two lengths agree', () => {
  const file = buildPcapng({ flows: [flow4], keyLog: KEYLOG, comment: 'test capture' });
  const blocks = readBlocks(file);
  assert.deepEqual(blocks.slice(0, 3).map((b) => b.type), [0x0a0d0d0a, 0x0000000a, 0x00000001], 'SHB, DSB, IDB first');
  assert.ok(blocks.slice(3).every((b) => b.type === 6), 'then only EPBs');
  const shb = blocks[0]!.body;
  assert.equal(shb.getUint32(0, true), 0x1a2b3c4d, 'byte-order magic');
  assert.equal(shb.getUint16(4, true), 1);
  assert.equal(shb.getUint16(6, true), 0);
  assert.equal(shb.getBigInt64(8, true), -1n, 'section length not given');
  const shbOpts = readOptions(blocks[0]!.bytes, 16);
  assert.equal(new TextDecoder().decode(shbOpts.get(1)![0]), 'test capture');
  assert.equal(new TextDecoder().decode(shbOpts.get(4)![0]), 'TLS Lens');
  const dsb = blocks[1]!.body;
  assert.equal(dsb.getUint32(0, true), 0x544c534b, 'secrets type TLS key log');
  const len = dsb.getUint32(4, true);
  assert.equal(new TextDecoder().decode(blocks[1]!.bytes.subarray(8, 8 + len)), KEYLOG, 'the key log, byte for byte');
  assert.ok(blocks[1]!.bytes.subarray(8 + len).every((b) => b === 0), 'padding is zeros');
  const idb = blocks[2]!.body;
  assert.equal(idb.getUint16(0, true), 101, 'LINKTYPE_RAW');
  const idbOpts = readOptions(blocks[2]!.bytes, 8);
  assert.deepEqual([...idbOpts.get(9)![0]!], [6], 'if_tsresol 10^-6');
  assert.equal(parsePcapngBlocks(file).length, blocks.length, 'the module\'s own reader agrees');
});

test('pcapng: no Decryption Secrets Block without a key log', () => {
  const blocks = readBlocks(buildPcapng({ flows: [flow4] }));
  assert.deepEqual(blocks.slice(0, 2).map((b) => b.type), [0x0a0d0d0a, 0x00000001]);
  assert.ok(!blocks.some((b) => b.type === 0x0a));
});

test('pcapng: TCP over IPv4 between the real endpoints: SYN, SYN-ACK, ACK, data in MSS segments with continuous seq/ack, FIN both ways, final ACK', () => {
  const segs = packets(readBlocks(buildPcapng({ flows: [flow4], keyLog: KEYLOG }))).map(parseIpPacket);
  for (const s of segs) {
    assert.ok((s.src === '127.0.0.1' && s.dst === '127.0.0.1'));
    assert.ok((s.sport === 50000 && s.dport === 4433) || (s.sport === 4433 && s.dport === 50000));
  }
  const { c2s, s2c, flags } = checkTcp(segs, 50000);
  assert.deepEqual(flags, ['c:S', 's:S.', 'c:.', 'c:P.', 's:P.', 's:P.', 's:P.', 's:P.', 'c:P.', 's:P.', 'c:F.', 's:F.', 'c:.']);
  assert.deepEqual(c2s, Uint8Array.from([...bytes(300, 1), ...bytes(80, 3), ...bytes(20, 4)]), 'client bytes, in order, nothing else');
  assert.deepEqual(s2c, Uint8Array.from([...bytes(5000, 2), ...bytes(24, 5)]));
  assert.deepEqual(segs.filter((s) => s.payload.length).map((s) => s.payload.length), [300, 1460, 1460, 1460, 620, 100, 24], 'the 5000 bytes split at MSS 1460; the two client sends of one millisecond joined');
  assert.equal(segs[0]!.mss, 1460, 'the SYN carries the MSS option');
  // Timestamps: from the flow, microseconds, never going back.
  assert.equal(segs[0]!.us, T0 * 1000);
  assert.equal(segs[3]!.us, (T0 + 1) * 1000, 'the first data at its time');
  for (let i = 1; i < segs.length; i++) assert.ok(segs[i]!.us > segs[i - 1]!.us, 'strictly increasing');
  // Direction flags from the client's perspective.
  assert.deepEqual(segs.map((s) => s.dirFlag), segs.map((s) => (s.sport === 50000 ? 2 : 1)));
});

test('pcapng: a connection closed by the server first, and one never closed', () => {
  const closedByServer: Flow = { ...flow4, fins: { server: T0 + 6.5, client: T0 + 9 } };
  const a = checkTcp(packets(readBlocks(buildPcapng({ flows: [closedByServer] }))).map(parseIpPacket), 50000);
  assert.deepEqual(a.flags.slice(-3), ['s:F.', 'c:F.', 's:.']);
  const open: Flow = { ...flow4, fins: {} };
  const b = checkTcp(packets(readBlocks(buildPcapng({ flows: [open] }))).map(parseIpPacket), 50000);
  assert.ok(!b.flags.some((f) => f.includes('F')));
  // A FIN stamped before its side's last data (clocks in ms) still comes after that data.
  const early: Flow = { ...flow4, fins: { client: T0 + 2 } };
  const c = checkTcp(packets(readBlocks(buildPcapng({ flows: [early] }))).map(parseIpPacket), 50000);
  assert.equal(c.c2s.length, 400, 'all client data before its FIN');
  assert.deepEqual(c.flags.slice(-3), ['c:F.', 's:.', 's:P.'], 'the FIN acknowledged at once; the server may still send (half-close)');
});

test('pcapng: IPv6 endpoints, IPv4-mapped addresses as IPv4, zones dropped', () => {
  const v6: Flow = { ...flow4, client: { address: '::1', port: 50001 }, server: { address: 'fe80::1%lo', port: 443 } };
  const segs = packets(readBlocks(buildPcapng({ flows: [v6] }))).map(parseIpPacket);
  assert.equal(segs[0]!.src, '0:0:0:0:0:0:0:1');
  assert.equal(segs[0]!.dst, 'fe80:0:0:0:0:0:0:1');
  assert.equal(segs[0]!.mss, 1440);
  const { s2c } = checkTcp(segs, 50001);
  assert.equal(s2c.length, 5024);
  const [a, b] = addressPair('::ffff:127.0.0.1', '::ffff:10.1.2.3');
  assert.deepEqual([a.v, [...a.bytes], b.v, [...b.bytes]], [4, [127, 0, 0, 1], 4, [10, 1, 2, 3]]);
  const [c, d] = addressPair('127.0.0.1', '2001:db8::5');
  assert.deepEqual([c.v, d.v, [...c.bytes.subarray(10)]], [6, 6, [0xff, 0xff, 127, 0, 0, 1]]);
  assert.deepEqual([...parseIp('2001:db8::1:2').bytes], [0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2]);
  assert.deepEqual([...parseIp('::ffff:1.2.3.4').bytes.subarray(12)], [1, 2, 3, 4]);
  assert.throws(() => parseIp('1.2.3'), /not an IP address/);
  assert.throws(() => parseIp('1::2::3'), /not an IP address/);
});

test('pcapng: a UDP flow (for DTLS) is one datagram per send, no TCP handshake', () => {
  const udp: Flow = { transport: 'udp', client: { address: '127.0.0.1', port: 5000 }, server: { address: '127.0.0.1', port: 4444 }, segments: [
    { t: T0, from: 'client', data: bytes(200, 7) }, { t: T0 + 1, from: 'server', data: bytes(3000, 8) },
  ] };
  const segs = packets(readBlocks(buildPcapng({ flows: [udp] }))).map(parseIpPacket);
  assert.deepEqual(segs.map((s) => [s.proto, s.sport, s.payload.length]), [[17, 5000, 200], [17, 4444, 3000]]);
});

test('pcapng: several flows merged in time order, each keeping its own order', () => {
  const other: Flow = { ...flow4, client: { address: '127.0.0.1', port: 50002 }, openedAt: T0 + 2, establishedAt: T0 + 2, segments: [{ t: T0 + 2.5, from: 'client', data: bytes(10, 9) }], fins: {} };
  const segs = packets(readBlocks(buildPcapng({ flows: [flow4, other] }))).map(parseIpPacket);
  for (let i = 1; i < segs.length; i++) assert.ok(segs[i]!.us >= segs[i - 1]!.us);
  checkTcp(segs.filter((s) => s.sport === 50000 || s.dport === 50000), 50000);
  checkTcp(segs.filter((s) => s.sport === 50002 || s.dport === 50002), 50002);
});

// ---- key logs and captures from real handshakes -------------------------------------------------------------

const provider = nobleProvider();
const PKI = (n: string) => fs.readFileSync(path.resolve('test/fixtures/pki', n), 'utf8');
const id = identityFromPem(PKI('ec-p256.crt'), PKI('ec-p256.key'), 'ec-p256.crt');

function pair(version: number, logs: { c: KeyLog; s: KeyLog }, extra: Partial<ConnectionConfig> = {}) {
  const c = new TlsConnection({ side: 'client', provider, serverName: 'localhost', minVersion: version, maxVersion: version, onSecret: logs.c.sink(), ...extra });
  const s = new TlsConnection({ side: 'server', provider, certificateChain: id.chain, signer: id.signer, minVersion: version, maxVersion: version, onSecret: logs.s.sink(), ...extra });
  const events: { c: TraceEvent[]; s: TraceEvent[] } = { c: [], s: [] };
  c.onEvent = (e) => events.c.push(e);
  s.onEvent = (e) => events.s.push(e);
  const pump = () => pumpPair(c, s);
  c.start();
  pump();
  return { c, s, events, pump };
}

const labels = (log: KeyLog) => log.text().trim().split('\n').map((l) => l.split(' ')[0]);

test('key log: the five TLS 1.3 labels (client and server log the same lines), CLIENT_RANDOM for TLS 1.2, 1.1 and 1.0', () => {
  const l13 = { c: new KeyLog(), s: new KeyLog() };
  const p13 = pair(0x0304, l13);
  assert.equal(p13.c.status, 'open', p13.c.error?.message ?? p13.s.error?.message);
  assert.deepEqual(new Set(labels(l13.c)), new Set(['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0', 'EXPORTER_SECRET']));
  assert.equal(l13.c.text(), l13.s.text(), 'both ends derive the same secrets');
  for (const line of l13.c.text().trim().split('\n')) assert.match(line, /^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]{64,96}$/, 'LABEL client_random(32 bytes) secret');
  for (const [v, name] of [[0x0303, 'TLS 1.2'], [0x0302, 'TLS 1.1'], [0x0301, 'TLS 1.0']] as const) {
    const logs = { c: new KeyLog(), s: new KeyLog() };
    const p = pair(v, logs, v < 0x0303 ? { cipherSuites12: [0xc009] } : {});
    assert.equal(p.c.status, 'open', `${name}: ${p.c.error?.message ?? p.s.error?.message}`);
    assert.deepEqual(labels(logs.c), ['CLIENT_RANDOM'], name);
    assert.match(logs.c.text(), /^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}\n$/, `${name}: the 48-byte master secret`);
    assert.equal(logs.c.text(), logs.s.text());
  }
  for (const l of [...labels(l13.c), 'CLIENT_RANDOM']) assert.ok((KEYLOG_LABELS as readonly string[]).includes(l!));
});

test('key log: lines once each, in order; tees get each new line; a failing tee does not break it', () => {
  const seen: string[] = [];
  const log = new KeyLog().tee((l) => seen.push(l)).tee(() => {
    throw new Error('disk full');
  });
  const cr = bytes(32, 0xab);
  log.add('CLIENT_RANDOM', cr, bytes(48, 1));
  log.add('CLIENT_RANDOM', cr, bytes(48, 1));
  log.add('EXPORTER_SECRET', cr, bytes(32, 2));
  assert.equal(log.size, 2);
  assert.deepEqual(seen, [keyLogLine('CLIENT_RANDOM', cr, bytes(48, 1)), keyLogLine('EXPORTER_SECRET', cr, bytes(32, 2))]);
  assert.equal(log.text(), seen.map((l) => `${l}\n`).join(''));
  assert.equal(seen[0], `CLIENT_RANDOM ${'ab'.repeat(32)} ${'01'.repeat(48)}`);
});

for (const [version, name] of [[0x0304, 'TLS 1.3'], [0x0303, 'TLS 1.2']] as const) {
  test(`capture of a real ${name} session: the TCP streams are exactly the records each side sent, the DSB holds the session's key log`, () => {
    const logs = { c: new KeyLog(), s: new KeyLog() };
    const p = pair(version, logs);
    p.c.write(new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n'));
    p.pump();
    p.s.write(bytes(20000, 0x41));
    p.s.close();
    p.pump();
    p.c.close();
    p.pump();
    const cap = new ConnectionCapture('client', { client: { address: '127.0.0.1', port: 40000 }, server: { address: '127.0.0.1', port: 8443 }, openedAt: T0 });
    // As the panel holds them: the JSON form (bytes as hex), replayed by their t.
    for (const e of p.events.c) cap.onTrace(JSON.parse(toJson(e)) as never);
    // The server's own events are not this endpoint's: ignored.
    for (const e of p.events.s) cap.onTrace(e);
    const end = T0 + Math.max(...p.events.c.map((e) => e.t)) + 5;
    cap.fins.client = end;
    cap.fins.server = end + 1;
    const sent = (side: 'c' | 's', dir: 'in' | 'out') => Uint8Array.from(p.events[side].flatMap((e) => (e.kind === 'record' && e.dir === dir ? [...e.raw] : [])));
    const file = capturePcapng([cap], logs.c);
    const blocks = readBlocks(file);
    const dsb = blocks.find((b) => b.type === 0x0a)!;
    assert.equal(new TextDecoder().decode(dsb.bytes.subarray(8, 8 + dsb.body.getUint32(4, true))), logs.c.text());
    const { c2s, s2c, flags } = checkTcp(packets(blocks).map(parseIpPacket), 40000);
    assert.deepEqual(c2s, sent('c', 'out'), 'client to server: every record the client sent');
    assert.deepEqual(s2c, sent('c', 'in'), 'server to client: every record the client received');
    assert.deepEqual(s2c, sent('s', 'out'), '... which is what the server sent');
    assert.deepEqual(flags.slice(0, 3), ['c:S', 's:S.', 'c:.']);
    assert.deepEqual(flags.slice(-3), ['c:F.', 's:F.', 'c:.']);
    assert.ok(!new TextDecoder('latin1').decode(file).includes('GET / HTTP'), 'application data stays encrypted in the packets');
  });
}
