// Encrypted Client Hello (RFC 9849) between our own client and server in memory: ECHConfigList codec and loading
// (section 4), ECH accepted (the server handshakes with ClientHelloInner and its SNI; ClientHelloOuter on the wire
// names only public_name; section 6.1), the acceptance confirmation recomputed here with node:crypto's HMAC as
// section 7.2 defines it, rejection with retry_configs and ech_required (sections 6.1.6, 7.1), HelloRetryRequest
// with ECH (sections 6.1.5, 7.1.1, 7.2.1), GREASE (section 6.2), and bad input with the alerts sections 5.1 and 7 name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, createHmac } from 'node:crypto';
import { TlsConnection } from '../../engine/conn/connection';
import type { ConnectionConfig } from '../../engine/conn/config';
import { nobleProvider } from '../../engine/crypto/noble';
import { identityFromPem } from '../../engine/tools/identity';
import type { TraceEvent } from '../../engine/trace/events';
import { formatEvent } from '../../engine/trace/format-text';
import { decodeHandshake, encodeHandshake, type ClientHello, type ServerHello } from '../../engine/msgs/handshake';
import { decodeEchConfigList, encodeEchConfig, encodeEchConfigList, encodeEchClientHello } from '../../engine/msgs/ech';
import { ext } from '../../engine/msgs/extensions';
import { chooseEchConfig, echKeyFromPem, echKeyToPem, generateEchKey, loadEchConfigList, publicNameProblem, serverConfigOf, type EchServerKey } from '../../engine/ech/config';
import { ExtensionType } from '../../engine/registry/extensions';
import { DecodeError } from '../../engine/msgs/reader';
import { NamedGroup } from '../../engine/registry/groups';

const PKI = (n: string) => fs.readFileSync(path.resolve('test/fixtures/pki', n), 'utf8');
const provider = nobleProvider();
const id = identityFromPem(PKI('ec-p256.crt'), PKI('ec-p256.key'), 'ec-p256.crt');
const key = generateEchKey({ publicName: 'public.example', configId: 7, maximumNameLength: 32 });
const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');

function pair(client: Partial<ConnectionConfig>, server: Partial<ConnectionConfig>) {
  const c = new TlsConnection({ side: 'client', provider, serverName: 'secret.example', ...client });
  const s = new TlsConnection({ side: 'server', provider, certificateChain: id.chain, signer: id.signer, ...server });
  const events: { c: TraceEvent[]; s: TraceEvent[] } = { c: [], s: [] };
  const wire: Uint8Array[] = [];
  c.onEvent = (e) => events.c.push(e);
  s.onEvent = (e) => events.s.push(e);
  const pump = () => {
    for (let i = 0; i < 20; i++) {
      const a = c.takeOutgoing();
      const b = s.takeOutgoing();
      if (!a.length && !b.length) return;
      for (const x of a) { wire.push(x); s.receive(x); }
      for (const x of b) { wire.push(x); c.receive(x); }
    }
  };
  c.start();
  pump();
  return { c, s, events, pump, wire };
}

const echEvents = (es: TraceEvent[]) => es.filter((e): e is Extract<TraceEvent, { kind: 'ech' }> => e.kind === 'ech');
const sentHellos = (es: TraceEvent[]) => es.filter((e): e is Extract<TraceEvent, { kind: 'handshake' }> => e.kind === 'handshake' && e.dir === 'out' && e.name === 'client_hello');

test('RFC 9849 section 4: ECHConfig and ECHConfigList encode and decode; the PEM file keeps key and config together', () => {
  const list = encodeEchConfigList([key.config.raw]);
  const [c] = decodeEchConfigList(list);
  assert.equal(c!.version, 0xfe0d);
  assert.equal(c!.contents!.configId, 7);
  assert.equal(c!.contents!.publicName, 'public.example');
  assert.equal(c!.contents!.maximumNameLength, 32);
  assert.deepEqual(c!.contents!.cipherSuites, [{ kdfId: 1, aeadId: 1 }, { kdfId: 1, aeadId: 3 }]);
  assert.deepEqual(c!.raw, key.config.raw);
  const back = echKeyFromPem(echKeyToPem(key), 'test');
  assert.deepEqual(back.privateKey, key.privateKey);
  assert.deepEqual(back.config.raw, key.config.raw);
  // From a base64 string, a base64 file, a binary file and the PEM file alike.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ech-'));
  const b64 = Buffer.from(list).toString('base64');
  fs.writeFileSync(path.join(dir, 'list.b64'), b64 + '\n');
  fs.writeFileSync(path.join(dir, 'list.bin'), list);
  fs.writeFileSync(path.join(dir, 'ech.pem'), echKeyToPem(key));
  for (const arg of [b64, path.join(dir, 'list.b64'), path.join(dir, 'list.bin'), path.join(dir, 'ech.pem')]) assert.deepEqual(loadEchConfigList(arg).bytes, list, arg);
  assert.throws(() => loadEchConfigList('AAE='), /not an ECHConfigList.*configs/);
  assert.throws(() => loadEchConfigList('not base64!'), /neither a file nor base64/);
  fs.rmSync(dir, { recursive: true });
});

test('RFC 9849 sections 4.2 and 6.1.7: unknown versions, mandatory extensions and bad public names are skipped', () => {
  const mandatory = encodeEchConfig({ ...key.config.contents, configId: 1, extensions: [{ type: 0xfa0a, data: new Uint8Array(0) }] });
  const ipLike = encodeEchConfig({ ...key.config.contents, configId: 2, publicName: 'example.255' });
  const other = Uint8Array.from([0xfe, 0x0c, 0x00, 0x02, 0xab, 0xcd]);
  const list = decodeEchConfigList(encodeEchConfigList([other, mandatory, ipLike, key.config.raw]));
  const { choice, skipped } = chooseEchConfig(list);
  assert.equal(choice?.config.contents.configId, 7);
  assert.deepEqual(skipped.map((s) => s.index), [0, 1, 2]);
  assert.match(skipped[1]!.reason, /mandatory extension 0xfa0a/);
  assert.match(skipped[2]!.reason, /IPv4/);
  assert.equal(publicNameProblem('a.example'), undefined);
  assert.match(publicNameProblem('0x1f')!, /IPv4/);
  assert.match(publicNameProblem('bad_label.example')!, /LDH/);
});

test('RFC 9849 section 6.1: ECH accepted: the server handshakes with ClientHelloInner; only public_name is on the wire', () => {
  const { c, s, events, pump, wire } = pair({ ech: { configs: decodeEchConfigList(encodeEchConfigList([key.config.raw])) }, alpn: ['h2'] }, { echServer: serverConfigOf([key]), alpn: ['h2'] });
  assert.equal(c.status, 'open', c.error?.message ?? s.error?.message);
  assert.equal(c.negotiated?.ech, 'accepted');
  assert.equal(s.negotiated?.ech, 'accepted');
  assert.equal(s.negotiated?.serverName, 'secret.example', 'the server saw the inner SNI');
  assert.equal(s.negotiated?.alpn, 'h2', 'ALPN travelled only inside');
  const [outer] = sentHellos(events.c);
  assert.deepEqual((outer!.fields as ClientHello).ext.serverName, ['public.example'], 'outer SNI = public_name');
  assert.equal((outer!.fields as ClientHello).ext.alpn, undefined);
  const everything = latin1(Buffer.concat(wire));
  assert.ok(everything.includes('public.example'));
  assert.ok(!everything.includes('secret.example'), 'the real name never crosses the wire in the clear');
  // Both sides trace the inner hello decoded.
  const offered = echEvents(events.c).find((e) => e.status === 'offered')!;
  const decrypted = echEvents(events.s).find((e) => e.status === 'accepted')!;
  assert.deepEqual((offered.inner!.fields as ClientHello).ext.serverName, ['secret.example']);
  assert.deepEqual((decrypted.inner!.fields as ClientHello).ext.serverName, ['secret.example']);
  assert.equal((decrypted.inner!.fields as ClientHello).ext.encryptedClientHello?.type, 'inner');
  assert.ok(decrypted.inner!.spans!.some((sp) => sp.path.includes('server_name')));
  assert.ok(echEvents(events.c).some((e) => e.status === 'accepted'));
  assert.match(formatEvent(offered)!, /ClientHelloInner \(\d+ bytes\): SNI secret.example/);
  c.write(new TextEncoder().encode('hello'));
  pump();
  assert.equal(new TextDecoder().decode(s.read(100)), 'hello');
});

/** HKDF-Expand-Label (RFC 8446 section 7.1) for one block, by HMAC directly: independent of the engine's key schedule. */
function expandLabel8(hash: 'sha256' | 'sha384', prk: Buffer, label: string, context: Buffer): Buffer {
  const full = Buffer.from(`tls13 ${label}`);
  const info = Buffer.concat([Buffer.from([0, 8, full.length]), full, Buffer.from([context.length]), context]);
  return createHmac(hash, prk).update(Buffer.concat([info, Buffer.from([1])])).digest().subarray(0, 8);
}

test('RFC 9849 section 7.2: ServerHello.random ends in HKDF-Expand-Label(HKDF-Extract(0, inner random), "ech accept confirmation", transcript, 8)', () => {
  for (const suite of [0x1301, 0x1302]) {
    const { c, events } = pair({ ech: { configs: [key.config] }, cipherSuites: [suite] }, { echServer: serverConfigOf([key]) });
    assert.equal(c.negotiated?.ech, 'accepted');
    const hash = suite === 0x1302 ? 'sha384' : 'sha256';
    const innerRaw = Buffer.from(echEvents(events.c).find((e) => e.status === 'offered')!.inner!.raw);
    const sh = events.c.find((e): e is Extract<TraceEvent, { kind: 'handshake' }> => e.kind === 'handshake' && e.name === 'server_hello')!;
    const shRaw = Buffer.from(sh.raw);
    const zeroed = Buffer.from(shRaw);
    zeroed.fill(0, 30, 38);
    const transcript = createHash(hash).update(innerRaw).update(zeroed).digest();
    const prk = createHmac(hash, Buffer.alloc(hash === 'sha384' ? 48 : 32)).update(innerRaw.subarray(6, 38)).digest();
    assert.deepEqual(expandLabel8(hash, prk, 'ech accept confirmation', transcript), shRaw.subarray(30, 38), `suite 0x${suite.toString(16)}`);
    assert.deepEqual((sh.fields as ServerHello).random.subarray(24), new Uint8Array(shRaw.subarray(30, 38)));
  }
});

test('RFC 9849 sections 6.1.5, 7.1.1 and 7.2.1: ECH through a HelloRetryRequest, confirmed in its extension', () => {
  const { c, s, events } = pair({ ech: { configs: [key.config] }, cipherSuites: [0x1301], groups: [NamedGroup.secp256r1, NamedGroup.x25519], keyShareGroups: [NamedGroup.secp256r1] }, { echServer: serverConfigOf([key]), groups: [NamedGroup.x25519] });
  assert.equal(c.status, 'open', c.error?.message ?? s.error?.message);
  assert.equal(c.negotiated?.helloRetry, true);
  assert.equal(c.negotiated?.ech, 'accepted');
  assert.equal(s.negotiated?.serverName, 'secret.example');
  const hrr = events.c.find((e): e is Extract<TraceEvent, { kind: 'handshake' }> => e.kind === 'handshake' && e.name === 'hello_retry_request')!;
  const conf = (hrr.fields as { ext: { encryptedClientHello?: Uint8Array } }).ext.encryptedClientHello;
  assert.equal(conf?.length, 8);
  // hrr_accept_confirmation recomputed: transcript = message_hash(ClientHelloInner1) || HRR with the 8 bytes zeroed.
  const inner1 = Buffer.from(echEvents(events.c).find((e) => e.status === 'offered')!.inner!.raw);
  const mh = Buffer.concat([Buffer.from([254, 0, 0, 32]), createHash('sha256').update(inner1).digest()]);
  const hrrRaw = Buffer.from(hrr.raw);
  const at = hrrRaw.indexOf(Buffer.from(conf!));
  const zeroed = Buffer.from(hrrRaw);
  zeroed.fill(0, at, at + 8);
  const prk = createHmac('sha256', Buffer.alloc(32)).update(inner1.subarray(6, 38)).digest();
  assert.deepEqual(expandLabel8('sha256', prk, 'hrr ech accept confirmation', createHash('sha256').update(mh).update(zeroed).digest()), Buffer.from(conf!));
  // The second ClientHelloOuter: same config and suite, empty enc; the server decrypted a second inner hello.
  const hellos = sentHellos(events.c).map((e) => (e.fields as ClientHello).ext.encryptedClientHello!);
  assert.equal(hellos.length, 2);
  assert.ok(hellos[0]!.type === 'outer' && hellos[0]!.enc.length === 32);
  assert.ok(hellos[1]!.type === 'outer' && hellos[1]!.enc.length === 0 && hellos[1]!.configId === 7);
  assert.equal(echEvents(events.s).filter((e) => e.inner).length, 2);
});

function otherKey(configId: number): EchServerKey {
  return generateEchKey({ publicName: 'public.example', configId });
}

test('RFC 9849 sections 6.1.6 and 7.1: a key the server does not hold: ECH rejected, retry_configs reported, ech_required', () => {
  for (const [why, server] of [['wrong config_id', otherKey(9)], ['same config_id, another key (decryption fails)', otherKey(7)]] as const) {
    const { c, s, events } = pair({ ech: { configs: [key.config] } }, { echServer: serverConfigOf([server]) });
    assert.equal(c.status, 'failed', why);
    assert.equal(c.error?.alert, 'ech_required', why);
    assert.match(c.error!.message, /retry_configs: [A-Za-z0-9+/=]+/);
    assert.equal(s.error?.alert, 'ech_required', 'the server received the alert');
    const retry = echEvents(events.c).find((e) => e.status === 'retry_configs')!;
    assert.deepEqual(retry.retryConfigs!.raw, encodeEchConfigList([server.config.raw]), why);
    assert.equal(retry.retryConfigs!.configs[0]!.configId, server.config.contents.configId);
    assert.ok(echEvents(events.c).some((e) => e.status === 'rejected'));
    assert.ok(echEvents(events.s).some((e) => e.status === 'rejected'));
    assert.equal(s.status, 'failed');
    // The server went on with ClientHelloOuter: it only ever saw the public name.
    const seen = events.s.find((e): e is Extract<TraceEvent, { kind: 'handshake' }> => e.kind === 'handshake' && e.dir === 'in' && e.name === 'client_hello')!;
    assert.deepEqual((seen.fields as ClientHello).ext.serverName, ['public.example']);
    // The alert went out after the client's Finished, under its application keys (section 6.1.6).
    const sentFinished = events.c.findIndex((e) => e.kind === 'handshake' && e.dir === 'out' && e.name === 'finished');
    const alert = events.c.findIndex((e) => e.kind === 'alert' && e.dir === 'out' && e.name === 'ech_required');
    assert.ok(sentFinished >= 0 && alert > sentFinished);
  }
});

test('RFC 9849 section 6.1.6: a server without ECH keys: rejected, no retry_configs (ECH disabled), ech_required', () => {
  const { c, events } = pair({ ech: { configs: [key.config] } }, {});
  assert.equal(c.error?.alert, 'ech_required');
  assert.match(c.error!.message, /sent no retry_configs/);
  assert.equal(echEvents(events.c).some((e) => e.status === 'retry_configs'), false);
});

test('RFC 9849 section 6.1.7: after rejection the certificate is checked for public_name, not the inner name', () => {
  const names: (string | undefined)[] = [];
  const { c } = pair({ ech: { configs: [key.config] }, verifyPeer: (_chain, name) => { names.push(name); return { ok: true, code: 0, reason: '' }; } }, { echServer: serverConfigOf([otherKey(9)]) });
  assert.equal(c.error?.alert, 'ech_required');
  assert.deepEqual(names, ['public.example']);
});

test('RFC 9849 section 6.2: GREASE ECH: the server rejects it and sends retry_configs, the client ignores them and connects', () => {
  const withKeys = pair({ ech: { grease: true } }, { echServer: serverConfigOf([key]) });
  assert.equal(withKeys.c.status, 'open', withKeys.c.error?.message);
  assert.equal(withKeys.c.negotiated?.ech, 'grease');
  assert.equal(withKeys.s.negotiated?.serverName, 'secret.example', 'GREASE hides nothing');
  assert.ok(withKeys.events.c.some((e) => e.kind === 'info' && /GREASE ECH: the server sent retry_configs/.test(e.message)));
  const plain = pair({ ech: { grease: true } }, {});
  assert.equal(plain.c.status, 'open', plain.c.error?.message);
  const ech = (sentHellos(plain.events.c)[0]!.fields as ClientHello).ext.encryptedClientHello;
  assert.ok(ech?.type === 'outer' && ech.enc.length === 32 && ech.payload.length % 32 === 16);
});

/** A ClientHello with a hand-made encrypted_client_hello body, fed to an ECH server. */
function helloWith(echBody: Uint8Array, extra: { type: number; data: Uint8Array }[] = []): TlsConnection {
  const s = new TlsConnection({ side: 'server', provider, certificateChain: id.chain, signer: id.signer, echServer: serverConfigOf([key]) });
  const c = new TlsConnection({ side: 'client', provider, serverName: 'public.example' });
  let hello: Uint8Array | undefined;
  c.onEvent = (e) => { if (e.kind === 'handshake' && e.dir === 'out') hello = e.raw; };
  c.start();
  const ch = decodeHandshake(hello!) as ClientHello;
  const raw = encodeHandshake({ ...ch, extensions: [...ch.extensions, ...extra, ext.raw(ExtensionType.encrypted_client_hello, echBody)] });
  s.receive(Uint8Array.from([22, 3, 1, raw.length >> 8, raw.length & 0xff, ...raw]));
  return s;
}

test('RFC 9849 sections 5 and 7: a truncated or unknown encrypted_client_hello gets decode_error or illegal_parameter', () => {
  const full = encodeEchClientHello({ type: 'outer', cipherSuite: { kdfId: 1, aeadId: 1 }, configId: 7, enc: new Uint8Array(32), payload: new Uint8Array(64) });
  const truncated = helloWith(full.subarray(0, 40));
  assert.equal(truncated.status, 'failed');
  assert.equal(truncated.error?.alert, 'decode_error');
  assert.match(truncated.error!.message, /encrypted_client_hello.payload/);
  const unknownType = helloWith(Uint8Array.from([2]));
  assert.equal(unknownType.error?.alert, 'illegal_parameter');
  assert.match(unknownType.error!.message, /ECHClientHelloType 2/);
  const innerOnWire = helloWith(Uint8Array.from([1]));
  assert.equal(innerOnWire.error?.alert, 'illegal_parameter');
  assert.match(innerOnWire.error!.message, /inner encrypted_client_hello/);
  const outerExt = helloWith(full, [{ type: ExtensionType.ech_outer_extensions, data: Uint8Array.from([2, 0, 10]) }]);
  assert.equal(outerExt.error?.alert, 'illegal_parameter');
  // A payload that does not decrypt is not an error: ECH is rejected and the handshake goes on with the outer hello.
  const garbage = helloWith(full);
  assert.equal(garbage.status, 'handshaking', garbage.error?.message);
});

test('RFC 9849 section 5: a HelloRetryRequest confirmation of the wrong length and malformed retry_configs are decode_error', () => {
  const hrr = encodeHandshake({ type: 'hello_retry_request', legacySessionIdEcho: new Uint8Array(0), cipherSuite: 0x1301, extensions: [ext.supportedVersionsServer(0x0304), ext.raw(ExtensionType.encrypted_client_hello, new Uint8Array(7))] });
  assert.throws(() => decodeHandshake(hrr), (e: unknown) => e instanceof DecodeError && e.alert === 'decode_error' && /confirmation/.test(e.field));
  const ee = encodeHandshake({ type: 'encrypted_extensions', extensions: [ext.raw(ExtensionType.encrypted_client_hello, Uint8Array.from([0, 3, 0xfe, 0x0d, 0]))] });
  assert.throws(() => decodeHandshake(ee), (e: unknown) => e instanceof DecodeError && e.alert === 'decode_error');
});

test('RFC 9849 section 6.1.6: a HelloRetryRequest that rejects ECH: the second ClientHello follows ClientHelloOuter, then ech_required', () => {
  const { c, s, events } = pair({ ech: { configs: [key.config] }, groups: [NamedGroup.secp256r1, NamedGroup.x25519], keyShareGroups: [NamedGroup.secp256r1] }, { echServer: serverConfigOf([otherKey(9)]), groups: [NamedGroup.x25519] });
  assert.equal(c.error?.alert, 'ech_required', c.error?.message);
  assert.equal(s.error?.alert, 'ech_required');
  const hellos = sentHellos(events.c).map((e) => e.fields as ClientHello);
  assert.equal(hellos.length, 2);
  assert.deepEqual(hellos[1]!.ext.serverName, ['public.example']);
  assert.deepEqual(hellos[1]!.random, hellos[0]!.random, 'the outer random, unchanged (RFC 8446 section 4.1.2)');
  assert.deepEqual(hellos[1]!.ext.encryptedClientHello, hellos[0]!.ext.encryptedClientHello, 'the extension repeated');
  assert.ok(echEvents(events.c).some((e) => e.status === 'rejected' && /HelloRetryRequest has no encrypted_client_hello/.test(e.message)));
});

test('RFC 9849 sections 6.1 and 6.1.2: resumption inside ECH; the outer hello carries a GREASE pre_shared_key of the same shape', () => {
  const sessions: import('../../engine/conn/session-ticket').ClientSession[] = [];
  const ticketKey = new Uint8Array(32).fill(3);
  const first = pair({ ech: { configs: [key.config] }, onSession: (x) => sessions.push(x) }, { echServer: serverConfigOf([key]), ticketKey });
  first.pump();
  assert.ok(sessions.length > 0, first.c.error?.message);
  assert.equal(sessions[0]!.serverName, 'secret.example');
  const { c, s, events } = pair({ ech: { configs: [key.config] }, session: sessions[0]! }, { echServer: serverConfigOf([key]), ticketKey });
  assert.equal(c.status, 'open', c.error?.message ?? s.error?.message);
  assert.equal(c.negotiated?.resumed, true);
  assert.equal(c.negotiated?.ech, 'accepted');
  const outer = sentHellos(events.c)[0]!.fields as ClientHello;
  const inner = echEvents(events.c).find((e) => e.status === 'offered')!.inner!.fields as ClientHello;
  assert.equal(outer.extensions.at(-1)!.type, ExtensionType.pre_shared_key);
  assert.equal(outer.ext.preSharedKey!.identities[0]!.identity.length, inner.ext.preSharedKey!.identities[0]!.identity.length);
  assert.notDeepEqual(outer.ext.preSharedKey!.identities[0]!.identity, inner.ext.preSharedKey!.identities[0]!.identity);
});

test('the HPKE context is zeroed with the connection\'s other secrets (util/wipe.ts)', () => {
  const { c, s } = pair({ ech: { configs: [key.config] } }, { echServer: serverConfigOf([key]) });
  assert.equal(c.negotiated?.ech, 'accepted');
  const keyOf = (conn: TlsConnection) => (conn as unknown as { driver: { ech: { context: { keySchedule: { key: Uint8Array } } } } }).driver.ech.context.keySchedule.key;
  assert.ok(keyOf(c).some((b) => b !== 0) && keyOf(s).some((b) => b !== 0));
  c.wipe();
  s.wipe();
  assert.ok(keyOf(c).every((b) => b === 0) && keyOf(s).every((b) => b === 0));
});

/** Client and server through a HelloRetryRequest, with the client's second ClientHello record changed by `change`. */
function secondHelloChanged(change: (record: Uint8Array) => Uint8Array): { c: TlsConnection; s: TlsConnection } {
  const c = new TlsConnection({ side: 'client', provider, serverName: 'secret.example', ech: { configs: [key.config] }, groups: [NamedGroup.secp256r1, NamedGroup.x25519], keyShareGroups: [NamedGroup.secp256r1] });
  const s = new TlsConnection({ side: 'server', provider, certificateChain: id.chain, signer: id.signer, echServer: serverConfigOf([key]), groups: [NamedGroup.x25519] });
  let hellos = 0;
  c.start();
  for (let i = 0; i < 20; i++) {
    const a = c.takeOutgoing();
    const b = s.takeOutgoing();
    if (!a.length && !b.length) break;
    for (const x of a) s.receive(x[0] === 22 && x[5] === 1 && ++hellos === 2 ? change(x) : x);
    for (const x of b) c.receive(x);
  }
  return { c, s };
}

test('RFC 9849 section 7.1.1: the second ClientHelloOuter must carry the extension (missing_extension) and decrypt (decrypt_error)', () => {
  const changed = secondHelloChanged((rec) => {
    const out = rec.slice();
    out[5 + 4 + 2] ^= 1; // the outer random: part of ClientHelloOuterAAD
    return out;
  });
  assert.equal(changed.s.error?.alert, 'decrypt_error', changed.s.error?.message);
  assert.match(changed.s.error!.message, /second ClientHelloOuter's payload does not decrypt/);
  const stripped = secondHelloChanged((rec) => {
    const ch = decodeHandshake(rec.subarray(5)) as ClientHello;
    const raw = encodeHandshake({ ...ch, extensions: ch.extensions.filter((e) => e.type !== ExtensionType.encrypted_client_hello) });
    return Uint8Array.from([22, 3, 3, raw.length >> 8, raw.length & 0xff, ...raw]);
  });
  assert.equal(stripped.s.error?.alert, 'missing_extension', stripped.s.error?.message);
});
