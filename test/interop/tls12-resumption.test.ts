// TLS 1.2, 1.1 and 1.0 resumption against OpenSSL, both roles: by RFC 5077 session ticket and by session ID
// (RFC 5246 section 7.3, abbreviated handshake). A full handshake hands over a session; the next connection
// offers it and is resumed (no Certificate, no key exchange), with data both ways each time; what each side
// says about it (`Reused session-id`, `Reused, TLSv1.2`) is checked, and a session the server cannot resume
// ends in a full handshake, not a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConnectOptions } from '../../engine/net/session';
import type { ClientSession } from '../../engine/conn/session-ticket';
import { suiteByName, type CipherSuite } from '../../engine/registry/suites';
import { identity, opensslClient, opensslServer, ourClientHandshake, ourEchoServer, PKI, receive, type ClientRun, type Peer } from './peers';

const V = { 'TLSv1': 0x0301, 'TLSv1.1': 0x0302, 'TLSv1.2': 0x0303 } as const;
type Ver = keyof typeof V;
const FLAG: Record<Ver, string> = { 'TLSv1': '-tls1', 'TLSv1.1': '-tls1_1', 'TLSv1.2': '-tls1_2' };
const suite = (n: string) => suiteByName(n)!.code;
const OPENSSL_ALL = 'ALL:@SECLEVEL=0';

function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-res12-'));
  process.on('exit', () => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

/**
 * Our client to an `s_server -www`: handshake, a GET, its status page back (which says New or Reused), close;
 * the session the server gave (if any) and the page.
 */
async function oneConnection(server: Peer, opts: Partial<ConnectOptions>): Promise<{ run: ClientRun; saved?: ClientSession; page: string }> {
  let saved: ClientSession | undefined;
  const run = await ourClientHandshake({ host: '127.0.0.1', port: server.port, onSession: (s) => (saved = s), ...opts });
  let page: string;
  try {
    run.session.write('GET / HTTP/1.0\r\n\r\n');
    page = await Promise.race([receive(run.session, '</BODY></HTML>'), run.failure]);
  } finally {
    run.session.end();
  }
  return { run, ...(saved ? { saved } : {}), page };
}

interface ClientResumeCase {
  name: string;
  version: Ver;
  suite: string;
  serverArgs: string[];
  env?: Record<string, string>;
  by: 'ticket' | 'session ID';
  ems?: boolean;
}

const NO_EMS_CONF = (() => {
  let f: string | undefined;
  return () => {
    if (!f) {
      f = path.join(tmpDir(), 'no-ems.cnf');
      fs.writeFileSync(f, 'openssl_conf = openssl_init\n[openssl_init]\nssl_conf = ssl_sect\n[ssl_sect]\nsystem_default = sd\n[sd]\nOptions = -ExtendedMasterSecret\n');
    }
    return { OPENSSL_CONF: f };
  };
})();

const clientCases: ClientResumeCase[] = [
  { name: 'TLS 1.2 by ticket (RFC 5077)', version: 'TLSv1.2', suite: 'ECDHE-ECDSA-AES128-GCM-SHA256', serverArgs: [], by: 'ticket' },
  { name: 'TLS 1.2 by session ID (s_server -no_ticket)', version: 'TLSv1.2', suite: 'ECDHE-ECDSA-CHACHA20-POLY1305', serverArgs: ['-no_ticket'], by: 'session ID' },
  { name: 'TLS 1.2 CBC with encrypt-then-MAC, by ticket', version: 'TLSv1.2', suite: 'ECDHE-ECDSA-AES256-SHA384', serverArgs: [], by: 'ticket' },
  { name: 'TLS 1.2 without extended master secret, by ticket', version: 'TLSv1.2', suite: 'ECDHE-ECDSA-AES256-GCM-SHA384', serverArgs: [], env: NO_EMS_CONF(), by: 'ticket', ems: false },
  { name: 'TLS 1.2 without extended master secret, by session ID', version: 'TLSv1.2', suite: 'ECDHE-ECDSA-AES128-SHA', serverArgs: ['-no_ticket'], env: NO_EMS_CONF(), by: 'session ID', ems: false },
  { name: 'TLS 1.1 by session ID', version: 'TLSv1.1', suite: 'ECDHE-ECDSA-AES256-SHA', serverArgs: ['-no_ticket'], by: 'session ID' },
  { name: 'TLS 1.0 by ticket', version: 'TLSv1', suite: 'ECDHE-ECDSA-AES128-SHA', serverArgs: [], by: 'ticket' },
];

for (const c of clientCases) {
  test(`our client resumes with openssl s_server: ${c.name}`, { timeout: 30_000 }, async () => {
    const server = await opensslServer(['-www', '-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key'), '-cipher', OPENSSL_ALL, ...c.serverArgs], c.env);
    try {
      const opts = { minVersion: V[c.version], maxVersion: V[c.version], cipherSuites12: [suite(c.suite)] };
      const first = await oneConnection(server, opts);
      assert.equal(first.run.n.resumed, false);
      assert.equal(first.run.n.legacy?.extendedMasterSecret, c.ems ?? true, 'EMS in the full handshake');
      assert.ok(first.saved, `the session came through onSession (messages: ${first.run.messages.join(' ')})`);
      assert.equal(first.saved.version, V[c.version]);
      assert.equal(first.saved.cipherSuite, suite(c.suite));
      if (c.by === 'ticket') {
        assert.ok(first.saved.ticket.length > 0, 'a ticket');
        assert.ok(first.run.messages.includes('in:new_session_ticket'), first.run.messages.join(' '));
      } else {
        assert.equal(first.saved.ticket.length, 0, 'no ticket (s_server -no_ticket)');
        assert.ok((first.saved.sessionId?.length ?? 0) > 0, 'a session ID');
      }
      const second = await oneConnection(server, { ...opts, session: first.saved });
      const n = second.run.n;
      assert.equal(n.resumed, true, `resumed (our client's messages: ${second.run.messages.join(' ')}; infos: ${second.run.infos.join(' | ')})`);
      assert.equal(n.version, V[c.version]);
      assert.equal(n.cipherSuite, suite(c.suite));
      assert.equal(n.legacy?.extendedMasterSecret, c.ems ?? true, 'EMS in the resumed handshake');
      assert.equal(n.legacy?.encryptThenMac, (suiteByName(c.suite) as CipherSuite).mac !== 'AEAD', 'encrypt-then-MAC again in the resumed handshake');
      assert.ok(!second.run.messages.includes('in:certificate'), `no Certificate in an abbreviated handshake: ${second.run.messages.join(' ')}`);
      assert.ok(!second.run.messages.includes('out:client_key_exchange'), `no ClientKeyExchange: ${second.run.messages.join(' ')}`);
      assert.equal(n.peerCertificates.length, 1, 'the resumed session still knows the server\'s certificate');
      assert.match(first.page, new RegExp(`New, [^,]+, Cipher is ${c.suite}`), 's_server\'s page for the first connection');
      assert.match(second.page, new RegExp(`Reused, [^,]+, Cipher is ${c.suite}`), 's_server\'s page says it resumed');
      assert.match(second.page, new RegExp(`Protocol  : ${c.version.replace('.', '\\.')}\\r?\\n`));
      // and once more: a session resumed by ticket can be resumed again (the server may send a new ticket)
      const third = await oneConnection(server, { ...opts, session: second.saved ?? first.saved });
      assert.equal(third.run.n.resumed, true, 'resumed again');
    } finally {
      await server.stop();
    }
  });
}

test('our client offers a session to a restarted s_server (new ticket key, empty cache): a full handshake', { timeout: 30_000 }, async () => {
  const args = ['-www', '-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key')];
  const opts = { maxVersion: V['TLSv1.2'] };
  let saved: ClientSession[] = [];
  for (const extra of [[], ['-no_ticket']]) {
    const a = await opensslServer([...args, ...extra]);
    try {
      const first = await oneConnection(a, opts);
      assert.ok(first.saved);
      saved.push(first.saved);
    } finally {
      await a.stop();
    }
  }
  const b = await opensslServer(args);
  try {
    for (const s of saved) {
      const again = await oneConnection(b, { ...opts, session: s });
      assert.equal(again.run.n.resumed, false);
      assert.ok(again.run.messages.includes('in:certificate'), again.run.messages.join(' '));
      assert.ok(again.run.infos.some((m) => /did not resume/.test(m)), again.run.infos.join('\n'));
      assert.match(again.page, /New, /);
    }
  } finally {
    await b.stop();
    saved = [];
  }
});

test('our client: a TLS 1.2 session offered with only TLS 1.3 allowed is not used; a TLS 1.3 handshake follows', { timeout: 30_000 }, async () => {
  const server = await opensslServer(['-www', '-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key')]);
  try {
    const first = await oneConnection(server, { maxVersion: V['TLSv1.2'] });
    assert.ok(first.saved);
    const second = await oneConnection(server, { minVersion: 0x0304, session: first.saved });
    assert.equal(second.run.n.version, 0x0304);
    assert.equal(second.run.n.resumed, false);
  } finally {
    await server.stop();
  }
});

// ---------------------------------------------------------------------------------------------------------
// openssl s_client -sess_out / -sess_in (and -reconnect) against our server

interface ServerResumeCase {
  name: string;
  version: Ver;
  suite: string;
  /** s_client arguments for both connections. */
  client: string[];
  by: 'ticket' | 'session ID';
}

const serverCases: ServerResumeCase[] = [
  { name: 'TLS 1.2 by ticket', version: 'TLSv1.2', suite: 'ECDHE-RSA-AES128-GCM-SHA256', client: [], by: 'ticket' },
  { name: 'TLS 1.2 by session ID (s_client -no_ticket)', version: 'TLSv1.2', suite: 'ECDHE-RSA-AES256-GCM-SHA384', client: ['-no_ticket'], by: 'session ID' },
  { name: 'TLS 1.2 CBC (encrypt-then-MAC) by ticket', version: 'TLSv1.2', suite: 'AES128-SHA256', client: [], by: 'ticket' },
  { name: 'TLS 1.1 by session ID', version: 'TLSv1.1', suite: 'DHE-RSA-AES128-SHA', client: ['-no_ticket'], by: 'session ID' },
  { name: 'TLS 1.0 by ticket', version: 'TLSv1', suite: 'ECDHE-RSA-AES256-SHA', client: [], by: 'ticket' },
];

for (const c of serverCases) {
  test(`openssl s_client -sess_out then -sess_in against our server: ${c.name} ("Reused")`, { timeout: 30_000 }, async () => {
    const id = identity('rsa2048.crt', 'rsa2048.key');
    const server = await ourEchoServer({ certificateChain: id.chain, signer: id.signer, minVersion: V.TLSv1 });
    const dir = tmpDir();
    const sess = path.join(dir, 'sess.pem');
    const cipher = c.version === 'TLSv1.2' ? c.suite : `${c.suite}:@SECLEVEL=0`;
    try {
      const a = opensslClient(server.port, [FLAG[c.version], '-cipher', cipher, '-sess_out', sess, '-ign_eof', ...c.client], 'one\n');
      try {
        await a.waitFor(/\none\r?\n/);
        await new Promise((r) => setTimeout(r, 200));
      } finally {
        await a.stop();
      }
      assert.ok(fs.existsSync(sess), 'openssl saved the session');
      assert.match(a.output(), /New, [^,]+, Cipher is/);
      if (c.by === 'ticket') assert.match(a.output(), /TLS session ticket:/);
      else assert.doesNotMatch(a.output(), /TLS session ticket:/);
      const b = opensslClient(server.port, [FLAG[c.version], '-cipher', cipher, '-sess_in', sess, '-ign_eof', ...c.client], 'two\n');
      try {
        await b.waitFor(/\ntwo\r?\n/);
      } finally {
        await b.stop();
      }
      const first = await server.settled(0);
      const second = await server.settled(1);
      const context = `\nour server's messages: ${second.messages.join(' ')}\ninfos: ${second.infos.join(' | ')}\ns_client printed:\n${b.output().slice(-1500)}`;
      assert.equal(first.negotiated?.resumed, false);
      assert.equal(second.negotiated?.resumed, true, `our server resumed${context}`);
      assert.equal(second.negotiated?.version, V[c.version]);
      assert.equal(second.negotiated?.cipherSuite, suite(c.suite));
      assert.match(b.output(), new RegExp(`Reused, [^,]+, Cipher is ${c.suite}`), `s_client says Reused${context}`);
      assert.match(b.output(), new RegExp(`Protocol  : ${c.version.replace('.', '\\.')}\\r?\\n`));
      assert.ok(!second.messages.includes('out:certificate'), `no Certificate when resuming${context}`);
      assert.match(second.received, /two/);
    } finally {
      await server.close();
    }
  });
}

test('openssl s_client -reconnect against our server (TLS 1.2, tickets and then session IDs): every reconnection is "Reused"', { timeout: 40_000 }, async () => {
  const id = identity('ec-p384.crt', 'ec-p384.key');
  const server = await ourEchoServer({ certificateChain: id.chain, signer: id.signer });
  try {
    for (const extra of [[], ['-no_ticket']]) {
      const from = server.conns.length;
      const c = opensslClient(server.port, ['-tls1_2', '-reconnect', ...extra], undefined, true);
      await new Promise((r) => c.proc.once('exit', r));
      const reused = c.output().match(/Reused, /g)?.length ?? 0;
      assert.equal(reused, 5, `s_client -reconnect ${extra.join(' ')}: 5 reconnections Reused; it printed:\n${c.output().slice(-2000)}`);
      const resumed = server.conns.slice(from).map((x) => x.negotiated?.resumed);
      assert.deepEqual(resumed, [false, true, true, true, true, true], `our server's view ${extra.join(' ')}`);
    }
  } finally {
    await server.close();
  }
});

test('openssl s_client -sess_in with a session of another of our servers (another ticket key and cache): a full handshake', { timeout: 30_000 }, async () => {
  const id = identity('ec-p256.crt', 'ec-p256.key');
  const one = await ourEchoServer({ certificateChain: id.chain, signer: id.signer });
  const two = await ourEchoServer({ certificateChain: id.chain, signer: id.signer });
  const dir = tmpDir();
  try {
    for (const extra of [[], ['-no_ticket']]) {
      const sess = path.join(dir, `sess${extra.length}.pem`);
      const a = opensslClient(one.port, ['-tls1_2', '-sess_out', sess, '-ign_eof', ...extra], 'one\n');
      await a.waitFor(/\none\r?\n/);
      await new Promise((r) => setTimeout(r, 200));
      await a.stop();
      const b = opensslClient(two.port, ['-tls1_2', '-sess_in', sess, '-ign_eof', ...extra], 'two\n');
      await b.waitFor(/\ntwo\r?\n/);
      await b.stop();
      assert.match(b.output(), /New, /);
      assert.equal(two.conns.at(-1)?.negotiated?.resumed, false);
    }
  } finally {
    await one.close();
    await two.close();
  }
});
