// Bad input before the handshake: a server that never answers STARTTLS, answers it with an error, or sends
// garbage must end in a TransportError naming the protocol and the step, within the connect timeout, never a
// hang or an uncaught exception. Scripted peers; each names the rule it breaks. Also `tlslens connect --starttls`
// printing the exchange, and its error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { openTransport } from '../../engine/transport/open';
import { TransportError, type PreambleEvent } from '../../engine/transport/channel';
import { run as connectCommand } from '../../engine/cli/commands/connect';
import type { CliIO } from '../../engine/cli/io';
import { scriptedPeer, steps, type Script } from './starttls-peers';

const CRLF = '\r\n';
const TIMEOUT_MS = 1500;

async function expectFailure(proto: string, script: (s: Script) => Promise<'tls' | 'hold' | 'close'>, want: { step: string; reason: TransportError['reason']; message: RegExp }): Promise<PreambleEvent[]> {
  const peer = await scriptedPeer(script);
  const events: PreambleEvent[] = [];
  const t0 = Date.now();
  try {
    await assert.rejects(openTransport({ host: '127.0.0.1', port: peer.port, starttls: proto, connectTimeoutMs: TIMEOUT_MS, onTrace: (e) => events.push(e) }), (e: unknown) => {
      assert.ok(e instanceof TransportError, `a TransportError, not ${String(e)}`);
      assert.equal(e.protocol, proto);
      assert.equal(e.step, want.step, e.message);
      assert.equal(e.reason, want.reason, e.message);
      assert.match(e.message, new RegExp(`^${proto} ${want.step}: `));
      assert.match(e.message, want.message);
      return true;
    });
    // Generous bound against a hang: the connect timeout and a margin.
    assert.ok(Date.now() - t0 < TIMEOUT_MS + 3000, `ended after ${Date.now() - t0} ms`);
    return events;
  } finally {
    await peer.close();
  }
}

const smtpUpTo = async (s: Script) => {
  s.write(`220 mail.example.org ESMTP${CRLF}`);
  await s.line();
  s.write(`250-mail.example.org${CRLF}250 STARTTLS${CRLF}`);
  await s.line();
};

test('never answers: an SMTP server silent after the connection (no 220 greeting, RFC 5321 section 3.1) times out at the greeting', async () => {
  await expectFailure('smtp', async () => 'hold', { step: 'greeting', reason: 'timeout', message: /no answer from the server within the connect timeout/ });
});

test('never answers STARTTLS: an SMTP server that takes the command and says nothing (RFC 3207 section 4 wants 220) times out naming STARTTLS', async () => {
  const events = await expectFailure('smtp', async (s) => {
    await smtpUpTo(s);
    return 'hold';
  }, { step: 'STARTTLS', reason: 'timeout', message: /no answer/ });
  assert.deepEqual(steps(events), ['<< smtp greeting', '>> smtp EHLO', '<< smtp EHLO', '>> smtp STARTTLS']);
});

test('never answers the SSLRequest: a PostgreSQL server that sends neither S nor N times out naming SSLRequest', async () => {
  await expectFailure('postgres', async (s) => {
    await s.bytes(8);
    return 'hold';
  }, { step: 'SSLRequest', reason: 'timeout', message: /no answer/ });
});

test('answers with an error: SMTP 454 "TLS not available" (RFC 3207 section 4) is a refusal naming STARTTLS and quoting the reply', async () => {
  await expectFailure('smtp', async (s) => {
    await smtpUpTo(s);
    s.write(`454 4.7.0 TLS not available due to temporary reason${CRLF}`);
    return 'hold';
  }, { step: 'STARTTLS', reason: 'refused', message: /454 4\.7\.0 TLS not available/ });
});

test('answers with an error: IMAP tagged NO to STARTTLS (RFC 9051 section 6.2.1) is a refusal', async () => {
  await expectFailure('imap', async (s) => {
    s.write(`* OK [CAPABILITY IMAP4rev1 STARTTLS] ready${CRLF}`);
    const [t1] = (await s.line()).split(' ');
    s.write(`* CAPABILITY IMAP4rev1 STARTTLS${CRLF}${t1} OK done${CRLF}`);
    const [t2] = (await s.line()).split(' ');
    s.write(`${t2} NO [UNAVAILABLE] TLS is broken today${CRLF}`);
    return 'hold';
  }, { step: 'STARTTLS', reason: 'refused', message: /NO \[UNAVAILABLE\] TLS is broken today/ });
});

test('answers with an error: POP3 -ERR to STLS (RFC 2595 section 4) is a refusal', async () => {
  await expectFailure('pop3', async (s) => {
    s.write(`+OK ready${CRLF}`);
    await s.line();
    s.write(`-ERR unknown command${CRLF}`);
    await s.line();
    s.write(`-ERR TLS not configured${CRLF}`);
    return 'hold';
  }, { step: 'STLS', reason: 'refused', message: /-ERR TLS not configured/ });
});

test('answers with an error: LDAP ExtendedResponse unwillingToPerform (53) to StartTLS (RFC 4511 section 4.14.2) is a refusal naming the result code', async () => {
  await expectFailure('ldap', async (s) => {
    await s.bytes(31);
    const diag = Buffer.from('TLS not configured');
    const op = Buffer.concat([Buffer.from([0x0a, 1, 53, 0x04, 0, 0x04, diag.length]), diag]);
    s.write(Buffer.concat([Buffer.from([0x30, 5 + op.length, 2, 1, 1, 0x78, op.length]), op]));
    return 'hold';
  }, { step: 'StartTLS response', reason: 'refused', message: /unwillingToPerform \(53\), "TLS not configured"/ });
});

test("answers with an error: PostgreSQL 'N' to the SSLRequest (protocol 53.2.10) is a refusal", async () => {
  await expectFailure('postgres', async (s) => {
    await s.bytes(8);
    s.write('N');
    return 'hold';
  }, { step: 'SSLRequest', reason: 'refused', message: /'N'/ });
});

test('answers with an error: an XMPP <failure/> to <starttls/> (RFC 6120 section 5.4.2.2) is a refusal', async () => {
  await expectFailure('xmpp', async (s) => {
    await s.upTo("version='1.0'>");
    s.write("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'><stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>");
    await s.upTo('/>');
    s.write("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>");
    return 'hold';
  }, { step: 'starttls', reason: 'refused', message: /<failure\/>/ });
});

test('answers with an error: a MySQL server without CLIENT_SSL in its Handshake v10 capabilities is a refusal', async () => {
  await expectFailure('mysql', async (s) => {
    const body = Buffer.concat([Buffer.from([10]), Buffer.from('10.11.6-MariaDB\0'), Buffer.from([1, 0, 0, 0]), Buffer.from('abcdefgh'), Buffer.from([0]), Buffer.from([0x00, 0x02]), Buffer.from([0x21, 2, 0, 0, 0, 21]), Buffer.alloc(10)]);
    s.write(Buffer.concat([Buffer.from([body.length, 0, 0, 0]), body]));
    return 'hold';
  }, { step: 'Initial Handshake', reason: 'refused', message: /does not offer TLS \(CLIENT_SSL/ });
});

test('garbage: bytes that are not an SMTP reply (RFC 5321 section 4.2: three digits) fail at the greeting, quoting them', async () => {
  await expectFailure('smtp', async (s) => {
    s.write('\x00\x01hello there\r\n');
    return 'hold';
  }, { step: 'greeting', reason: 'garbage', message: /\\x00\\x01hello there.*not a smtp reply/ });
});

test('garbage: a server that speaks TLS from the first byte is told apart (a TLS record where an IMAP greeting should be)', async () => {
  await expectFailure('imap', async (s) => {
    s.write(Buffer.from('160303002a020000260303', 'hex'));
    return 'hold';
  }, { step: 'greeting', reason: 'garbage', message: /TLS from the first byte; connect without --starttls/ });
});

test('garbage: bytes after the 220 to STARTTLS and before the handshake are refused (RFC 3207 section 6, CVE-2011-0411 injection)', async () => {
  await expectFailure('smtp', async (s) => {
    await smtpUpTo(s);
    s.write(`220 Go ahead${CRLF}MAIL FROM:<attacker@example.net>${CRLF}`);
    return 'hold';
  }, { step: 'before the TLS handshake', reason: 'garbage', message: /sent 34 bytes after its go-ahead/ });
});

test("garbage: a PostgreSQL answer that is neither 'S', 'N' nor an ErrorResponse fails naming SSLRequest", async () => {
  await expectFailure('postgres', async (s) => {
    await s.bytes(8);
    s.write('HTTP/1.1 400 Bad Request\r\n\r\n');
    return 'hold';
  }, { step: 'SSLRequest', reason: 'garbage', message: /not 'S' or 'N'/ });
});

test('garbage: an LDAP answer that is not an LDAPMessage SEQUENCE (RFC 4511 section 4.1.1) fails naming the field', async () => {
  await expectFailure('ldap', async (s) => {
    await s.bytes(31);
    s.write(Buffer.from('0403616263', 'hex'));
    return 'hold';
  }, { step: 'StartTLS response', reason: 'garbage', message: /LDAPMessage: tag 0x4, not a SEQUENCE/ });
});

test('garbage: an endless line without CRLF is cut at the preamble limit, not held forever', async () => {
  await expectFailure('ftp', async (s) => {
    s.write(`220${' x'.repeat(40_000)}`);
    return 'hold';
  }, { step: 'greeting', reason: 'garbage', message: /without completing a ftp reply \(limit 65536\)/ });
});

test('closed: a server that hangs up after the greeting fails naming the step it was in', async () => {
  await expectFailure('nntp', async (s) => {
    s.write(`200 news.example.com ready${CRLF}`);
    await s.line();
    return 'close';
  }, { step: 'CAPABILITIES', reason: 'closed', message: /closed the connection/ });
});

function fakeIO(): CliIO & { output: () => string; errors: () => string } {
  let out = '';
  let err = '';
  const stdin = new PassThrough();
  return {
    out: (s) => (out += s), err: (s) => (err += s), readFile: () => new Uint8Array(0), env: {}, readStdin: () => '', stdin,
    output: () => out, errors: () => err,
  };
}

test('tlslens connect --starttls smtp: a refusal prints the protocol and step and exits 1', async () => {
  const peer = await scriptedPeer(async (s) => {
    await smtpUpTo(s);
    s.write(`454 4.7.0 TLS not available${CRLF}`);
    return 'hold';
  });
  try {
    const io = fakeIO();
    const code = await connectCommand([`127.0.0.1:${peer.port}`, '--starttls', 'smtp', '--timeout', '5'], io);
    assert.equal(code, 1);
    assert.match(io.errors(), /^connect: smtp STARTTLS: STARTTLS was refused: the server answered 454 4\.7\.0 TLS not available/m);
    assert.match(io.output(), />> smtp EHLO: EHLO mail\.example\.com/);
  } finally {
    await peer.close();
  }
});

test('tlslens connect --starttls smtp: the exchange is printed before the decoded handshake and the chain', async () => {
  const peer = await scriptedPeer(async (s) => {
    await smtpUpTo(s);
    s.write(`220 Go ahead${CRLF}`);
    return 'tls';
  });
  try {
    const io = fakeIO();
    const done = connectCommand([`127.0.0.1:${peer.port}`, '--starttls', 'smtp', '--name', 'client.example', '--servername', 'localhost'], io);
    const served = await peer.served;
    served.tls!.end();
    (io.stdin as PassThrough).end();
    assert.equal(await done, 0, io.errors());
    const out = io.output();
    assert.match(out, /<< smtp greeting: 220 mail\.example\.org ESMTP/);
    assert.match(out, />> smtp EHLO: EHLO client\.example/);
    assert.match(out, /<< smtp EHLO: 250-mail\.example\.org\n\s+250 STARTTLS/);
    assert.ok(out.indexOf('smtp STARTTLS') < out.indexOf('ClientHello'), out);
    assert.match(out, /s:C = US, O = TLS Lens Test, CN = ec-p256\.example\.com/);
  } finally {
    await peer.close();
  }
});

test('tlslens connect: --starttls with an unknown protocol, and --proxy with an https:// URL, are usage errors', async () => {
  await assert.rejects(connectCommand(['127.0.0.1:1', '--starttls', 'gopher'], fakeIO()), /--starttls gopher: not a protocol \(one of smtp, pop3, imap/);
  await assert.rejects(connectCommand(['127.0.0.1:1', '--proxy', 'https://u:secret@proxy:3128'], fakeIO()), (e: Error) => /not supported/.test(e.message) && !e.message.includes('secret'));
});
