// DTLS over a bad network, with OpenSSL as the peer (RFC 6347): a UDP relay on 127.0.0.1 between our client and
// `openssl s_server -dtls1_2`, and between `openssl s_client -dtls1_2` and our server, loses the first datagram
// of each flight once, holds one datagram back so the next overtakes it, or sends every datagram twice; the
// handshake completes within a few seconds (retransmission on the section 4.2.4 timer, reassembly of
// out-of-order fragments at a 500-byte MTU, the replay window), retransmissions are counted in our trace, and
// data goes both ways exactly once. Then the cookie exchange of section 4.2.1 seen from the wire (a HelloVerify-
// Request first, another one for a wrong cookie), and bad input: garbage datagrams are dropped and traced while
// the association goes on, and a record with a bad MAC is dropped silently (section 4.1.2.7), during the
// handshake too, where the peer's retransmission must then complete it.
//
// openssl is a test dependency (scripts/install-test-deps.sh): without it these tests fail, naming it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { nobleProvider } from '../../engine/crypto/noble';
import { DtlsConnection } from '../../engine/dtls/connection';
import { decodeDtlsHandshakeFragments } from '../../engine/dtls/handshake-fragment';
import { splitDatagram } from '../../engine/dtls/record';
import type { DtlsSessionOptions } from '../../engine/net/dtls';
import { HandshakeType } from '../../engine/registry/handshake-types';
import {
  describeDtlsLog, identity, opensslClient, opensslDtlsServer, ourDtlsClientHandshake, ourDtlsEchoServer, receiveDtls,
  requireOpensslTool, udpRelay, waitForFrom, PKI, type RelayAction, type RelayDatagram, type RelayDir, type UdpRelay,
} from './peers';

const CT_CCS = 20;
const CT_ALERT = 21;
const CT_HANDSHAKE = 22;
const CT_APP = 23;

function ours(key: string): Pick<DtlsSessionOptions, 'certificateChain' | 'signer'> {
  const id = identity(`${key}.crt`, `${key}.key`);
  return { certificateChain: id.chain, signer: id.signer };
}
const certArgs = (key: string) => ['-cert', PKI(`${key}.crt`), '-key', PKI(`${key}.key`)];

/** One datagram in short: its records as `22@0/3[1#0 0+120]` (type@epoch/seq, then handshake fragments when readable). */
function describeDatagram(b: Uint8Array): string {
  const { records, drop } = splitDatagram(b);
  const rs = records.map((r) => {
    let s = `${r.type}@${r.epoch}/${r.seq}:${r.length}`;
    if (r.type === CT_HANDSHAKE && r.epoch === 0) {
      try {
        s += decodeDtlsHandshakeFragments(r.fragment).map((f) => `[${f.msgType}#${f.messageSeq} ${f.fragmentOffset}+${f.fragmentLength}]`).join('');
      } catch {
        s += '[?]';
      }
    }
    return s;
  });
  return rs.join(' ') + (drop ? ` (+${drop.droppedBytes} bad bytes)` : '');
}

function describeRelay(r: UdpRelay): string {
  return r.log.map((d) => `    ${String(d.t).padStart(5)} ms ${d.dir} #${d.index} ${d.action.padEnd(9)} ${d.bytes.length} B  ${describeDatagram(d.bytes)}`).join('\n');
}

/** Whether a datagram carries only handshake and ChangeCipherSpec records (what a flight is made of). */
function isHandshakeDatagram(d: RelayDatagram): boolean {
  const { records } = splitDatagram(d.bytes);
  return records.length > 0 && records.every((r) => r.type === CT_HANDSHAKE || r.type === CT_CCS);
}

/** What identifies a datagram across retransmissions (which re-seal with new record numbers): its messages and record shapes. */
function flightKey(d: RelayDatagram): string {
  return d.dir + ' ' + splitDatagram(d.bytes).records.map((r) => {
    if (r.type === CT_HANDSHAKE && r.epoch === 0) return decodeDtlsHandshakeFragments(r.fragment).map((f) => `${f.msgType}#${f.messageSeq}@${f.fragmentOffset}`).join(',');
    return `${r.type}@${r.epoch}:${r.length}`;
  }).join(' ');
}

/** A datagram that starts a flight: a handshake datagram after one the other way (or the first of all). */
function flightStarts(): (d: RelayDatagram) => boolean {
  let last: RelayDir | undefined;
  return (d) => {
    if (!isHandshakeDatagram(d)) return false;
    const start = d.dir !== last;
    last = d.dir;
    return start;
  };
}

type Impairment = 'lose' | 'lose-after-cookie' | 'reorder' | 'duplicate';

/** The relay policies: lose the first datagram of each flight once; hold it back so the next overtakes it; send everything twice. */
function policy(kind: Impairment): (d: RelayDatagram) => RelayAction {
  const starts = flightStarts();
  const dropped = new Set<string>();
  return (d) => {
    const start = starts(d);
    if (kind === 'duplicate') return 'duplicate';
    if (!start) return 'forward';
    if (kind === 'reorder') return 'hold';
    const key = flightKey(d);
    // the cookie exchange (the first ClientHello and the HelloVerifyRequest) spared
    if (kind === 'lose-after-cookie' && (/^c2s 1#0@/.test(key) || /^s2c 3#0@/.test(key))) return 'forward';
    if (dropped.has(key)) return 'forward';
    dropped.add(key);
    return 'drop';
  };
}

const count = (hay: string, needle: string) => hay.split(needle).length - 1;

// ---------------------------------------------------------------------------------------------------------
// Loss, reordering, duplication

interface ImpairCase {
  kind: Impairment;
  /** RSA-4096 certificates at a 500-byte MTU both ways, so flights span many datagrams. */
  big?: boolean;
  /** Our timer-driven or answering retransmissions must be at least this many. */
  minRetransmissions: number;
}

// Regression checks for engine faults these cases once hit (minimal sans-IO reproductions: out/h9/repro.ts):
//  - our client: DtlsConnection keeps the previous flight when the peer's flight arrives (awaitingPeer is cleared on
//    receipt, so sendMessage never resets `flight`): the retransmitted flight 5 starts with the second ClientHello,
//    re-sealed by the epoch-0 DTLS 1.0 writer that settleVersion replaced (record version 0xfeff, record numbers
//    reused); OpenSSL discards the whole datagram at that record (wrong version), so s_server never completes.
//  - our client, RSA-4096: s_server's NewSessionTicket's first fragment lost, its ChangeCipherSpec arrives first:
//    Client12 fails with unexpected_message ("ChangeCipherSpec before the NewSessionTicket the server promised")
//    instead of dropping the early ChangeCipherSpec and waiting for the retransmission.
//  - our server: a lost HelloVerifyRequest is never answered again (the retransmitted ClientHello#0 is dropped as a
//    retransmission); and after the cookie exchange, s_client's retransmitted flight 5 carries its
//    ChangeCipherSpec again, which Server12 takes as fatal ("ChangeCipherSpec in state wait_finished" / in state
//    connected), and a retransmission of the peer's flight is never answered from FINISHED (the `awaitingPeer ===
//    false` condition in onHandshakeRecord); s_client's next retransmission (its ClientKeyExchange is an epoch-0
//    handshake record) then opens a new association, which answers its ChangeCipherSpec with a plaintext fatal alert.
const IMPAIR: ImpairCase[] = [
  { kind: 'lose', minRetransmissions: 2 },
  { kind: 'lose-after-cookie', minRetransmissions: 1 },
  { kind: 'lose', big: true, minRetransmissions: 2 },
  { kind: 'reorder', big: true, minRetransmissions: 0 },
  { kind: 'duplicate', minRetransmissions: 0 },
  { kind: 'duplicate', big: true, minRetransmissions: 0 },
];
const impairName = (c: ImpairCase) => `${c.kind === 'lose' ? 'the first datagram of each flight lost once' : c.kind === 'lose-after-cookie' ? 'the first datagram of each flight after the cookie exchange lost once' : c.kind === 'reorder' ? 'the first datagram of each flight overtaken by the next' : 'every datagram duplicated'}${c.big ? ' (RSA-4096 both ways, MTU 500)' : ''}`;

describe('our DTLS client to s_server -dtls1_2 through an impaired relay', { concurrency: true }, () => {
  for (const c of IMPAIR) {
    it(impairName(c), { timeout: 30_000 }, async (t) => {
      requireOpensslTool();
      const key = c.big ? 'rsa4096' : 'ec-p256';
      const server = await opensslDtlsServer(['-dtls1_2', '-brief', '-nbio', ...certArgs(key), ...(c.big ? ['-mtu', '500', '-Verify', '1'] : [])]);
      const relay = await udpRelay(server.port, policy(c.kind));
      const context = () => `\n--- relay:\n${describeRelay(relay)}\n--- s_server printed:\n${server.output().slice(-2000)}`;
      const t0 = Date.now();
      try {
        const run = await ourDtlsClientHandshake({ host: '127.0.0.1', port: relay.port, handshakeTimeoutMs: 12_000, ...(c.big ? { mtu: 500, ...ours('rsa4096') } : {}) })
          .catch((e) => assert.fail(`${(e as Error).message}${context()}`));
        const ms = Date.now() - t0;
        try {
          const ctx = () => `\n  ${describeDtlsLog(run)}${context()}`;
          assert.ok(ms < 15_000, `handshake in ${ms} ms${ctx()}`);
          assert.ok(run.retransmissions().length >= c.minRetransmissions, `at least ${c.minRetransmissions} retransmissions in our trace, saw ${run.retransmissions().length}${ctx()}`);
          if (c.kind.startsWith('lose')) assert.ok(relay.log.some((d) => d.action === 'drop' && d.dir === 's2c') && relay.log.some((d) => d.action === 'drop' && d.dir === 'c2s'), `the relay lost datagrams both ways${ctx()}`);
          await server.waitFor(/Protocol version: DTLSv1\.2/).catch((e) => assert.fail(`${(e as Error).message}${ctx()}`));
          let all = '';
          run.session.on('data', (d: Uint8Array) => (all += new TextDecoder().decode(d)));
          run.session.write('impaired hello 1\n');
          run.session.write('impaired hello 2\n');
          await server.waitFor(/impaired hello 2/).catch((e) => assert.fail(`${(e as Error).message}${ctx()}`));
          server.proc.stdin!.write('impaired reply\n');
          await Promise.race([receiveDtls(run.session, 'impaired reply\n'), run.failure]).catch((e) => assert.fail(`${(e as Error).message}${ctx()}`));
          await new Promise((r) => setTimeout(r, 100)); // a duplicate, if it got through, would be here by now
          assert.equal(count(server.output(), 'impaired hello 1'), 1, `s_server got our line once${ctx()}`);
          assert.equal(count(all, 'impaired reply'), 1, `we got s_server's line once${ctx()}`);
          assert.deepEqual(run.alertsOut(), [], `we sent no alert${ctx()}`);
          if (c.kind === 'duplicate') assert.ok(run.drops().some((m) => /already received/.test(m)), `duplicated records traced as dropped${ctx()}`);
          if (c.kind === 'reorder') for (const dir of ['c2s', 's2c'] as const) assert.ok(relay.log.some((d) => d.dir === dir && d.action === 'hold'), `the relay held back a ${dir} datagram${ctx()}`);
          t.diagnostic(`${ms} ms; our retransmissions: ${run.retransmissions().length}; our drops: ${run.drops().length}; relay: ${relay.log.length} datagrams, ${relay.log.filter((d) => d.action !== 'forward').length} impaired`);
        } finally {
          run.session.end();
        }
      } finally {
        relay.close();
        await server.stop();
      }
    });
  }
});

describe('s_client -dtls1_2 to our DTLS server through an impaired relay', { concurrency: true }, () => {
  for (const c of IMPAIR) {
    it(impairName(c), { timeout: 30_000 }, async (t) => {
      requireOpensslTool();
      const key = c.big ? 'rsa4096' : 'ec-p256';
      const server = await ourDtlsEchoServer({ ...ours(key), handshakeTimeoutMs: 12_000, ...(c.big ? { mtu: 500, clientAuth: 'require' as const } : {}) });
      const relay = await udpRelay(server.port, policy(c.kind));
      const t0 = Date.now();
      const client = opensslClient(relay.port, ['-dtls1_2', '-nbio', ...(c.big ? ['-mtu', '500', ...certArgs('rsa4096')] : [])]);
      const context = () => `\n--- our server:\n${server.describe()}\n--- relay:\n${describeRelay(relay)}\n--- s_client printed:\n${client.output().slice(-1500)}`;
      try {
        const conn = await server.settled(0, 12_000).catch((e) => assert.fail(`${(e as Error).message}${context()}`));
        assert.ok(conn.negotiated, `our server completed the handshake${context()}`);
        await client.waitFor(/Verify return code/, 8000).catch((e) => assert.fail(`s_client did not complete its handshake: ${(e as Error).message.split('\n')[0]}${context()}`));
        const ms = Date.now() - t0;
        assert.ok(ms < 15_000, `handshake in ${ms} ms${context()}`);
        assert.ok(conn.retransmissions().length >= c.minRetransmissions, `at least ${c.minRetransmissions} retransmissions in our trace, saw ${conn.retransmissions().length}${context()}`);
        client.proc.stdin!.write('impaired ping\n');
        await server.received(/impaired ping/).catch((e) => assert.fail(`${(e as Error).message}${context()}`));
        await waitForFrom(client, /impaired ping/, client.output().indexOf('Verify return code')).catch((e) => assert.fail(`${(e as Error).message}${context()}`));
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(count(conn.received, 'impaired ping'), 1, `our server got the line once${context()}`);
        assert.deepEqual(conn.alertsOut(), [], `our server sent no alert${context()}`);
        assert.equal(conn.error, undefined, `no error${context()}`);
        if (c.kind === 'reorder') for (const dir of ['c2s', 's2c'] as const) assert.ok(relay.log.some((d) => d.dir === dir && d.action === 'hold'), `the relay held back a ${dir} datagram${context()}`);
        if (c.kind === 'duplicate') assert.ok(conn.drops().some((m) => /already received/.test(m)), `duplicated records traced as dropped${context()}`);
        t.diagnostic(`${ms} ms; our retransmissions: ${conn.retransmissions().length}; our drops: ${conn.drops().length}; relay: ${relay.log.length} datagrams, ${relay.log.filter((d) => d.action !== 'forward').length} impaired`);
      } finally {
        await client.stop();
        relay.close();
        server.close();
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------------------
// The cookie exchange, from the wire

/** A UDP socket on 127.0.0.1 that collects what it receives. */
async function probe() {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const got: Uint8Array[] = [];
  sock.on('message', (m) => got.push(new Uint8Array(m)));
  return {
    sock,
    got,
    send: (port: number, b: Uint8Array) => sock.send(b, port, '127.0.0.1'),
    async next(n: number, ms = 3000): Promise<Uint8Array> {
      const t0 = Date.now();
      while (got.length < n) {
        if (Date.now() - t0 > ms) throw new Error(`received ${got.length} datagrams, expected ${n}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return got[n - 1]!;
    },
    close: () => sock.close(),
  };
}

/** The handshake messages of a datagram's plaintext records, as [msgType, message_seq]. */
function messagesOf(b: Uint8Array): Array<[number, number]> {
  return splitDatagram(b).records.filter((r) => r.type === CT_HANDSHAKE && r.epoch === 0)
    .flatMap((r) => decodeDtlsHandshakeFragments(r.fragment).map((f) => [f.msgType, f.messageSeq] as [number, number]));
}

/** Byte offset of the cookie's length byte in a datagram holding one whole DTLS ClientHello in one record. */
function cookieOffset(b: Uint8Array): number {
  const sid = 13 + 12 + 2 + 32;
  return sid + 1 + b[sid]!;
}

describe('HelloVerifyRequest cookies (RFC 6347 section 4.2.1)', () => {
  it('our server answers every first ClientHello with a HelloVerifyRequest (s_client, twice)', { timeout: 20_000 }, async () => {
    requireOpensslTool();
    const server = await ourDtlsEchoServer(ours('ec-p256'));
    try {
      for (let i = 0; i < 2; i++) {
        const n0 = server.conns.length;
        const client = opensslClient(server.port, ['-dtls1_2']);
        try {
          await client.waitFor(/Verify return code/);
          const conn = await server.settled(n0);
          assert.ok(conn.negotiated, server.describe());
          const hvr = conn.events.findIndex((e) => e.kind === 'record' && e.dir === 'out');
          const firstOut = conn.events[hvr];
          assert.ok(firstOut && firstOut.kind === 'record', server.describe());
          assert.equal(firstOut.contentType, CT_HANDSHAKE);
          assert.deepEqual(messagesOf(firstOut.raw), [[HandshakeType.hello_verify_request, 0]], 'the first record we sent is a HelloVerifyRequest');
          assert.match(conn.infos[0] ?? '', /no cookie: answering with a HelloVerifyRequest/, server.describe());
          assert.ok(conn.infos.some((m) => /the client returned our cookie/.test(m)), server.describe());
          assert.deepEqual(conn.messages.slice(0, 3), ['in:client_hello', 'in:client_hello', 'out:server_hello'], server.describe());
        } finally {
          await client.stop();
        }
      }
    } finally {
      server.close();
    }
  });

  it('a ClientHello with a wrong cookie gets another HelloVerifyRequest, not a ServerHello; the right cookie then gets the handshake', { timeout: 20_000 }, async () => {
    const server = await ourDtlsEchoServer(ours('ec-p256'));
    const p = await probe();
    // A sans-IO client of ours makes the ClientHellos; the probe socket carries them, changed or not.
    const client = new DtlsConnection({ side: 'client', provider: nobleProvider() });
    try {
      client.start();
      const [ch1] = client.takeDatagrams();
      p.send(server.port, ch1!);
      const hvr1 = await p.next(1);
      assert.deepEqual(messagesOf(hvr1), [[HandshakeType.hello_verify_request, 0]], `the first answer is a HelloVerifyRequest: ${describeDatagram(hvr1)}`);
      client.receiveDatagram(hvr1);
      const [ch2] = client.takeDatagrams();
      assert.ok(ch2, 'our client answered the HelloVerifyRequest');
      const at = cookieOffset(ch2);
      assert.ok(ch2[at]! > 0, 'the second ClientHello carries a cookie');
      const bad = Uint8Array.from(ch2);
      bad[at + bad[at]!]! ^= 0x01; // the cookie's last byte
      p.send(server.port, bad);
      const hvr2 = await p.next(2);
      assert.deepEqual(messagesOf(hvr2).map(([t]) => t), [HandshakeType.hello_verify_request], `a wrong cookie: another HelloVerifyRequest (${describeDatagram(hvr2)})\n${server.describe()}`);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(p.got.length, 2, `nothing but the HelloVerifyRequest came back: ${p.got.map(describeDatagram).join(' | ')}`);
      assert.ok(server.conns[0]?.infos.some((m) => /a cookie we did not make for this client: answering with a HelloVerifyRequest/.test(m)), server.describe());
      assert.ok(!server.conns[0]?.messages.includes('out:server_hello'), server.describe());
      // The client answers the new HelloVerifyRequest with a ClientHello carrying the (right) cookie: the handshake goes on.
      client.receiveDatagram(hvr2);
      const [ch3] = client.takeDatagrams();
      assert.ok(ch3, `our client answered the second HelloVerifyRequest${describeDtlsLog(server.conns[0]!)}`);
      p.send(server.port, ch3);
      const sh = await p.next(3).catch((e) => assert.fail(`${(e as Error).message}: the right cookie got no answer\n${server.describe()}`));
      assert.equal(messagesOf(sh)[0]?.[0], HandshakeType.server_hello, `then a ServerHello: ${describeDatagram(sh)}\n${server.describe()}`);
      assert.ok(server.conns[0]?.infos.some((m) => /the client returned our cookie/.test(m)), server.describe());
    } finally {
      p.close();
      server.close();
    }
  });

  // Regression check (fixed): the association's reassembler consumed message_seq 0 with the first ClientHello, so the client's
  // retransmission of it (its HelloVerifyRequest was lost) is dropped as a 'retransmission' and never answered; the
  // HelloVerifyRequest is not retransmitted either (stateless), so one lost HelloVerifyRequest hangs the handshake.
  it('a retransmitted first ClientHello (the HelloVerifyRequest was lost) gets another HelloVerifyRequest', { timeout: 20_000 }, async () => {
    const server = await ourDtlsEchoServer(ours('ec-p256'));
    const p = await probe();
    const client = new DtlsConnection({ side: 'client', provider: nobleProvider() });
    try {
      client.start();
      const ch = client.takeDatagrams()[0]!;
      p.send(server.port, ch);
      await p.next(1); // "lost"
      const again = Uint8Array.from(ch);
      again[10] = 1; // the client's retransmission: same message (message_seq 0), record sequence number 1
      p.send(server.port, again);
      const hvr = await p.next(2, 1500).catch((e) => assert.fail(`${(e as Error).message}: the retransmitted ClientHello got no answer\n${server.describe()}`));
      assert.deepEqual(messagesOf(hvr).map(([t]) => t), [HandshakeType.hello_verify_request], describeDatagram(hvr));
    } finally {
      p.close();
      server.close();
    }
  });

  // Regression check (fixed): the ClientHello (message_seq 1) reaches a new association, whose reassembler waits for message_seq 0 and
  // holds it: no HelloVerifyRequest, nothing, and the client retransmits into silence until it gives up. The same
  // happens to a client whose NAT binding (source port) changed between its two ClientHellos.
  it('a ClientHello whose cookie was made for another client port gets a HelloVerifyRequest', { timeout: 20_000 }, async () => {
    const server = await ourDtlsEchoServer(ours('ec-p256'));
    const a = await probe();
    const b = await probe();
    const client = new DtlsConnection({ side: 'client', provider: nobleProvider() });
    try {
      client.start();
      a.send(server.port, client.takeDatagrams()[0]!);
      client.receiveDatagram(await a.next(1));
      const [ch2] = client.takeDatagrams();
      b.send(server.port, ch2!); // a's cookie, from b's port
      const answer = await b.next(1);
      assert.deepEqual(messagesOf(answer).map(([t]) => t), [HandshakeType.hello_verify_request], `${describeDatagram(answer)}\n${server.describe()}`);
    } finally {
      a.close();
      b.close();
      server.close();
    }
  });

  // Regression check (fixed): our HelloVerifyRequest takes the next record number of our epoch-0 writer (0), not the ClientHello's.
  it('the HelloVerifyRequest takes the ClientHello\'s record sequence number (section 4.2.1: "MUST use the record sequence number in the ClientHello")', { timeout: 20_000 }, async () => {
    const server = await ourDtlsEchoServer(ours('ec-p256'));
    const p = await probe();
    const client = new DtlsConnection({ side: 'client', provider: nobleProvider() });
    try {
      client.start();
      const ch = Uint8Array.from(client.takeDatagrams()[0]!);
      ch[10] = 5; // record sequence number 5 (a client that retransmitted its hello five times)
      p.send(server.port, ch);
      const hvr = await p.next(1);
      const rec = splitDatagram(hvr).records[0]!;
      assert.equal(rec.seq, 5, `HelloVerifyRequest record ${rec.epoch}/${rec.seq}`);
    } finally {
      p.close();
      server.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// Bad input: garbage, bad MACs

const GARBAGE: Array<[string, Uint8Array]> = [
  ['random bytes', Uint8Array.from({ length: 40 }, (_, i) => (i * 73 + 11) & 0xff)],
  ['a truncated record header', Uint8Array.from([CT_HANDSHAKE, 0xfe, 0xfd, 0, 0])],
  ['a record longer than its datagram', Uint8Array.from([CT_APP, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 99, 0x40, 0x00, 1, 2, 3])],
  ['an unknown content type', Uint8Array.from([99, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 50, 0, 1, 0])],
  ['a TLS (not DTLS) record', Uint8Array.from([CT_HANDSHAKE, 0x03, 0x03, 0, 4, 1, 0, 0, 0])],
  ['an epoch-1 application record that does not authenticate', Uint8Array.from([CT_APP, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0x10, 0, 0, 40, ...new Array(40).fill(0x5a)])],
  ['an epoch-7 record', Uint8Array.from([CT_APP, 0xfe, 0xfd, 0, 7, 0, 0, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4])],
];
/** An unprotected (epoch 0) fatal handshake_failure alert: after the handshake, anyone who can spoof the peer's address can send it. */
const PLAINTEXT_ALERT = Uint8Array.from([CT_ALERT, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 60, 0, 2, 2, 40]);

/** Changes the last byte of the first protected record of `type` in a datagram (its MAC or tag). */
function corrupt(b: Uint8Array, type: number): Uint8Array | undefined {
  const r = splitDatagram(b).records.find((x) => x.type === type && x.epoch > 0);
  if (!r) return undefined;
  const out = Uint8Array.from(b);
  out[r.offset + r.raw.length - 1]! ^= 0x80;
  return out;
}

describe('bad input to our DTLS client and server (RFC 6347 section 4.1.2.7)', { concurrency: true }, () => {
  it('garbage datagrams to our client, from s_server\'s address, after the handshake: dropped and traced, the association goes on', { timeout: 20_000 }, async () => {
    const server = await opensslDtlsServer(['-dtls1_2', '-brief', ...certArgs('ec-p256')]);
    const relay = await udpRelay(server.port);
    try {
      const run = await ourDtlsClientHandshake({ host: '127.0.0.1', port: relay.port });
      try {
        for (const [, g] of GARBAGE) relay.inject('s2c', g);
        await new Promise((r) => setTimeout(r, 200));
        const ctx = () => `\n  ${describeDtlsLog(run)}\n--- s_server printed:\n${server.output()}`;
        assert.equal(run.session.conn.status, 'open', `still open${ctx()}`);
        assert.ok(run.drops().length >= GARBAGE.length, `each garbage datagram traced as dropped (${run.drops().length} of ${GARBAGE.length})${ctx()}`);
        assert.deepEqual(run.alertsOut(), [], `we sent no alert${ctx()}`);
        run.session.write('after the garbage\n');
        await server.waitFor(/after the garbage/);
        server.proc.stdin!.write('still here\n');
        await Promise.race([receiveDtls(run.session, 'still here'), run.failure]).catch((e) => assert.fail(`${(e as Error).message}${ctx()}`));
      } finally {
        run.session.end();
      }
    } finally {
      relay.close();
      await server.stop();
    }
  });

  it('garbage datagrams to our server, from s_client\'s address, during and after the handshake: dropped and traced, the association goes on', { timeout: 20_000 }, async () => {
    const server = await ourDtlsEchoServer(ours('ec-p256'));
    let injected = false;
    let relayRef: UdpRelay | undefined;
    const relay = await udpRelay(server.port, (d) => {
      // right after s_client's second ClientHello, before our ServerHello goes: garbage into the live handshake
      if (!injected && d.dir === 'c2s' && d.index === 1) {
        injected = true;
        setImmediate(() => { for (const [, g] of GARBAGE.slice(0, 5)) relayRef!.inject('c2s', g); });
      }
      return 'forward';
    });
    relayRef = relay;
    const client = opensslClient(relay.port, ['-dtls1_2']);
    try {
      await client.waitFor(/Verify return code/).catch((e) => assert.fail(`${(e as Error).message.split('\n')[0]}\n${server.describe()}`));
      const conn = await server.settled();
      assert.ok(conn.negotiated, server.describe());
      for (const [, g] of GARBAGE) relay.inject('c2s', g);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(server.conns.length, 1, `one association for s_client's address\n${server.describe()}`);
      assert.equal(conn.session.conn.status, 'open', server.describe());
      assert.ok(conn.drops().length >= GARBAGE.length, `each garbage datagram traced as dropped (${conn.drops().length})\n${server.describe()}`);
      assert.deepEqual(conn.alertsOut(), [], server.describe());
      client.proc.stdin!.write('after the garbage\n');
      await server.received(/after the garbage/);
      await waitForFrom(client, /after the garbage/, client.output().indexOf('Verify return code'));
    } finally {
      await client.stop();
      relay.close();
      server.close();
    }
  });

  // Regression check (fixed): an unprotected epoch-0 alert is acted on after the handshake (DtlsRecordReader keeps epoch 0 readable and
  // DtlsConnection.onAlert honours it): one spoofed plaintext datagram tears down an established association.
  // OpenSSL reads only the current epoch once the handshake is over (dtls1_get_bitmap) and drops it.
  it('an unprotected (epoch 0) fatal alert to our client after the handshake is dropped, not acted on', { timeout: 20_000 }, async () => {
    const server = await opensslDtlsServer(['-dtls1_2', '-brief', ...certArgs('ec-p256')]);
    const relay = await udpRelay(server.port);
    try {
      const run = await ourDtlsClientHandshake({ host: '127.0.0.1', port: relay.port });
      try {
        relay.inject('s2c', PLAINTEXT_ALERT);
        await new Promise((r) => setTimeout(r, 200));
        const ctx = () => `\n  ${describeDtlsLog(run)}`;
        assert.deepEqual(run.alerts.filter((a) => a.startsWith('in:')), [], `the plaintext alert was not taken for s_server's${ctx()}`);
        assert.equal(run.session.conn.status, 'open', `still open${ctx()}`);
        run.session.write('after the plaintext alert\n');
        await server.waitFor(/after the plaintext alert/);
      } finally {
        run.session.end();
      }
    } finally {
      relay.close();
      await server.stop();
    }
  });

  // Regression check (fixed): the same on our server's side.
  it('an unprotected (epoch 0) fatal alert to our server after the handshake is dropped, not acted on', { timeout: 20_000 }, async () => {
    const server = await ourDtlsEchoServer(ours('ec-p256'));
    const relay = await udpRelay(server.port);
    const client = opensslClient(relay.port, ['-dtls1_2']);
    try {
      await client.waitFor(/Verify return code/);
      const conn = await server.settled();
      relay.inject('c2s', PLAINTEXT_ALERT);
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(conn.alerts.filter((a) => a.startsWith('in:')), [], `the plaintext alert was not taken for s_client's\n${server.describe()}`);
      assert.equal(conn.session.conn.status, 'open', server.describe());
      client.proc.stdin!.write('after the plaintext alert\n');
      await server.received(/after the plaintext alert/);
    } finally {
      await client.stop();
      relay.close();
      server.close();
    }
  });

  it('garbage from a new address gets no answer from our server (not a ClientHello: no HelloVerifyRequest, no alert)', { timeout: 20_000 }, async () => {
    const server = await ourDtlsEchoServer(ours('ec-p256'));
    const p = await probe();
    try {
      for (const [, g] of GARBAGE) p.send(server.port, g);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(p.got.map(describeDatagram), [], server.describe());
      // and a real client still gets through
      const client = opensslClient(server.port, ['-dtls1_2']);
      try {
        await client.waitFor(/Verify return code/);
      } finally {
        await client.stop();
      }
    } finally {
      p.close();
      server.close();
    }
  });

  // Only a datagram that starts with an epoch-0 handshake record opens an association (createDtlsServer); a stray
  // ChangeCipherSpec must not be answered (it was, with a plaintext fatal unexpected_message alert).
  it('a stray ChangeCipherSpec from a new address gets no answer (no association work before a ClientHello)', { timeout: 20_000 }, async () => {
    const server = await ourDtlsEchoServer(ours('ec-p256'));
    const p = await probe();
    try {
      p.send(server.port, Uint8Array.from([CT_CCS, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 9, 0, 1, 1]));
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(p.got.map(describeDatagram), [], `our server answered a stray ChangeCipherSpec\n${server.describe()}`);
    } finally {
      p.close();
      server.close();
    }
  });

  it('an application record with a bad MAC to our client is dropped silently; the genuine record with the same sequence number then gets through', { timeout: 20_000 }, async () => {
    const server = await opensslDtlsServer(['-dtls1_2', '-brief', ...certArgs('ec-p256')]);
    let done = false;
    const relay = await udpRelay(server.port, (d) => {
      const bad = !done && d.dir === 's2c' ? corrupt(d.bytes, CT_APP) : undefined;
      if (!bad) return 'forward';
      done = true;
      return { send: [bad, d.bytes] };
    });
    try {
      const run = await ourDtlsClientHandshake({ host: '127.0.0.1', port: relay.port });
      try {
        server.proc.stdin!.write('genuine record\n');
        const ctx = () => `\n  ${describeDtlsLog(run)}\n--- relay:\n${describeRelay(relay)}`;
        await Promise.race([receiveDtls(run.session, 'genuine record'), run.failure]).catch((e) => assert.fail(`${(e as Error).message}${ctx()}`));
        assert.ok(done, 'the relay changed a record');
        assert.ok(run.drops().some((m) => /does not decrypt|MAC/.test(m)), `the bad record traced as dropped${ctx()}`);
        assert.deepEqual(run.alertsOut(), [], `no alert (section 4.1.2.7)${ctx()}`);
        assert.equal(run.session.conn.status, 'open');
        run.session.write('still talking\n');
        await server.waitFor(/still talking/);
      } finally {
        run.session.end();
      }
    } finally {
      relay.close();
      await server.stop();
    }
  });

  it('an application record with a bad MAC to our server is dropped silently; the genuine one then gets through', { timeout: 20_000 }, async () => {
    const server = await ourDtlsEchoServer(ours('ec-p256'));
    let done = false;
    const relay = await udpRelay(server.port, (d) => {
      const bad = !done && d.dir === 'c2s' ? corrupt(d.bytes, CT_APP) : undefined;
      if (!bad) return 'forward';
      done = true;
      return { send: [bad, d.bytes] };
    });
    const client = opensslClient(relay.port, ['-dtls1_2']);
    try {
      await client.waitFor(/Verify return code/);
      client.proc.stdin!.write('genuine record\n');
      const conn = await server.received(/genuine record/);
      assert.ok(done, 'the relay changed a record');
      assert.ok(conn.drops().some((m) => /does not decrypt|MAC/.test(m)), `the bad record traced as dropped\n${server.describe()}`);
      assert.deepEqual(conn.alertsOut(), [], server.describe());
      assert.equal(count(conn.received, 'genuine record'), 1);
    } finally {
      await client.stop();
      relay.close();
      server.close();
    }
  });

  // During the handshake: the peer's Finished with a bad MAC is dropped, as any record; the handshake must then
  // complete from retransmissions (the peer's flight again: ChangeCipherSpec, Finished).
  // Regression check (fixed): our client's retransmitted flight starts with a stale ClientHello record (version 0xfeff) that makes
  // OpenSSL discard the datagram, so s_server never sends its flight again.
  it('s_server\'s Finished with a bad MAC to our client: dropped, and the handshake completes from retransmissions', { timeout: 25_000 }, async () => {
    const server = await opensslDtlsServer(['-dtls1_2', '-brief', ...certArgs('ec-p256')]);
    let done = false;
    const relay = await udpRelay(server.port, (d) => {
      const bad = !done && d.dir === 's2c' ? corrupt(d.bytes, CT_HANDSHAKE) : undefined;
      if (!bad) return 'forward';
      done = true;
      return { send: [bad] };
    });
    try {
      const run = await ourDtlsClientHandshake({ host: '127.0.0.1', port: relay.port, handshakeTimeoutMs: 8000 })
        .catch((e) => assert.fail(`${(e as Error).message}\n--- relay:\n${describeRelay(relay)}\n--- s_server printed:\n${server.output()}`));
      try {
        const ctx = () => `\n  ${describeDtlsLog(run)}\n--- relay:\n${describeRelay(relay)}`;
        assert.ok(done && run.drops().some((m) => /does not decrypt|MAC/.test(m)), `the bad Finished traced as dropped${ctx()}`);
        assert.ok(run.retransmissions().length >= 1, `we retransmitted${ctx()}`);
        assert.deepEqual(run.alertsOut(), [], `no alert${ctx()}`);
        run.session.write('after a bad Finished\n');
        await server.waitFor(/after a bad Finished/);
      } finally {
        run.session.end();
      }
    } finally {
      relay.close();
      await server.stop();
    }
  });

  // Regression check (fixed): s_client's retransmitted flight 5 brings its ChangeCipherSpec again: "ChangeCipherSpec in state
  // wait_finished: the client switched keys before the handshake allowed it", fatal unexpected_message.
  it('s_client\'s Finished with a bad MAC to our server: dropped, and the handshake completes from s_client\'s retransmission', { timeout: 25_000 }, async () => {
    const server = await ourDtlsEchoServer({ ...ours('ec-p256'), handshakeTimeoutMs: 12_000 });
    let done = false;
    const relay = await udpRelay(server.port, (d) => {
      const bad = !done && d.dir === 'c2s' ? corrupt(d.bytes, CT_HANDSHAKE) : undefined;
      if (!bad) return 'forward';
      done = true;
      return { send: [bad] };
    });
    const client = opensslClient(relay.port, ['-dtls1_2']);
    try {
      const conn = await server.settled(0, 12_000);
      const ctx = () => `\n${server.describe()}\n--- relay:\n${describeRelay(relay)}\n--- s_client printed:\n${client.output().slice(-1500)}`;
      assert.ok(done, 'the relay changed a record');
      assert.ok(conn.negotiated, `our server completed the handshake${ctx()}`);
      assert.ok(conn.drops().some((m) => /does not decrypt|MAC/.test(m)), `the bad Finished traced as dropped${ctx()}`);
      assert.deepEqual(conn.alertsOut(), [], `no alert${ctx()}`);
      await client.waitFor(/Verify return code/, 10_000).catch((e) => assert.fail(`${(e as Error).message.split('\n')[0]}${ctx()}`));
      client.proc.stdin!.write('after a bad Finished\n');
      await server.received(/after a bad Finished/);
    } finally {
      await client.stop();
      relay.close();
      server.close();
    }
  });
});
