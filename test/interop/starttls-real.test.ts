// STARTTLS against real servers from Debian's packages on 127.0.0.1, each started by the test with a generated
// certificate: PostgreSQL (SSLRequest, protocol section 53.2.10) and Dovecot (IMAP STARTTLS, RFC 9051 section
// 6.2.1; POP3 STLS, RFC 2595 section 4). The handshake completes, the server's certificate is the one generated,
// and the server then answers in its own protocol over TLS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TlsSession } from '../../engine/net/session';
import { formatEvent } from '../../engine/trace/format-text';
import { handshakeVia, steps } from './starttls-peers';
import { startDovecot, startInspircd, startMariadb, startPostgres, startProsody, startSlapd, startVsftpd } from './real-servers';

/** Bytes from the session until `done` says enough arrived. */
function readUntil(s: TlsSession, done: (b: Buffer) => boolean, ms = 10_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const timer = setTimeout(() => reject(new Error(`no answer over TLS; got ${JSON.stringify(got.toString('latin1'))}`)), ms);
    const on = (d: Uint8Array) => {
      got = Buffer.concat([got, d]);
      if (done(got)) {
        clearTimeout(timer);
        s.off('data', on);
        resolve(got);
      }
    };
    s.on('data', on);
  });
}

test('postgres (real PostgreSQL, ssl=on): SSLRequest answered S, TLS handshake, the generated certificate, then a StartupMessage is answered AuthenticationOk over TLS', { timeout: 60_000 }, async () => {
  const pg = await startPostgres();
  try {
    const run = await handshakeVia({ host: '127.0.0.1', port: pg.port, starttls: 'postgres' });
    assert.deepEqual(steps(run.preamble), ['>> postgres SSLRequest', '<< postgres SSLRequest']);
    assert.match(run.preamble[1]!.text, /'S'/);
    assert.deepEqual(run.n.peerCertificates[0], pg.certDer);
    // StartupMessage (protocol 3.0): user postgres, database postgres; trust authentication answers 'R' 0 (AuthenticationOk).
    const params = Buffer.from('user\0postgres\0database\0postgres\0\0');
    const startup = Buffer.alloc(8 + params.length);
    startup.writeUInt32BE(startup.length, 0);
    startup.writeUInt32BE(196608, 4);
    params.copy(startup, 8);
    const answer = readUntil(run.session, (b) => b.length >= 9);
    run.session.write(new Uint8Array(startup));
    const b = await answer;
    assert.equal(String.fromCharCode(b[0]!), 'R', `answer ${b.toString('latin1')}`);
    assert.equal(b.readUInt32BE(5), 0, 'AuthenticationOk');
    run.session.end();
  } finally {
    await pg.stop();
  }
});

test('imap and pop3 (real Dovecot): STARTTLS and STLS, TLS handshake, the generated certificate, then the server answers over TLS', { timeout: 60_000 }, async () => {
  const dc = await startDovecot();
  try {
    const imap = await handshakeVia({ host: '127.0.0.1', port: dc.ports.imap!, starttls: 'imap' });
    assert.deepEqual(steps(imap.preamble), ['<< imap greeting', '>> imap CAPABILITY', '<< imap CAPABILITY', '>> imap STARTTLS', '<< imap STARTTLS'], imap.preamble.map((e) => formatEvent(e)).join('\n'));
    assert.match(imap.preamble[0]!.text, /^\* OK .*Dovecot/);
    assert.deepEqual(imap.n.peerCertificates[0], dc.certDer);
    const caps = readUntil(imap.session, (b) => /x1 OK/.test(b.toString()));
    imap.session.write('x1 CAPABILITY\r\n');
    assert.match((await caps).toString(), /\* CAPABILITY .*AUTH=PLAIN/, 'after TLS, plaintext authentication is offered');
    imap.session.end();

    const pop3 = await handshakeVia({ host: '127.0.0.1', port: dc.ports.pop3!, starttls: 'pop3' });
    assert.deepEqual(steps(pop3.preamble), ['<< pop3 greeting', '>> pop3 CAPA', '<< pop3 CAPA', '<< pop3 CAPA', '>> pop3 STLS', '<< pop3 STLS'], pop3.preamble.map((e) => formatEvent(e)).join('\n'));
    assert.ok(pop3.preamble[3]!.text.split('\n').includes('STLS'), 'Dovecot lists STLS in CAPA');
    assert.deepEqual(pop3.n.peerCertificates[0], dc.certDer);
    const capa = readUntil(pop3.session, (b) => /\r\n\.\r\n/.test(b.toString()));
    pop3.session.write('CAPA\r\n');
    assert.match((await capa).toString(), /^\+OK/);
    pop3.session.end();
  } finally {
    await dc.stop();
  }
});

test('lmtp, sieve and smtp (real Dovecot LMTP, RFC 2033 with STARTTLS; ManageSieve, RFC 5804; submission, RFC 6409 with RFC 3207): STARTTLS, TLS handshake, the generated certificate', { timeout: 60_000 }, async () => {
  const dc = await startDovecot('lmtp+sieve+submission');
  try {
    const lmtp = await handshakeVia({ host: '127.0.0.1', port: dc.ports.lmtp!, starttls: 'lmtp', name: 'client.example' });
    assert.deepEqual(steps(lmtp.preamble), ['<< lmtp greeting', '>> lmtp LHLO', '<< lmtp LHLO', '>> lmtp STARTTLS', '<< lmtp STARTTLS'], lmtp.preamble.map((e) => formatEvent(e)).join('\n'));
    assert.match(lmtp.preamble[2]!.text, /^250[ -]STARTTLS$/m, 'Dovecot lists STARTTLS after LHLO');
    assert.deepEqual(lmtp.n.peerCertificates[0], dc.certDer);
    const lhlo = readUntil(lmtp.session, (b) => /^250 /m.test(b.toString()));
    lmtp.session.write('LHLO client.example\r\n');
    assert.doesNotMatch((await lhlo).toString(), /STARTTLS/, 'after TLS, STARTTLS is no longer offered (RFC 3207 section 4.2)');
    lmtp.session.end();

    const sieve = await handshakeVia({ host: '127.0.0.1', port: dc.ports.sieve!, starttls: 'sieve' });
    assert.deepEqual(steps(sieve.preamble), ['<< sieve greeting', '>> sieve STARTTLS', '<< sieve STARTTLS'], sieve.preamble.map((e) => formatEvent(e)).join('\n'));
    assert.match(sieve.preamble[0]!.text, /^"STARTTLS"$/m);
    assert.deepEqual(sieve.n.peerCertificates[0], dc.certDer);
    // RFC 5804 section 2.2: after TLS the server sends its capabilities again, unasked.
    assert.match((await readUntil(sieve.session, (b) => /^OK/m.test(b.toString()))).toString(), /"IMPLEMENTATION"/);
    sieve.session.end();

    const smtp = await handshakeVia({ host: '127.0.0.1', port: dc.ports.submission!, starttls: 'smtp' });
    assert.deepEqual(steps(smtp.preamble), ['<< smtp greeting', '>> smtp EHLO', '<< smtp EHLO', '>> smtp STARTTLS', '<< smtp STARTTLS'], smtp.preamble.map((e) => formatEvent(e)).join('\n'));
    assert.match(smtp.preamble[0]!.text, /^220 .*Dovecot/);
    assert.match(smtp.preamble[2]!.text, /^250[ -]STARTTLS$/m);
    assert.deepEqual(smtp.n.peerCertificates[0], dc.certDer);
    const ehlo = readUntil(smtp.session, (b) => /^250 /m.test(b.toString()));
    smtp.session.write('EHLO client.example\r\n');
    assert.match((await ehlo).toString(), /AUTH PLAIN/, 'after TLS, the submission server offers AUTH');
    smtp.session.end();
  } finally {
    await dc.stop();
  }
});

test('ldap (real slapd): the StartTLS extended operation (RFC 4511 section 4.14) answered success, TLS handshake, the generated certificate', { timeout: 60_000 }, async () => {
  const ld = await startSlapd();
  try {
    const run = await handshakeVia({ host: '127.0.0.1', port: ld.port, starttls: 'ldap' });
    assert.deepEqual(steps(run.preamble), ['>> ldap StartTLS request', '<< ldap StartTLS response']);
    assert.match(run.preamble[1]!.text, /: success \(0\)/);
    assert.deepEqual(run.n.peerCertificates[0], ld.certDer);
    run.session.end();
  } finally {
    await ld.stop();
  }
});

test('ftp (real vsftpd, ssl_enable): AUTH TLS answered 234 (RFC 4217 section 4), TLS handshake, the generated certificate, then FEAT over TLS', { timeout: 60_000 }, async () => {
  const ftp = await startVsftpd();
  try {
    const run = await handshakeVia({ host: '127.0.0.1', port: ftp.port, starttls: 'ftp' });
    assert.deepEqual(steps(run.preamble), ['<< ftp greeting', '>> ftp AUTH TLS', '<< ftp AUTH TLS']);
    assert.match(run.preamble[2]!.text, /^234 /);
    assert.deepEqual(run.n.peerCertificates[0], ftp.certDer);
    const feat = readUntil(run.session, (b) => /^211 /m.test(b.toString()));
    run.session.write('FEAT\r\n');
    assert.match((await feat).toString(), /PROT/, 'RFC 4217 section 9: PBSZ/PROT offered after AUTH TLS');
    run.session.end();
  } finally {
    await ftp.stop();
  }
});

test('mysql (real MariaDB with --ssl-cert): Handshake v10 with CLIENT_SSL, our SSL Request, TLS handshake, the generated certificate', { timeout: 90_000 }, async () => {
  const db = await startMariadb();
  try {
    const run = await handshakeVia({ host: '127.0.0.1', port: db.port, starttls: 'mysql' });
    assert.deepEqual(steps(run.preamble), ['<< mysql Initial Handshake', '>> mysql SSL Request']);
    assert.match(run.preamble[0]!.text, /MariaDB.*\(CLIENT_SSL\)/);
    assert.deepEqual(run.n.peerCertificates[0], db.certDer);
    run.session.end();
  } finally {
    await db.stop();
  }
});

test('xmpp and xmpp-server (real Prosody with mod_tls): stream features with <starttls/>, <proceed/> (RFC 6120 section 5.4), TLS handshake, the generated certificate', { timeout: 60_000 }, async () => {
  const px = await startProsody();
  try {
    for (const [proto, port] of [['xmpp', px.ports.c2s!], ['xmpp-server', px.ports.s2s!]] as const) {
      const run = await handshakeVia({ host: '127.0.0.1', port, starttls: proto, name: 'localhost' });
      assert.deepEqual(steps(run.preamble), [`>> ${proto} stream header`, `<< ${proto} stream features`, `>> ${proto} starttls`, `<< ${proto} starttls`], run.preamble.map((e) => formatEvent(e)).join('\n'));
      assert.match(run.preamble[1]!.text, /<starttls xmlns=['"]urn:ietf:params:xml:ns:xmpp-tls['"]/);
      assert.match(run.preamble[3]!.text, /<proceed /);
      assert.deepEqual(run.n.peerCertificates[0], px.certDer);
      run.session.end();
    }
  } finally {
    await px.stop();
  }
});

test('irc (real InspIRCd 3 with m_starttls): STARTTLS answered 670 (IRCv3 tls extension), TLS handshake, the generated certificate', { timeout: 60_000 }, async () => {
  const irc = await startInspircd();
  try {
    const run = await handshakeVia({ host: '127.0.0.1', port: irc.port, starttls: 'irc' });
    assert.deepEqual(steps(run.preamble), ['>> irc STARTTLS', '<< irc STARTTLS']);
    assert.match(run.preamble[1]!.text, / 670 /);
    assert.deepEqual(run.n.peerCertificates[0], irc.certDer);
    run.session.end();
  } finally {
    await irc.stop();
  }
});
