// Key material is zeroed once a connection no longer needs it (engine/util/wipe.ts): when it fails, when its
// owner frees it (SSL_free) or its socket closes. What the key log and resumption keep are copies, unharmed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { TlsConnection } from '../../engine/conn/connection';
import type { ConnectionConfig } from '../../engine/conn/config';
import type { ClientSession } from '../../engine/conn/session-ticket';
import { nobleProvider } from '../../engine/crypto/noble';
import { SessionCache12 } from '../../engine/handshake/tls12/session';
import { identityFromPem } from '../../engine/tools/identity';
import * as ctxApi from '../../engine/api/ctx';
import * as api from '../../engine/api/ssl';
import { MemBIO } from '../../engine/api/bio';
import { SSL_FILETYPE_PEM } from '../../engine/api/constants';
import { TLS_client_method, TLS_server_method } from '../../engine/api/method';
import { pump } from './pump';

const pki = (n: string) => path.resolve('test/fixtures/pki', n);
const ID = identityFromPem(fs.readFileSync(pki('ec-p256.crt'), 'utf8'), fs.readFileSync(pki('ec-p256.key'), 'utf8'), 'ec-p256');
const provider = nobleProvider();
const allZero = (b: Uint8Array) => b.length > 0 && b.every((x) => x === 0);

function pair(c: Partial<ConnectionConfig> = {}, s: Partial<ConnectionConfig> = {}) {
  const logged = new Map<string, Uint8Array>();
  const client = new TlsConnection({ side: 'client', provider, serverName: 'localhost', onSecret: (l, _r, sec) => logged.set(l, sec), ...c });
  const server = new TlsConnection({ side: 'server', provider, certificateChain: ID.chain, signer: ID.signer, ...s });
  client.start();
  pump(client, server);
  return { client, server, logged };
}

/** The arrays a connection holds its keys in (read through its private fields, which is what a heap dump sees). */
function heldKeys(conn: TlsConnection): Uint8Array[] {
  const c = conn as unknown as { readProt: Record<string, Uint8Array>; writeProt: Record<string, Uint8Array>; driver: Record<string, unknown> };
  const out: Uint8Array[] = [];
  for (const p of [c.readProt, c.writeProt]) for (const k of ['rawKey', 'iv', 'macKey']) if (p[k] instanceof Uint8Array && p[k].length) out.push(p[k]);
  for (const k of ['clientAppSecret', 'serverAppSecret', 'clientHsSecret', 'resumptionSecret', 'master']) {
    const v = c.driver[k];
    if (v instanceof Uint8Array) out.push(v);
    else if (v && typeof v === 'object' && 'exposeForTrace' in v) out.push((v as { exposeForTrace(): Uint8Array }).exposeForTrace());
  }
  return out;
}

test('TLS 1.3: wipe() zeroes both directions\' record keys and the key schedule; the key log kept intact copies', () => {
  const { client, logged } = pair();
  assert.equal(client.status, 'open');
  const keys = heldKeys(client);
  assert.ok(keys.length >= 6, `found ${keys.length} key arrays`);
  assert.ok(keys.every((k) => !allZero(k)), 'live keys are not zero');
  client.wipe();
  assert.ok(keys.every(allZero), 'every key array is zero after wipe');
  assert.equal(client.status, 'closed');
  assert.equal(client.write(new Uint8Array([1])), 0, 'nothing can be sent after');
  assert.equal(logged.size, 5);
  for (const [label, s] of logged) assert.ok(!allZero(s), `${label} in the key log is intact`);
});

test('TLS 1.2: a failed connection zeroes its keys by itself; the alert went out first', () => {
  const { client, server } = pair({ maxVersion: 0x0303 }, { maxVersion: 0x0303 });
  const keys = heldKeys(server);
  assert.ok(keys.length >= 5 && keys.every((k) => !allZero(k)));
  server.receive(Uint8Array.of(23, 3, 3, 0, 40, ...new Uint8Array(40))); // a record that does not authenticate
  assert.equal(server.status, 'failed');
  assert.equal((server.error as { alert?: string }).alert, 'bad_record_mac');
  assert.ok(keys.every(allZero));
  for (const x of server.takeOutgoing()) client.receive(x);
  assert.equal(client.status, 'failed', 'the client read the encrypted alert before the keys went');
});

test('TLS 1.2: resumption by ticket and by session ID still works after the first connections are wiped', () => {
  let session: ClientSession | undefined;
  const cache = new SessionCache12();
  const ticketKey = new Uint8Array(32).fill(7);
  const first = pair({ maxVersion: 0x0303, onSession: (s) => (session = s) }, { maxVersion: 0x0303, sessionCache: cache, ticketKey });
  assert.ok(session);
  first.client.wipe();
  first.server.wipe();
  const byTicket = pair({ maxVersion: 0x0303, session }, { maxVersion: 0x0303, sessionCache: cache, ticketKey });
  assert.equal(byTicket.client.negotiated?.resumed, true, 'ticket resumption');
  let s2: ClientSession | undefined;
  const noTicket = pair({ maxVersion: 0x0303, onSession: (s) => (s2 = s) }, { maxVersion: 0x0303, sessionCache: cache, ticketsToSend: 0 });
  noTicket.client.wipe();
  noTicket.server.wipe();
  const byId = pair({ maxVersion: 0x0303, session: s2 }, { maxVersion: 0x0303, sessionCache: cache, ticketsToSend: 0 });
  assert.equal(byId.client.negotiated?.resumed, true, 'session ID resumption from the server cache');
});

test('SSL_free zeroes the keys of its connection', () => {
  const sctx = ctxApi.SSL_CTX_new(TLS_server_method())!;
  ctxApi.SSL_CTX_use_certificate_file(sctx, pki('ec-p256.crt'), SSL_FILETYPE_PEM);
  ctxApi.SSL_CTX_use_PrivateKey_file(sctx, pki('ec-p256.key'), SSL_FILETYPE_PEM);
  const c2s = new MemBIO();
  const s2c = new MemBIO();
  const client = api.SSL_new(ctxApi.SSL_CTX_new(TLS_client_method()))!;
  const server = api.SSL_new(sctx)!;
  api.SSL_set_bio(client, s2c, c2s);
  api.SSL_set_bio(server, c2s, s2c);
  let c = 0;
  let s = 0;
  for (let i = 0; i < 10 && (c !== 1 || s !== 1); i++) {
    if (c !== 1) c = api.SSL_connect(client);
    if (s !== 1) s = api.SSL_accept(server);
  }
  assert.deepEqual({ c, s }, { c: 1, s: 1 });
  const keys = heldKeys(client.conn as TlsConnection);
  assert.ok(keys.every((k) => !allZero(k)));
  api.SSL_free(client);
  assert.ok(keys.every(allZero));
});

test('no secret reaches the trace: neither its JSON form (what --json and the panel get) nor its text lines hold a traffic secret, a key or the master secret', async () => {
  const { toJson } = await import('../../engine/trace/events');
  const { formatEvent } = await import('../../engine/trace/format-text');
  const { toHex } = await import('../../engine/util/hex');
  for (const maxVersion of [0x0304, 0x0303]) {
    const events: string[] = [];
    const logged = new Map<string, Uint8Array>();
    const keys: Uint8Array[] = [];
    const client = new TlsConnection({ side: 'client', provider, serverName: 'localhost', maxVersion, onSecret: (l, _r, s) => logged.set(l, s) });
    const server = new TlsConnection({ side: 'server', provider, certificateChain: ID.chain, signer: ID.signer, onSecret: (l, _r, s) => logged.set(`server ${l}`, s) });
    for (const c of [client, server]) c.onEvent = (e) => events.push(toJson(e), formatEvent(e, { records: true }) ?? '');
    client.start();
    for (let i = 0; i < 20; i++) {
      const a = client.takeOutgoing();
      const b = server.takeOutgoing();
      if (!a.length && !b.length) break;
      for (const x of a) server.receive(x);
      for (const x of b) client.receive(x);
    }
    assert.equal(client.status, 'open');
    client.write(new TextEncoder().encode('hello'));
    for (const x of client.takeOutgoing()) server.receive(x);
    keys.push(...heldKeys(client), ...heldKeys(server));
    const all = events.join('\n').toLowerCase();
    const secrets = [...logged.values(), ...keys].filter((s) => s.length >= 12);
    assert.ok(secrets.length >= 5);
    for (const s of secrets) {
      assert.ok(!all.includes(toHex(s).toLowerCase()), `a secret of ${s.length} bytes appears in the trace (${maxVersion.toString(16)})`);
      assert.ok(!all.includes(toHex(s.subarray(0, 12)).toLowerCase()), 'not even its first 12 bytes');
    }
  }
});
