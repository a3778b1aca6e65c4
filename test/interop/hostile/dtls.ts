// The DTLS sections of the hostile peer suites: a hostile UDP server against our connectDtls() and a hostile UDP
// client against our createDtlsServer() (engine/net/dtls.ts), on 127.0.0.1. Invalid records must be dropped
// (RFC 6347 section 4.1.2.7), so a datagram of garbage never ends an association by itself; what the peer can make
// us hold or do is bounded by the limits (maxDtlsReassemblyBytes, maxRecordsPerHandshake, handshakeTimeoutMs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { nobleProvider } from '../../../engine/crypto/noble';
import { encodeHelloVerifyRequest } from '../../../engine/dtls/cookie';
import { DtlsConnection } from '../../../engine/dtls/connection';
import { encodeDtlsHandshakeHeader } from '../../../engine/dtls/handshake-fragment';
import { DTLS10, DTLS12, encodeDtlsRecord } from '../../../engine/dtls/record';
import { encodeAlert } from '../../../engine/msgs/alert';
import { connectDtls, createDtlsServer, type DtlsServer, type DtlsSession } from '../../../engine/net/dtls';
import { ID, sleep } from './endpoints';
import { describeOutcome, HostileSuite, judge, stallMeter, watch, type Expected, type VictimOutcome } from './harness';
import { cat, CT, HS, seededBytes } from './wire';

// ---- datagrams ----------------------------------------------------------------------------------------------------

/** One handshake fragment (RFC 6347 section 4.2.2): `n` bytes at `offset` of a message of `length` bytes. */
function fragment(msgType: number, messageSeq: number, length: number, offset: number, n: number): Uint8Array {
  return cat(encodeDtlsHandshakeHeader({ msgType, length, messageSeq, fragmentOffset: offset, fragmentLength: n }), seededBytes(offset + 1, n));
}

/** Numbers epoch-0 records, so none is dropped as a replay (RFC 6347 section 4.1.2.6). */
class RecordSeq {
  private next = 0;
  record(type: number, body: Uint8Array, version = DTLS12): Uint8Array {
    return encodeDtlsRecord(type, version, 0, this.next++, body);
  }
}

/** The first datagram of a DTLS 1.2 ClientHello of ours (no cookie yet). */
function firstClientHello(): Uint8Array {
  const c = new DtlsConnection({ side: 'client', provider: nobleProvider(), serverName: 'localhost' });
  c.start();
  return c.takeDatagrams()[0]!;
}

async function udpSocket(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  s.on('error', () => undefined); // ICMP unreachable after the victim went away
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return s;
}

/** Sends datagrams one by one, a little apart: victim and attacker share this process's event loop. */
async function sendPaced(s: dgram.Socket, port: number, datagrams: Uint8Array[], gapMs = 1): Promise<void> {
  for (const d of datagrams) {
    s.send(d, port, '127.0.0.1');
    await sleep(gapMs);
  }
}

// ---- a hostile UDP server against our client ------------------------------------------------------------------------

interface ClientDatagram {
  bytes: Uint8Array;
  /** Sends a datagram back to the client; nothing once the case has ended. */
  reply(d: Uint8Array): void;
  readonly ended: boolean;
}

/** Our DTLS client against a UDP server that answers each of its datagrams with `script`. */
async function dtlsClientUnderAttack(script: (d: ClientDatagram) => unknown, handshakeTimeoutMs: number, defer: (fn: () => unknown) => void): Promise<VictimOutcome> {
  const srv = await udpSocket();
  let ended = false;
  defer(() => {
    ended = true;
    srv.close();
  });
  srv.on('message', (m, ri) => void script({ bytes: new Uint8Array(m), reply: (d) => ended || srv.send(d, ri.port, ri.address), get ended() { return ended; } }));
  const t0 = performance.now();
  const session = await connectDtls({ host: '127.0.0.1', port: srv.address().port, serverName: 'localhost', handshakeTimeoutMs });
  defer(() => session.destroy());
  const outcome = watch(session, t0);
  session.begin();
  return outcome;
}

export function dtlsServerCases(suite: HostileSuite): void {
  const dtlsCase = (name: string, script: (d: ClientDatagram) => unknown, want: Expected | Expected[], handshakeTimeoutMs = 800, deadlineMs = 8000) =>
    test(`DTLS: ${name}`, async (t) => {
      const r = await suite.run(`DTLS: ${name}`, deadlineMs, async (c) => {
        const o = await dtlsClientUnderAttack(script, handshakeTimeoutMs, c.defer);
        judge(o, want);
        c.note(describeOutcome(o));
      });
      if (r.verdict === 'survived') t.diagnostic(r.detail);
      assert.equal(r.verdict, 'survived', r.detail);
    });

  dtlsCase('garbage datagrams are dropped (RFC 6347 section 4.1.2.7): the handshake ends at handshakeTimeoutMs', (d) => {
    const seq = new RecordSeq();
    d.reply(seededBytes(d.bytes.length, 300));
    d.reply(cat(seq.record(CT.handshake, seededBytes(7, 40)).subarray(0, 11), Uint8Array.of(0x40, 0x00), seededBytes(8, 20))); // length past the datagram
    d.reply(seq.record(CT.handshake, seededBytes(9, 60)));
  }, [
    { limit: 'handshakeTimeoutMs', withinMs: 1600 },
    // A record that is well formed but carries a malformed handshake fragment may instead end it with a fatal alert
    // (RFC 6347 section 4.1.2.7 lets an implementation alert, if fatally), as OpenSSL does.
    { alert: ['decode_error', 'illegal_parameter'], withinMs: 1600 },
  ]);

  dtlsCase('a HelloVerifyRequest for every ClientHello, forever: ended by maxRecordsPerHandshake or handshakeTimeoutMs', (() => {
    const seq = new RecordSeq();
    return (d: ClientDatagram) => {
      if (d.bytes[0] !== CT.handshake || d.bytes[13] !== HS.client_hello) return;
      const messageSeq = (d.bytes[17]! << 8) | d.bytes[18]!; // RFC 6347 section 4.2.1: the ClientHello's message_seq
      const hvr = encodeHelloVerifyRequest({ type: 'hello_verify_request', cookie: globalThis.crypto.getRandomValues(new Uint8Array(32)) }).subarray(4);
      d.reply(seq.record(CT.handshake, cat(encodeDtlsHandshakeHeader({ msgType: 3, length: hvr.length, messageSeq, fragmentOffset: 0, fragmentLength: hvr.length }), hvr), DTLS10));
    };
  })(), { limit: ['maxRecordsPerHandshake', 'handshakeTimeoutMs'], withinMs: 2500 }, 1500);

  dtlsCase('fragments of 16 messages announcing 60 KB each: maxDtlsReassemblyBytes', (d) => {
    if (d.bytes[13] !== HS.client_hello) return;
    const seq = new RecordSeq();
    d.reply(cat(...Array.from({ length: 16 }, (_, i) => seq.record(CT.handshake, fragment(i ? HS.certificate : HS.server_hello, i, 60_000, 0, 100)))));
  }, { limit: 'maxDtlsReassemblyBytes', withinMs: 1600 });

  dtlsCase('10,000 warning alerts before the ServerHello: maxRecordsPerHandshake', (d) => {
    if (d.bytes[13] !== HS.client_hello) return;
    const seq = new RecordSeq();
    const alert = encodeAlert({ level: 'warning', description: 112 });
    const datagrams = Array.from({ length: 100 }, () => cat(...Array.from({ length: 100 }, () => seq.record(CT.alert, alert))));
    return sendPacedReply(d, datagrams);
  }, { limit: 'maxRecordsPerHandshake', withinMs: 1600 });

  const name = 'DTLS: 16,000 one-byte fragments of one message, none adjacent: no datagram stalls the process, ended at handshakeTimeoutMs';
  test(name, async (t) => {
    const r = await suite.run(name, 30_000, async (c) => {
      const stalls = stallMeter();
      c.defer(() => stalls.stop());
      const o = await dtlsClientUnderAttack((d) => {
        if (d.bytes[13] !== HS.client_hello || d.bytes[18] !== 0) return;
        return sendPacedReply(d, scatteredFragments(new RecordSeq(), HS.server_hello, 0, 16_000, 3), 20);
      }, 2000, c.defer);
      assert.ok(stalls.max() < 300, `one datagram of 3600 fragments blocked the event loop for ${stalls.max()} ms (reassembly cost grows with the square of the fragments held)`);
      judge(o, [{ limit: 'handshakeTimeoutMs', withinMs: 3000 }, { message: /\bmax[A-Z]\w+/, withinMs: 3000 }]);
      c.note(`longest stall ${stalls.max()} ms; ${describeOutcome(o)}`);
    });
    if (r.verdict === 'survived') t.diagnostic(r.detail);
    assert.equal(r.verdict, 'survived', r.detail);
  });
}

async function sendPacedReply(d: ClientDatagram, datagrams: Uint8Array[], gapMs = 1): Promise<void> {
  for (const g of datagrams) {
    if (d.ended) return;
    d.reply(g);
    await sleep(gapMs);
  }
}

/**
 * `count` one-byte fragments of message `messageSeq` (announced 2 * count bytes long) at every even offset, so no
 * two touch: 1200 to a record (a record holds at most 2^14 bytes), `recordsPerDatagram` records to a datagram.
 * `lead` goes first in every record (a fragment that keeps a server from taking the record for a new ClientHello).
 */
function scatteredFragments(seq: RecordSeq, msgType: number, messageSeq: number, count: number, recordsPerDatagram: number, lead?: () => Uint8Array): Uint8Array[] {
  const records: Uint8Array[] = [];
  for (let i = 0; i < count; i += 1200) {
    const frags = Array.from({ length: Math.min(1200, count - i) }, (_, k) => fragment(msgType, messageSeq, 2 * count, 2 * (i + k), 1));
    records.push(seq.record(CT.handshake, cat(...(lead ? [lead()] : []), ...frags)));
  }
  const out: Uint8Array[] = [];
  for (let i = 0; i < records.length; i += recordsPerDatagram) out.push(cat(...records.slice(i, i + recordsPerDatagram)));
  return out;
}

// ---- a hostile UDP client against our server ------------------------------------------------------------------------

interface DtlsVictimServer {
  server: DtlsServer;
  port: number;
  sessions: DtlsSession[];
  outcomes: Promise<VictimOutcome>[];
  /** A well-behaved DTLS client of ours completes a handshake: the server still serves. */
  stillServes(): Promise<void>;
}

async function dtlsVictimServer(handshakeTimeoutMs: number, defer: (fn: () => unknown) => void): Promise<DtlsVictimServer> {
  const sessions: DtlsSession[] = [];
  const outcomes: Promise<VictimOutcome>[] = [];
  const server = await createDtlsServer({ host: '127.0.0.1', port: 0, certificateChain: ID.chain, signer: ID.signer, handshakeTimeoutMs }, (s) => {
    sessions.push(s);
    outcomes.push(watch(s));
  });
  defer(() => server.close());
  return {
    server, port: server.port, sessions, outcomes,
    async stillServes() {
      const c = await connectDtls({ host: '127.0.0.1', port: server.port, serverName: 'localhost', handshakeTimeoutMs: 5000 });
      const ended = watch(c);
      c.begin();
      try {
        await Promise.race([c.handshake(), ended.then((o) => Promise.reject(new Error(`a good DTLS client failed after the attack: ${o.error?.message ?? 'closed'}`)))]);
      } finally {
        c.destroy();
      }
    },
  };
}

export function dtlsClientCases(suite: HostileSuite): void {
  const dtlsCase = (name: string, body: (srv: DtlsVictimServer, defer: (fn: () => unknown) => void) => Promise<string>, handshakeTimeoutMs = 800, deadlineMs = 10_000) =>
    test(`DTLS: ${name}`, async (t) => {
      const r = await suite.run(`DTLS: ${name}`, deadlineMs, async (c) => {
        const srv = await dtlsVictimServer(handshakeTimeoutMs, c.defer);
        const how = await body(srv, c.defer);
        await srv.stillServes();
        c.note(`${how}; then a good DTLS client was served`);
      });
      if (r.verdict === 'survived') t.diagnostic(r.detail);
      assert.equal(r.verdict, 'survived', r.detail);
    });

  dtlsCase('garbage datagrams open no association (RFC 6347 section 4.1.2.7)', async (srv, defer) => {
    const s = await udpSocket();
    defer(() => s.close());
    const seq = new RecordSeq();
    await sendPaced(s, srv.port, [
      ...Array.from({ length: 50 }, (_, i) => seededBytes(i, 20 + i * 10)),
      seq.record(CT.alert, encodeAlert({ level: 'fatal', description: 10 })),
      seq.record(CT.appData, seededBytes(3, 100)),
      seq.record(CT.handshake, seededBytes(4, 100)), // a handshake record that is no ClientHello
    ]);
    await sleep(50);
    assert.equal(srv.sessions.length, 0, `${srv.sessions.length} associations opened for garbage`);
    return '53 datagrams of garbage opened no association';
  });

  dtlsCase('ClientHellos without a cookie from 300 ports: at most 256 associations wait for their cookie, the oldest give way (RFC 6347 section 4.2.1)', async (srv, defer) => {
    const hello = firstClientHello();
    const sockets = await Promise.all(Array.from({ length: 300 }, () => udpSocket()));
    for (const s of sockets) defer(() => s.close());
    for (const s of sockets) {
      s.send(hello, srv.port, '127.0.0.1');
      await sleep(0);
    }
    await sleep(100);
    // Each got its HelloVerifyRequest; a spoofed source never answers one, so what is kept for them is bounded: the
    // server keeps a short-lived association per source (so the cookie exchange shows in its trace), at most 256
    // (about 6 KB each, ClientHello fragments only), each for at most 10 s.
    assert.ok(srv.server.sessions <= 256, `${srv.server.sessions} associations are held for clients that never returned a cookie`);
    return `${srv.server.sessions} associations held for 300 cookie-less ClientHellos (bound 256)`;
  }, 1500);

  dtlsCase('40 unverified sources, each one 182-byte datagram announcing 7 fragments of 65 KB: no buffers held before the cookie', async (srv, defer) => {
    // What a spoofed source can make the server hold: nothing, until it proves it can receive (RFC 6347 section 4.2.1).
    const announce = (i: number) => encodeDtlsRecord(CT.handshake, DTLS12, 0, i, fragment(i ? HS.certificate : HS.client_hello, i, 65_000, 0, 1));
    const datagram = cat(...Array.from({ length: 7 }, (_, i) => announce(i)));
    const sockets = await Promise.all(Array.from({ length: 40 }, () => udpSocket()));
    for (const s of sockets) defer(() => s.close());
    const before = process.memoryUsage().arrayBuffers;
    for (const s of sockets) {
      s.send(datagram, srv.port, '127.0.0.1');
      await sleep(0);
    }
    await sleep(100);
    const grown = process.memoryUsage().arrayBuffers - before;
    assert.ok(grown < 4 * 1024 * 1024, `40 datagrams of ${datagram.length} bytes from unverified sources made the server hold ${Math.round(grown / 1024)} KB (${srv.server.sessions} associations)`);
    return `40 unverified datagrams: ${Math.round(grown / 1024)} KB held`;
  }, 1500);

  dtlsCase('a ClientHello fragment, then fragments of 15 messages announcing 60 KB each: dropped before the cookie, nothing buffered; ended at handshakeTimeoutMs', async (srv, defer) => {
    const s = await udpSocket();
    defer(() => s.close());
    const seq = new RecordSeq();
    await sendPaced(s, srv.port, [
      seq.record(CT.handshake, fragment(HS.client_hello, 0, 60_000, 0, 100)),
      cat(...Array.from({ length: 15 }, (_, i) => seq.record(CT.handshake, fragment(HS.certificate, i + 1, 60_000, 0, 100)))),
    ]);
    const o = await srv.outcomes[0]!;
    judge(o, [{ limit: 'maxDtlsReassemblyBytes', withinMs: 1000 }, { limit: 'handshakeTimeoutMs', withinMs: 3000 }]);
    return describeOutcome(o);
  });

  dtlsCase('16,000 one-byte fragments of a ClientHello, none adjacent: no datagram stalls the process, ended at handshakeTimeoutMs', async (srv, defer) => {
    const s = await udpSocket();
    defer(() => s.close());
    const stalls = stallMeter();
    defer(() => stalls.stop());
    const seq = new RecordSeq();
    s.send(seq.record(CT.handshake, fragment(HS.client_hello, 0, 32_000, 31_999, 1)), srv.port, '127.0.0.1'); // opens the association
    await sleep(5);
    // Each record leads with a fragment of message 1, so the server does not take it for a fresh ClientHello.
    await sendPaced(s, srv.port, scatteredFragments(seq, HS.client_hello, 0, 16_000, 3, () => fragment(HS.certificate, 1, 1000, 0, 1)), 20);
    const o = await srv.outcomes[0]!;
    assert.ok(stalls.max() < 300, `one datagram of 3600 fragments blocked the event loop for ${stalls.max()} ms (reassembly cost grows with the square of the fragments held)`);
    judge(o, [{ limit: 'handshakeTimeoutMs', withinMs: 3000 }, { message: /\bmax[A-Z]\w+/, withinMs: 3000 }]);
    return `longest stall ${stalls.max()} ms; ${describeOutcome(o)}`;
  }, 2000, 30_000);
}
