// The codecs of engine/transport: LDAP's StartTLS BER (RFC 4511 section 4.14), PostgreSQL's SSLRequest, MySQL's
// Handshake v10 and SSL Request, SOCKS5 (RFC 1928, RFC 1929), proxy URLs, HTTP response heads, the port guess
// and the trace line of a preamble event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { berElementLength, decodeExtendedResponse, encodeStartTlsRequest, resultCodeName } from '../../engine/transport/starttls/ldap';
import { encodeSslRequest as pgSslRequest, errorResponseMessage } from '../../engine/transport/starttls/postgres';
import { CLIENT_SSL, decodeServerGreeting, encodeSslRequest as mysqlSslRequest } from '../../engine/transport/starttls/mysql';
import { connectReplyLength, encodeConnect, encodeGreeting, encodeUserPass } from '../../engine/transport/proxy/socks5';
import { parseProxyUrl, redactUrl, ProxyUrlError } from '../../engine/transport/proxy/url';
import { parseResponseHead } from '../../engine/transport/proxy/http-connect';
import { guessStartTls, startTlsProtocol, STARTTLS_NAMES } from '../../engine/transport/starttls/index';
import { formatEvent } from '../../engine/trace/format-text';
import { DecodeError } from '../../engine/msgs/reader';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('LDAP StartTLS request is LDAPMessage { 1, [APPLICATION 23] { [0] 1.3.6.1.4.1.1466.20037 } } (RFC 4511 section 4.14.1)', () => {
  assert.equal(hex(encodeStartTlsRequest(1)), '301d02010177188016' + Buffer.from('1.3.6.1.4.1.1466.20037').toString('hex'));
});

test('LDAP ExtendedResponse decodes resultCode, diagnosticMessage and responseName (RFC 4511 section 4.12)', () => {
  const oid = Buffer.from('1.3.6.1.4.1.1466.20037');
  const op = Buffer.concat([Buffer.from('0a0100040004008a16', 'hex'), oid]);
  const msg = Buffer.concat([Buffer.from([0x30, 5 + op.length, 2, 1, 1, 0x78, op.length]), op]);
  assert.equal(berElementLength(msg), msg.length);
  assert.deepEqual(decodeExtendedResponse(msg), { messageId: 1, resultCode: 0, matchedDN: '', diagnosticMessage: '', responseName: '1.3.6.1.4.1.1466.20037' });
  const diag = Buffer.from('no TLS here');
  const op2 = Buffer.concat([Buffer.from([0x0a, 1, 2, 0x04, 0, 0x04, diag.length]), diag]);
  const r = decodeExtendedResponse(Buffer.concat([Buffer.from([0x30, 5 + op2.length, 2, 1, 1, 0x78, op2.length]), op2]));
  assert.equal(r.resultCode, 2);
  assert.equal(resultCodeName(r.resultCode), 'protocolError');
  assert.equal(r.diagnosticMessage, 'no TLS here');
});

test('LDAP framing: long-form lengths, incomplete input, indefinite length refused (RFC 4511 section 5.1), a BindResponse is not an ExtendedResponse', () => {
  assert.equal(berElementLength(Uint8Array.of(0x30, 0x82, 0x01, 0x00)), 4 + 256);
  assert.equal(berElementLength(Uint8Array.of(0x30, 0x82, 0x01)), undefined);
  assert.equal(berElementLength(Uint8Array.of(0x30)), undefined);
  assert.throws(() => berElementLength(Uint8Array.of(0x30, 0x80)), /indefinite length/);
  assert.throws(() => decodeExtendedResponse(Buffer.from('300c02010161070a010004000400', 'hex')), /protocolOp: \[APPLICATION 1\], not an ExtendedResponse/);
  assert.throws(() => decodeExtendedResponse(Buffer.from('3007020101780204', 'hex')), /LDAPMessage|ExtendedResponse/);
});

test('PostgreSQL SSLRequest is length 8 and code 80877103 (protocol section 53.2.10); an ErrorResponse is read by its fields', () => {
  assert.equal(hex(pgSslRequest()), '0000000804d2162f');
  assert.equal(errorResponseMessage(Buffer.from('SFATAL\0C08P01\0Munsupported frontend protocol\0\0')), 'FATAL (08P01) unsupported frontend protocol');
});

function handshakeV10(capsLow: number, capsHigh?: number): Uint8Array {
  const parts = [Buffer.from([10]), Buffer.from('8.0.36\0'), Buffer.from([0x2a, 0, 0, 0]), Buffer.from('12345678'), Buffer.from([0]), Buffer.from([capsLow & 0xff, capsLow >> 8])];
  if (capsHigh !== undefined) parts.push(Buffer.from([0x21, 2, 0, capsHigh & 0xff, capsHigh >> 8, 21]), Buffer.alloc(10));
  return Buffer.concat(parts);
}

test('MySQL Handshake v10: version, connection id and both halves of the capabilities; ERR_Packet; a truncated packet names its field', () => {
  const p = decodeServerGreeting(handshakeV10(0xaa00, 0x0008));
  assert.equal(p.kind, 'handshake');
  if (p.kind !== 'handshake') return;
  assert.equal(p.handshake.serverVersion, '8.0.36');
  assert.equal(p.handshake.connectionId, 42);
  assert.equal(p.handshake.capabilities, 0x0008aa00);
  assert.ok(p.handshake.capabilities & CLIENT_SSL);
  const short = decodeServerGreeting(handshakeV10(0x0200));
  assert.equal(short.kind === 'handshake' && short.handshake.capabilities, 0x0200);
  const err = decodeServerGreeting(Buffer.concat([Buffer.from([0xff, 0x6a, 0x04]), Buffer.from('#HY000Host is not allowed to connect')]));
  assert.deepEqual(err, { kind: 'error', code: 1130, message: 'Host is not allowed to connect' });
  assert.throws(() => decodeServerGreeting(handshakeV10(0x0800).subarray(0, 14)), (e: unknown) => e instanceof DecodeError && /connection_id|auth_plugin_data_part_1/.test(e.message));
  assert.throws(() => decodeServerGreeting(Buffer.from([9, 0x41, 0])), /protocol_version/);
});

test('MySQL SSL Request: 32-byte payload, sequence 1, CLIENT_SSL and CLIENT_PROTOCOL_41 set, CLIENT_PLUGIN_AUTH only if the server has it', () => {
  const r = mysqlSslRequest(0x0008aa00);
  assert.equal(r.length, 36);
  assert.deepEqual([...r.subarray(0, 4)], [32, 0, 0, 1]);
  const caps = Buffer.from(r).readUInt32LE(4);
  assert.ok(caps & 0x800 && caps & 0x200 && caps & 0x80000);
  assert.equal(Buffer.from(mysqlSslRequest(0xaa00)).readUInt32LE(4) & 0x80000, 0);
  assert.ok(r.subarray(13).every((b) => b === 0), '23 zero bytes');
});

test('SOCKS5 messages (RFC 1928 sections 3 and 4, RFC 1929 section 2)', () => {
  assert.equal(hex(encodeGreeting(false)), '050100');
  assert.equal(hex(encodeGreeting(true)), '05020002');
  assert.equal(hex(encodeUserPass('al', 'pw!')), '0102616c03707721');
  assert.equal(hex(encodeConnect('127.0.0.1', 443)), '050100017f00000101bb');
  assert.equal(hex(encodeConnect('::1', 25)), '05010004' + '00'.repeat(15) + '01' + '0019');
  assert.equal(hex(encodeConnect('2001:db8::8:1', 80)), '05010004' + '20010db8000000000000000000080001' + '0050');
  assert.equal(hex(encodeConnect('mail.example', 587)), '0501000' + '30c' + Buffer.from('mail.example').toString('hex') + '024b');
  assert.equal(connectReplyLength(Buffer.from('05000001', 'hex')), undefined);
  assert.equal(connectReplyLength(Buffer.from('050000017f000001', 'hex')), 10);
  assert.equal(connectReplyLength(Buffer.from('0500000304', 'hex')), 4 + 1 + 4 + 2);
  assert.equal(connectReplyLength(Buffer.from('0500000400', 'hex')), 22);
  assert.throws(() => connectReplyLength(Buffer.from('0500000900', 'hex')), /ATYP 9/);
  assert.throws(() => encodeUserPass('u'.repeat(256), ''), /255 bytes/);
});

test('proxy URLs as curl and VS Code http.proxy write them; passwords never in messages', () => {
  assert.deepEqual(parseProxyUrl('http://proxy.corp:3128'), { kind: 'http', remoteDns: false, host: 'proxy.corp', port: 3128 });
  assert.deepEqual(parseProxyUrl('proxy.corp:8080'), { kind: 'http', remoteDns: false, host: 'proxy.corp', port: 8080 });
  assert.deepEqual(parseProxyUrl('http://u%40corp:p%3Ass@[::1]:3128/'), { kind: 'http', remoteDns: false, host: '::1', port: 3128, username: 'u@corp', password: 'p:ss' });
  assert.deepEqual(parseProxyUrl('socks5://127.0.0.1'), { kind: 'socks5', remoteDns: false, host: '127.0.0.1', port: 1080 });
  assert.equal(parseProxyUrl('socks5h://h:1').remoteDns, true);
  assert.throws(() => parseProxyUrl('https://u:topsecret@p:1'), (e: unknown) => e instanceof ProxyUrlError && /not supported/.test(e.message) && !e.message.includes('topsecret'));
  assert.throws(() => parseProxyUrl('ftp://p:1'), /ftp:\/\/ is not supported/);
  assert.equal(redactUrl('http://alice:topsecret@p:3128'), 'http://alice:****@p:3128');
  assert.equal(redactUrl('socks5://p:1080'), 'socks5://p:1080');
});

test('HTTP response head of a CONNECT (RFC 9112 section 4)', () => {
  assert.deepEqual(parseResponseHead('HTTP/1.1 200 Connection established\r\nProxy-agent: x'), { status: 200, reason: 'Connection established', headers: [['Proxy-agent', 'x']] });
  assert.equal(parseResponseHead('HTTP/1.0 407')?.status, 407);
  assert.equal(parseResponseHead('SSH-2.0-OpenSSH'), undefined);
});

test('protocol names are those of openssl s_client -starttls, and the guess from well-known ports', () => {
  for (const n of ['smtp', 'pop3', 'imap', 'ftp', 'xmpp', 'xmpp-server', 'irc', 'postgres', 'mysql', 'lmtp', 'nntp', 'sieve', 'ldap']) assert.ok(STARTTLS_NAMES.includes(n), n);
  const guesses: [number, string][] = [[25, 'smtp'], [587, 'smtp'], [24, 'lmtp'], [143, 'imap'], [110, 'pop3'], [21, 'ftp'], [5222, 'xmpp'], [5269, 'xmpp-server'], [389, 'ldap'], [5432, 'postgres'], [3306, 'mysql'], [119, 'nntp'], [4190, 'sieve'], [6667, 'irc']];
  for (const [port, name] of guesses) assert.equal(guessStartTls(port)?.name, name, String(port));
  assert.equal(guessStartTls(443), undefined);
  assert.equal(startTlsProtocol('SMTP')?.name, 'smtp');
  assert.deepEqual(startTlsProtocol('postgres-direct')?.alpn, ['postgresql']);
});

test('a preamble event prints as one line per protocol line, under its protocol and step', () => {
  const line = formatEvent({ kind: 'preamble', t: 12, side: 'client', layer: 'starttls', protocol: 'smtp', step: 'EHLO', dir: 'in', text: '250-mx.example\n250 STARTTLS', raw: new Uint8Array(0) });
  assert.equal(line, 'C   0.012s << smtp EHLO: 250-mx.example\n' + ' '.repeat(14) + '250 STARTTLS');
});
