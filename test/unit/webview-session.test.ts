// The session panel's words (webview/views/session-format.ts), without a DOM: the one-line description of
// every trace event kind, the filter, code points named in the decoded-fields tree, and hex-dump rows.
// The events are the JSON form the panel receives (bytes as hex), taken from real `tlslens connect --json` runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALERTS } from '../../engine/registry/alerts';
import type { AlertGlossary, TraceEventJson } from '../../webview/shared/protocol';
import {
  buildTree,
  CATEGORIES,
  codePointLabel,
  codeSpaceAt,
  compileFilter,
  defaultFilter,
  describeEvent,
  formatBytes,
  formatTime,
  hexRows,
  lineText,
  matchesFilter,
  messageTitle,
  sanitizeFilter,
  handshakeSpans,
  recordSpans,
  spanAt,
  spanPlace,
  type TreeNode,
} from '../../webview/views/session-format';

const glossary: AlertGlossary = Object.fromEntries(ALERTS.map((a) => [a.name, { description: a.description, causes: a.causes }]));
const ev = (e: Record<string, unknown>): TraceEventJson => ({ t: 68, side: 'client', ...e }) as TraceEventJson;
const line = (e: Record<string, unknown>) => lineText(describeEvent(ev(e), glossary));

const CLIENT_HELLO = ev({
  kind: 'handshake', dir: 'out', msgType: 1, name: 'client_hello', length: 230,
  raw: '010000e60303',
  fields: {
    type: 'client_hello', legacyVersion: 771, random: '8f2daa548e8fa48648b4c793c70d5f815884357b0a37a0560d33610cd275db40',
    legacySessionId: '', cipherSuites: [4866, 4867, 4865], legacyCompressionMethods: [0],
    extensions: [{ type: 0, data: '000c0000096c6f63616c686f7374' }, { type: 43, data: '020304' }, { type: 0x0a0a, data: '' }],
    ext: {
      serverName: ['localhost'], supportedVersions: [772], supportedGroups: [29, 23],
      signatureAlgorithms: [1027, 2052], keyShare: [{ group: 29, keyExchange: '4ca3167cdb5369c3a3d5ef37188b40ee266b72f41c3d492d2b18c0efbbaa8e7d' }],
      pskKeyExchangeModes: [1], alpn: ['h2', 'http/1.1'],
    },
  },
});

test('handshake messages: name, length and the key fields, as the terminal printer picks them', () => {
  const l = describeEvent(CLIENT_HELLO, glossary);
  assert.equal(l.category, 'handshake');
  assert.equal(l.title, 'ClientHello');
  assert.equal(l.side, 'C');
  assert.equal(l.arrow, '>>');
  assert.equal(l.time, '0.068');
  assert.equal(l.detail, '(230 bytes): SNI localhost; versions TLSv1.3; suites TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256, TLS_AES_128_GCM_SHA256; groups X25519, P-256; key_share X25519; sigalgs ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256; ALPN h2, http/1.1');

  assert.equal(line({ kind: 'handshake', dir: 'in', msgType: 2, name: 'server_hello', length: 118, fields: { cipherSuite: 0x1302, ext: { supportedVersions: 772, keyShare: { group: 29, keyExchange: 'aa' } } } }),
    'ServerHello (118 bytes): TLS_AES_256_GCM_SHA384; version TLSv1.3; key_share X25519');
  // a HelloRetryRequest is a ServerHello on the wire (type 2): not the drafts' type 6 label
  assert.equal(line({ kind: 'handshake', dir: 'in', msgType: 2, name: 'hello_retry_request', length: 84, fields: { cipherSuite: 0x1301, ext: { keyShare: 23, cookie: 'abcd' } } }),
    'HelloRetryRequest (84 bytes): TLS_AES_128_GCM_SHA256; wants P-256; cookie');
  assert.equal(line({ kind: 'handshake', dir: 'in', msgType: 8, name: 'encrypted_extensions', length: 11, fields: { extensions: [{ type: 16, data: '0003026832' }], ext: { alpn: 'h2' } } }),
    'EncryptedExtensions (11 bytes): application_layer_protocol_negotiation; ALPN h2');
  assert.equal(line({ kind: 'handshake', dir: 'in', msgType: 11, name: 'certificate', length: 398, fields: { certificateRequestContext: '', certificateList: [{ data: '30' }] } }),
    'Certificate (398 bytes): 1 certificate');
  assert.equal(line({ kind: 'handshake', dir: 'in', msgType: 15, name: 'certificate_verify', length: 74, fields: { algorithm: 0x0403, signature: '30' } }),
    'CertificateVerify (74 bytes): ecdsa_secp256r1_sha256');
  assert.equal(line({ kind: 'handshake', dir: 'in', msgType: 20, name: 'finished', length: 12, fields: { verifyData: 'a1b2c3d4e5f6a7b8c9d0e1f2' } }), 'Finished (12 bytes): verify_data 12 bytes a1b2c3d4e5f6a7b8c9d0e1f2');
  assert.equal(line({ kind: 'handshake', dir: 'out', msgType: 24, name: 'key_update', length: 1, fields: { requestUpdate: 1 } }), 'KeyUpdate (1 bytes): update_requested');
  assert.equal(line({ kind: 'handshake', dir: 'in', msgType: 4, name: 'new_session_ticket', length: 229, fields: { ticketLifetime: 7200, ticket: 'aabbcc', ext: {} } }),
    'NewSessionTicket (229 bytes): lifetime 7200 s; ticket 3 bytes');
  assert.equal(messageTitle('encrypted_extensions'), 'EncryptedExtensions');
  assert.equal(messageTitle('made_up_type'), 'MadeUpType');
});

test('records: content type, version, length; protected ones with epoch, sequence and inner type', () => {
  const plain = describeEvent(ev({ kind: 'record', dir: 'out', contentType: 22, contentTypeName: 'handshake', version: 771, length: 234, raw: '16', epoch: 'plaintext' }));
  assert.equal(plain.category, 'record');
  assert.equal(lineText(plain), 'Record handshake TLSv1.2 len=234');
  assert.equal(line({ kind: 'record', dir: 'in', contentType: 23, contentTypeName: 'application_data', version: 771, length: 32, raw: '17', epoch: 'handshake', seq: '0', inner: { contentType: 22, contentTypeName: 'handshake', length: 15, padding: 0 } }),
    'Record application_data TLSv1.2 len=32 [handshake epoch, seq 0: handshake 15 bytes]');
  assert.equal(line({ kind: 'record', dir: 'in', contentType: 23, contentTypeName: 'application_data', version: 771, length: 40, raw: '17', epoch: 'application', seq: '3', inner: { contentType: 21, contentTypeName: 'alert', length: 2, padding: 5 } }),
    'Record application_data TLSv1.2 len=40 [application epoch, seq 3: alert 2 bytes + 5 bytes padding]');
});

test('alerts: level, name, code and the glossary meaning; fatal ones in the error tone', () => {
  const fatal = describeEvent(ev({ kind: 'alert', dir: 'in', level: 'fatal', code: 40, name: 'handshake_failure', description: '' }), glossary);
  assert.equal(fatal.category, 'alert');
  assert.equal(fatal.tone, 'error');
  assert.equal(fatal.arrow, '<<');
  assert.match(lineText(fatal), /^Alert fatal handshake_failure \(40\): The sender could not negotiate/);
  const close = describeEvent(ev({ kind: 'alert', dir: 'out', level: 'warning', code: 0, name: 'close_notify', description: 'The sender will not send any more messages on this connection.' }), glossary);
  assert.equal(close.tone, 'normal');
  assert.equal(lineText(close), 'Alert warning close_notify (0): The sender will not send any more messages on this connection.');
});

test('state, keys, negotiated, application data, api, errors, info and unknown kinds', () => {
  const st = describeEvent(ev({ kind: 'state', from: 'start', to: 'wait_sh' }));
  assert.deepEqual([st.category, lineText(st), st.arrow], ['keys', 'State start → wait_sh', '']);
  assert.equal(line({ kind: 'keys', dir: 'read', epoch: 'handshake', generation: 0, suite: 'TLS_AES_256_GCM_SHA384' }), 'Keys read: handshake epoch, TLS_AES_256_GCM_SHA384');
  assert.equal(line({ kind: 'keys', dir: 'write', epoch: 'application', generation: 3, suite: 'TLS_AES_128_GCM_SHA256' }), 'Keys write: application epoch (update 2), TLS_AES_128_GCM_SHA256');
  const neg = describeEvent(ev({ kind: 'negotiated', version: 'TLSv1.3', suite: 'TLS_AES_256_GCM_SHA384', group: 'X25519', signatureScheme: 'ecdsa_secp256r1_sha256', alpn: 'h2', resumed: false, helloRetry: true, earlyData: 'not offered' }));
  assert.deepEqual([neg.category, neg.tone], ['handshake', 'good']);
  assert.equal(lineText(neg), 'Negotiated TLSv1.3, TLS_AES_256_GCM_SHA384, X25519, ecdsa_secp256r1_sha256, ALPN h2, after HelloRetryRequest');
  const data = describeEvent(ev({ kind: 'app-data', dir: 'in', length: 322 }));
  assert.deepEqual([data.category, lineText(data), data.arrow], ['data', 'Application data 322 bytes', '<<']);
  const api = describeEvent(ev({ kind: 'api', call: 'SSL_connect', ret: -1, error: { code: 2, name: 'SSL_ERROR_WANT_READ', meaning: 'the operation did not complete; call again when the socket is readable' } }));
  assert.deepEqual([api.category, api.tone], ['api', 'warn']);
  assert.equal(lineText(api), 'SSL_connect = -1 (SSL_ERROR_WANT_READ: the operation did not complete; call again when the socket is readable)');
  const apiFail = describeEvent(ev({ kind: 'api', call: 'SSL_connect', ret: -1, error: { code: 1, name: 'SSL_ERROR_SSL', meaning: 'a protocol error' }, queue: ['error:0A000410:SSL routines::ssl/tls alert handshake failure'] }));
  assert.equal(apiFail.tone, 'error');
  assert.match(lineText(apiFail), /\[1 queued error\]$/);
  assert.equal(line({ kind: 'api', call: 'SSL_write', ret: 5 }), 'SSL_write = 5');
  const err = describeEvent(ev({ kind: 'error', alert: 'decode_error', message: 'ServerHello: truncated', place: { message: 'ServerHello', field: 'cipher_suite', offset: 38 } }));
  assert.deepEqual([err.category, err.tone], ['error', 'error']);
  assert.equal(lineText(err), 'Error ServerHello: truncated [alert decode_error] (at cipher_suite, offset 38)');
  const info = describeEvent(ev({ kind: 'info', side: 'server', message: 'connection from 127.0.0.1:50000' }));
  assert.deepEqual([info.category, info.side, lineText(info)], ['info', 'S', 'connection from 127.0.0.1:50000']);
  const odd = describeEvent(ev({ kind: 'mystery', value: 7 }));
  assert.deepEqual([odd.category, lineText(odd)], ['info', 'mystery {"value":7}']);
});

test('malformed events from a peer never throw and still give a line', () => {
  for (const e of [{ kind: 'handshake' }, { kind: 'record' }, { kind: 'alert' }, { kind: 'api' }, { kind: 'error' }, { kind: 'handshake', name: 'client_hello', fields: { cipherSuites: 'nope', ext: { keyShare: 5 } } }, { kind: 'negotiated' }]) {
    const l = describeEvent({ ...e, t: Number.NaN, side: 'client' } as unknown as TraceEventJson, glossary);
    assert.equal(typeof lineText(l), 'string');
    assert.equal(l.time, '–');
  }
});

test('time: seconds with three decimals', () => {
  assert.equal(formatTime(0), '0.000');
  assert.equal(formatTime(68), '0.068');
  assert.equal(formatTime(12345), '12.345');
  assert.equal(formatTime(undefined), '–');
});

test('filter: kinds on by default except records and keys/state; text words must all match', () => {
  const f = defaultFilter();
  assert.deepEqual(CATEGORIES.filter((c) => !f.kinds[c.id]).map((c) => c.id), ['record', 'keys']);
  const ch = { category: 'handshake' as const, search: lineText(describeEvent(CLIENT_HELLO)).toLowerCase() };
  const rec = { category: 'record' as const, search: 'record handshake tlsv1.2 len=234' };
  assert.equal(matchesFilter(ch, f), true);
  assert.equal(matchesFilter(rec, f), false);
  assert.equal(matchesFilter(rec, { ...f, kinds: { ...f.kinds, record: true } }), true);
  const test1 = compileFilter({ ...f, text: '  X25519   localhost ' });
  assert.equal(test1(ch), true);
  assert.equal(compileFilter({ ...f, text: 'x25519 chacha20 nothing' })(ch), false);
  assert.equal(compileFilter({ ...f, text: 'ALERT' })({ category: 'alert', search: 'alert fatal handshake_failure (40)' }), true);
  // what comes back from webview state is checked
  assert.deepEqual(sanitizeFilter(undefined), defaultFilter());
  assert.deepEqual(sanitizeFilter({ text: 7, kinds: { record: true, api: 'yes', bogus: true } }), { text: '', kinds: { ...defaultFilter().kinds, record: true } });
});

test('code points: named from the registries with their hex value', () => {
  assert.equal(codePointLabel('suite', 0x1301), '0x1301 TLS_AES_128_GCM_SHA256');
  assert.equal(codePointLabel('suite', 0xc02f), '0xc02f TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (ECDHE-RSA-AES128-GCM-SHA256)');
  assert.equal(codePointLabel('group', 0x001d), '0x001d X25519 (x25519)');
  assert.equal(codePointLabel('group', 0x0017), '0x0017 P-256 (secp256r1)');
  assert.equal(codePointLabel('sigscheme', 0x0804), '0x0804 rsa_pss_rsae_sha256');
  assert.equal(codePointLabel('extension', 0x002b), '0x002b supported_versions');
  assert.equal(codePointLabel('extension', 0x0a0a), '0x0a0a GREASE(0x0a0a)');
  assert.equal(codePointLabel('version', 0x0304), '0x0304 TLSv1.3');
  assert.equal(codePointLabel('contentType', 22), '0x16 handshake');
  assert.equal(codePointLabel('pskMode', 1), '0x01 psk_dhe_ke');
  assert.equal(codePointLabel('suite', 0x9999), '0x9999 (unknown)');
  assert.equal(codePointLabel('contentType', 99), '0x63 (unknown)');

  assert.equal(codeSpaceAt(['cipherSuites', 0], 4865), 'suite');
  assert.equal(codeSpaceAt(['ext', 'keyShare', 0, 'group'], 29), 'group');
  assert.equal(codeSpaceAt(['ext', 'keyShare'], 23), 'group'); // HelloRetryRequest: a bare group
  assert.equal(codeSpaceAt(['extensions', 2, 'type'], 43), 'extension');
  assert.equal(codeSpaceAt(['type'], 1), undefined);
  assert.equal(codeSpaceAt(['ticketLifetime'], 7200), undefined);
});

test('fields tree: code points labelled, bytes recognised, text kept as text, previews for extensions and key shares', () => {
  const tree = buildTree((CLIENT_HELLO as Record<string, unknown>).fields);
  const at = (n: TreeNode, ...keys: string[]): TreeNode => keys.reduce((node, k) => {
    const c = node.children?.find((x) => x.key === k);
    assert.ok(c, `no ${k} under ${node.key}`);
    return c;
  }, n);
  assert.equal(at(tree, 'type').kind, 'string');
  assert.equal(at(tree, 'type').text, '"client_hello"');
  assert.deepEqual(at(tree, 'legacyVersion'), { key: 'legacyVersion', kind: 'code', text: '0x0303 TLSv1.2' });
  assert.deepEqual(at(tree, 'cipherSuites', '[2]'), { key: '[2]', kind: 'code', text: '0x1301 TLS_AES_128_GCM_SHA256' });
  assert.equal(at(tree, 'cipherSuites').text, '3 items');
  assert.equal(at(tree, 'random').kind, 'bytes');
  assert.equal(at(tree, 'random').text, '32 bytes');
  assert.equal(at(tree, 'legacySessionId').text, '0 bytes');
  assert.equal(at(tree, 'extensions', '[0]').text, '0x0000 server_name · 14 bytes');
  assert.equal(at(tree, 'extensions', '[2]').text, '0x0a0a GREASE(0x0a0a) · 0 bytes');
  assert.equal(at(tree, 'extensions', '[1]', 'type').text, '0x002b supported_versions');
  assert.equal(at(tree, 'ext', 'serverName', '[0]').kind, 'string');
  assert.equal(at(tree, 'ext', 'alpn', '[0]').text, '"h2"');
  assert.equal(at(tree, 'ext', 'supportedVersions', '[0]').text, '0x0304 TLSv1.3');
  assert.equal(at(tree, 'ext', 'supportedGroups', '[1]').text, '0x0017 P-256 (secp256r1)');
  assert.equal(at(tree, 'ext', 'signatureAlgorithms', '[1]').text, '0x0804 rsa_pss_rsae_sha256');
  assert.equal(at(tree, 'ext', 'keyShare', '[0]').text, 'X25519 (x25519) · 32 bytes');
  assert.equal(at(tree, 'ext', 'pskKeyExchangeModes', '[0]').text, '0x01 psk_dhe_ke');
  // numbers that are not code points stay decimal
  assert.deepEqual(buildTree({ ticketLifetime: 7200 }).children![0], { key: 'ticketLifetime', kind: 'number', text: '7200' });
  // a certificate_verify's algorithm, a server_hello's chosen suite
  assert.equal(buildTree({ algorithm: 0x0403 }).children![0]!.text, '0x0403 ecdsa_secp256r1_sha256');
  assert.equal(buildTree({ cipherSuite: 0x1302 }).children![0]!.text, '0x1302 TLS_AES_256_GCM_SHA384');
});

test('hex view: offset column, 16 bytes a row with a gap after 8, ASCII column', () => {
  const hex = '16030300ea010000e60303' + Buffer.from('Hello, TLS Lens!\x00\x7f').toString('hex');
  const rows = hexRows(hex);
  assert.equal(rows.length, 2);
  assert.deepEqual(rows[0], { offset: '0000', hex: '16 03 03 00 ea 01 00 00  e6 03 03 48 65 6c 6c 6f', ascii: '...........Hello' });
  assert.equal(rows[1]!.offset, '0010');
  assert.equal(rows[1]!.ascii, ', TLS Lens!..');
  assert.equal(rows[1]!.hex.length, rows[0]!.hex.length, 'short rows are padded so the ASCII column lines up');
  assert.ok(rows[1]!.hex.startsWith('2c 20 54 4c 53 20 4c 65  6e 73 21 00 7f'));
  assert.deepEqual(hexRows(''), []);
  assert.equal(hexRows('00'.repeat(100), 2).length, 2, 'row limit');
  assert.equal(hexRows('00'.repeat(100), Infinity, 96)[0]!.offset, '0060', 'from an offset');
  assert.equal(hexRows('00'.repeat(0x10010), 1, 0x10000)[0]!.offset, '00010000', 'wide offsets past 64 KiB');
  assert.equal(hexRows('AB:CD:e')[0]!.hex.trim(), 'ab cd', 'stray characters and an odd digit are dropped');
});

test('summary numbers', () => {
  assert.equal(formatBytes(1), '1 byte');
  assert.equal(formatBytes(1261), '1,261 bytes');
  assert.equal(formatBytes(20480), '20,480 bytes (20.0 KiB)');
});

test('byte spans: handshake spans validated and relabelled, record header fields, the narrowest field wins', () => {
  const e = ev({ kind: 'handshake', raw: '0100000401020304', spans: [
    { path: 'Handshake.msg_type', start: 0, end: 1 },
    { path: 'ClientHello.cipher_suites', start: 4, end: 8 },
    { path: 'ClientHello.cipher_suites.length', start: 4, end: 6 },
    { path: 'bogus', start: -1, end: 2 }, { path: 'past-the-end', start: 2, end: 99 }, { start: 0, end: 1 }, null, 'x',
  ] });
  const spans = handshakeSpans(e, 8);
  assert.deepEqual(spans.map((x) => x.label), ['msg_type', 'cipher_suites', 'cipher_suites.length']);
  assert.equal(spanAt(spans, 5)?.label, 'cipher_suites.length', 'the length bytes are the more specific field');
  assert.equal(spanAt(spans, 7)?.label, 'cipher_suites');
  assert.equal(spanAt(spans, 2), undefined);
  assert.equal(spanPlace(spans[1]!), '@4 +4');
  assert.deepEqual(handshakeSpans(ev({ kind: 'handshake', spans: 'nope' }), 8), []);
  assert.deepEqual(recordSpans(21, true).map((x) => [x.label.split(' ')[0], x.start, x.end]), [['type', 0, 1], ['legacy_record_version', 1, 3], ['length', 3, 5], ['encrypted_record', 5, 21]]);
  assert.deepEqual(recordSpans(3, false), [], 'a record shorter than its header has no fields to show');
});

test('send box hex: spaces, colons, 0x and lines accepted; a bad digit or a missing one explained', async () => {
  const { parseHexInput } = await import('../../webview/shared/hex-input');
  const ok = (t: string) => {
    const r = parseHexInput(t);
    assert.ok('bytes' in r, `${t}: ${'error' in r ? r.error : ''}`);
    return [...r.bytes];
  };
  assert.deepEqual(ok('16 03 01'), [0x16, 3, 1]);
  assert.deepEqual(ok('16:03:01'), [0x16, 3, 1]);
  assert.deepEqual(ok('0x47 0x45\n0x54'), [0x47, 0x45, 0x54]);
  assert.deepEqual(ok('474554'), [0x47, 0x45, 0x54]);
  const err = (t: string) => {
    const r = parseHexInput(t);
    assert.ok('error' in r, t);
    return r.error;
  };
  assert.match(err('47 zz'), /"zz" is not hex/);
  assert.match(err('47 4'), /odd number of hex digits/);
  assert.match(err('474'), /odd number: a digit is missing/);
  assert.match(err('   '), /nothing to send/);
});

test('Revocation section: the staple\'s verdict as a badge and a headline, or why there is none', async () => {
  const { pointerRows, revocationSection } = await import('../../webview/views/session-format');
  assert.equal(revocationSection(undefined), undefined, 'serve sessions carry none: no section');
  const pointers = [
    { depth: 0, subject: 'leaf.example.com', crl: ['http://crl.example.com/intermediate.crl'], ocsp: ['http://ocsp.example.com/'], summary: 'OCSP http://ocsp.example.com/; CRL http://crl.example.com/intermediate.crl' },
    { depth: 1, subject: 'Root', crl: [], ocsp: [], summary: 'a root: no revocation pointers (roots are trusted or not, not revoked)' },
  ];

  const none = revocationSection({ requested: false, pointers })!;
  assert.deepEqual(none.badge, { word: 'no staple', state: 'not-performed' });
  assert.match(none.headline, /No stapled OCSP response was asked for/);
  assert.deepEqual(none.lines.map((l) => l.tone), ['muted'], 'a pointer to the cards, muted');
  assert.match(revocationSection({ requested: true, pointers: [] })!.headline, /stapled no OCSP response, though one was asked for/);
  assert.equal(revocationSection({ requested: true, pointers: [] })!.lines.length, 0, 'no cards to point at');

  const good = revocationSection({ requested: true, pointers, stapled: { status: 'good', code: 0, verified: true, text: 'OCSP response verify OK: good, signed by the issuer "CA"', thisUpdate: '2026-01-01T00:00:00.000Z', nextUpdate: '2026-01-08T00:00:00.000Z', findings: [] } })!;
  assert.deepEqual(good.badge, { word: 'good', state: 'ok' });
  assert.equal(good.headline, 'OCSP response verify OK: good, signed by the issuer "CA"');
  assert.deepEqual(good.lines[0], { text: 'This update 2026-01-01T00:00:00.000Z, next update 2026-01-08T00:00:00.000Z', tone: 'muted' });

  const revoked = revocationSection({ requested: true, pointers: [], stapled: { status: 'revoked', code: 23, verified: true, text: 'OCSP response verify OK: revoked (X509_V_ERR 23: certificate revoked)', thisUpdate: '2026-01-01T00:00:00.000Z', findings: ['The responder says "leaf" was revoked. Replace "leaf".'] } })!;
  assert.deepEqual(revoked.badge, { word: 'revoked', state: 'failed' });
  assert.deepEqual(revoked.lines.map((l) => [l.tone, l.text.slice(0, 20)]), [['muted', 'This update 2026-01-'], ['error', 'The responder says "']]);
  assert.match(revoked.lines[0]!.text, /no next update given/);

  const unknown = revocationSection({ requested: true, pointers: [], stapled: { status: 'unknown', code: 75, verified: true, text: 'x', findings: ['The responder does not know "leaf".'] } })!;
  assert.deepEqual(unknown.badge, { word: 'unknown', state: 'not-performed' });
  assert.equal(unknown.lines[0]!.tone, 'warn');

  const invalid = revocationSection({ requested: true, pointers: [], stapled: { status: 'invalid', code: 97, verified: false, text: 'OCSP response verify failure: OCSP response signature verification failure (X509_V_ERR 97)', findings: ['Bad.'] } })!;
  assert.deepEqual(invalid.badge, { word: 'staple invalid', state: 'failed' });
  assert.equal(invalid.lines[0]!.tone, 'error');

  // data from across the boundary: wrong types are dropped, not thrown on
  const junk = revocationSection({ pointers: 'x', stapled: { status: 5, verified: 'yes', text: null, findings: [3, 'Kept.'] } })!;
  assert.deepEqual(junk.badge, { word: 'staple invalid', state: 'failed' });
  assert.equal(junk.headline, 'OCSP: 5');
  assert.deepEqual(junk.lines.map((l) => l.text), ['Kept.']);

  // each card's rows
  assert.deepEqual(pointerRows({ pointers }, 0), [['OCSP', 'http://ocsp.example.com/'], ['CRL', 'http://crl.example.com/intermediate.crl']]);
  assert.deepEqual(pointerRows({ pointers }, 1), [['Revocation', 'a root: no revocation pointers (roots are trusted or not, not revoked)']]);
  assert.deepEqual(pointerRows({ pointers }, 2), []);
  assert.deepEqual(pointerRows(undefined, 0), []);
  assert.deepEqual(pointerRows({ pointers: [{ depth: 0, crl: ['http://a/', 7], ocsp: 'x' }] }, 0), [['CRL', 'http://a/']]);
});

test('Revocation from the host: a staple made by openssl ocsp judged against the chain, and the chain\'s pointers', async () => {
  const { execFileSync } = await import('node:child_process');
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { revocationView } = await import('../../extension/sessions/session-runner');
  const { certsFromBytes } = await import('../../engine/x509/verify/trust-store');
  const P = (n: string) => path.resolve('test/fixtures/pki', n);
  const der = (n: string) => certsFromBytes(new Uint8Array(fs.readFileSync(P(n))), n).certs[0]!.der;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-rev-'));
  try {
    const serial = execFileSync('openssl', ['x509', '-in', P('leaf.crt'), '-noout', '-serial'], { encoding: 'utf8' }).trim().split('=')[1]!;
    fs.writeFileSync(path.join(dir, 'index.txt'), `V\t21260101000000Z\t\t${serial}\tunknown\t/CN=leaf\n`);
    const respond = (signer: string, out: string) => {
      execFileSync('openssl', ['ocsp', '-index', path.join(dir, 'index.txt'), '-rsigner', P(`${signer}.crt`), '-rkey', P(`${signer}.key`), '-CA', P('intermediate-ca.crt'),
        '-issuer', P('intermediate-ca.crt'), '-cert', P('leaf.crt'), '-respout', path.join(dir, out), '-ndays', '36500'], { stdio: 'pipe' });
      return new Uint8Array(fs.readFileSync(path.join(dir, out)));
    };
    const chain = [der('leaf.crt'), der('intermediate-ca.crt')];

    const good = revocationView(chain, respond('intermediate-ca', 'good.der'), [], true);
    assert.equal(good.requested, true);
    assert.deepEqual({ ...good.stapled, text: undefined, thisUpdate: undefined, nextUpdate: undefined }, { status: 'good', code: 0, verified: true, text: undefined, thisUpdate: undefined, nextUpdate: undefined, findings: [] });
    assert.equal(good.stapled!.text, 'OCSP response verify OK: good, signed by the issuer "TLS Lens Test Intermediate CA"');
    assert.match(good.stapled!.nextUpdate ?? '', /^21\d\d-/);
    assert.deepEqual(good.pointers.map((p) => [p.depth, p.subject, p.ocsp, p.crl]), [
      [0, 'leaf.example.com', ['http://ocsp.example.com/'], ['http://crl.example.com/intermediate.crl']],
      [1, 'TLS Lens Test Intermediate CA', [], ['http://crl.example.com/root.crl']],
    ]);

    // signed by the root, which did not issue the leaf: not an authorized responder (OpenSSL 3.6's code 97)
    const wrong = revocationView(chain, respond('root-ca', 'root.der'), [], true);
    assert.equal(wrong.stapled?.verified, false);
    assert.equal(wrong.stapled?.code, 97);
    assert.equal(wrong.stapled?.text, 'OCSP response verify failure: OCSP response signature verification failure (X509_V_ERR 97)');
    assert.match(wrong.stapled?.findings[0] ?? '', /^The responder "TLS Lens Test Root CA" is not the issuer/);

    // the server left the intermediate out: the issuers given (the verified path) supply it
    const leafOnly = revocationView([chain[0]!], respond('intermediate-ca', 'good.der'), [], true);
    assert.equal(leafOnly.stapled?.code, 74, 'no issuer, no CertID');
    assert.equal(revocationView([chain[0]!], respond('intermediate-ca', 'good.der'), certsFromBytes(new Uint8Array(fs.readFileSync(P('intermediate-ca.crt'))), 'i').certs, true).stapled?.code, 0);

    assert.equal(revocationView(chain, undefined, [], false).stapled, undefined, 'no staple: pointers only');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('in zh-cn the lines are Chinese: the panel\'s own words from the bundle, the engine\'s sentences from its templates', async () => {
  const fs = await import('node:fs');
  const { setStrings } = await import('../../webview/shared/l10n');
  const { SENTENCES_ZH_CN } = await import('../../engine/l10n/zh-cn/index');
  const bundle = JSON.parse(fs.readFileSync('l10n/bundle.l10n.zh-cn.json', 'utf8')) as Record<string, string>;
  setStrings(bundle, 'zh-cn', SENTENCES_ZH_CN.flat());
  try {
    assert.equal(line({ kind: 'handshake', dir: 'in', msgType: 4, name: 'new_session_ticket', length: 229, fields: { ticketLifetime: 7200, ticket: 'aabbcc', ext: {} } }),
      'NewSessionTicket （229 字节）: 有效期 7200 秒; 票据 3 字节');
    assert.equal(line({ kind: 'info', message: 'session ticket received: lifetime 7200 s, 208 bytes' }), '收到会话票据：有效期 7200 秒，208 字节');
    assert.equal(line({ kind: 'error', message: 'the peer sent a fatal alert: protocol_version (70)', alert: 'protocol_version' }), '错误 对端发送了致命告警：protocol_version（70） [告警 protocol_version]');
    // A sentence no template knows (a newer engine, a peer's text) shows as it came.
    assert.equal(line({ kind: 'info', message: 'something only a newer engine says' }), 'something only a newer engine says');
  } finally {
    setStrings({}, 'en');
  }
});
