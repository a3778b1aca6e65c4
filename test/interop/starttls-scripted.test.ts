// STARTTLS against scripted peers: each speaks its protocol's plaintext part as the RFC's own example has it
// (named per case), then hands the same socket to Node's tls.TLSSocket as a real TLS server. Our client must
// finish the plaintext part, complete the handshake and see the server's certificate; the trace must hold every
// plaintext step before the handshake. Real servers (postgres, dovecot) are in starttls-real.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CERT_DER, handshakeVia, scriptedPeer, steps, type Script } from './starttls-peers';
import { formatEvent } from '../../engine/trace/format-text';

interface Case {
  proto: string;
  /** The specification the script follows. */
  rfc: string;
  script: (s: Script) => Promise<'tls'>;
  /** The plaintext steps our client's trace must show, in order. */
  steps: string[];
  /** What the script must have received from us. */
  sent?: RegExp[];
  name?: string;
  alpn?: string;
}

const CRLF = '\r\n';

const cases: Case[] = [
  {
    proto: 'smtp', rfc: 'RFC 3207 section 5 (and RFC 5321 section 4.2.1 multi-line replies)',
    async script(s) {
      s.write(`220 mail.example.org ESMTP service ready${CRLF}`);
      assert.match(await s.line(), /^EHLO \S+$/);
      s.write(`250-mail.example.org offers a warm hug of welcome${CRLF}250-8BITMIME${CRLF}250-STARTTLS${CRLF}250 DSN${CRLF}`);
      assert.equal(await s.line(), 'STARTTLS');
      s.write(`220 Go ahead${CRLF}`);
      return 'tls';
    },
    steps: ['<< smtp greeting', '>> smtp EHLO', '<< smtp EHLO', '>> smtp STARTTLS', '<< smtp STARTTLS'],
    name: 'client.example.com', sent: [/^EHLO client\.example\.com$/],
  },
  {
    proto: 'lmtp', rfc: 'RFC 2033 section 4.1 (LHLO), RFC 3207',
    async script(s) {
      s.write(`220 foo.edu LMTP server ready${CRLF}`);
      assert.match(await s.line(), /^LHLO /);
      s.write(`250-foo.edu${CRLF}250-PIPELINING${CRLF}250-STARTTLS${CRLF}250 SIZE${CRLF}`);
      assert.equal(await s.line(), 'STARTTLS');
      s.write(`220 2.0.0 Ready to start TLS${CRLF}`);
      return 'tls';
    },
    steps: ['<< lmtp greeting', '>> lmtp LHLO', '<< lmtp LHLO', '>> lmtp STARTTLS', '<< lmtp STARTTLS'],
  },
  {
    proto: 'imap', rfc: 'RFC 9051 section 6.2.1 example',
    async script(s) {
      s.write(`* OK IMAP4rev2 Service Ready${CRLF}`);
      const [tag1] = (await s.line()).split(' ');
      s.write(`* CAPABILITY IMAP4rev2 STARTTLS LOGINDISABLED${CRLF}${tag1} OK CAPABILITY completed${CRLF}`);
      const [tag2, cmd] = (await s.line()).split(' ');
      assert.equal(cmd, 'STARTTLS');
      s.write(`${tag2} OK Begin TLS negotiation now${CRLF}`);
      return 'tls';
    },
    steps: ['<< imap greeting', '>> imap CAPABILITY', '<< imap CAPABILITY', '>> imap STARTTLS', '<< imap STARTTLS'],
  },
  {
    proto: 'pop3', rfc: 'RFC 2595 section 4 example (CAPA as RFC 2449 section 5)',
    async script(s) {
      s.write(`+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>${CRLF}`);
      assert.equal(await s.line(), 'CAPA');
      s.write(`+OK Capability list follows${CRLF}TOP${CRLF}USER${CRLF}STLS${CRLF}.${CRLF}`);
      assert.equal(await s.line(), 'STLS');
      s.write(`+OK Begin TLS negotiation${CRLF}`);
      return 'tls';
    },
    steps: ['<< pop3 greeting', '>> pop3 CAPA', '<< pop3 CAPA', '<< pop3 CAPA', '>> pop3 STLS', '<< pop3 STLS'],
  },
  {
    proto: 'ftp', rfc: 'RFC 4217 section 4 (AUTH TLS, 234), RFC 959 section 4.2 multi-line greeting',
    async script(s) {
      s.write(`220-Welcome to the example FTP service${CRLF}   Mind the gap${CRLF}220 Ready${CRLF}`);
      assert.equal(await s.line(), 'AUTH TLS');
      s.write(`234 AUTH command OK; starting TLS connection${CRLF}`);
      return 'tls';
    },
    steps: ['<< ftp greeting', '>> ftp AUTH TLS', '<< ftp AUTH TLS'],
  },
  {
    proto: 'xmpp', rfc: 'RFC 6120 section 9.1 (client-to-server example, steps 1 to 5)',
    async script(s) {
      const header = await s.upTo("version='1.0'>");
      assert.match(header, /xmlns='jabber:client'/);
      assert.match(header, /to='im\.example\.com'/);
      s.write("<?xml version='1.0'?><stream:stream from='im.example.com' id='t7AMCin9zjMNwQKDnplntZPIDEI=' to='juliet@im.example.com' version='1.0' xml:lang='en' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>");
      s.write("<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>");
      assert.equal(await s.upTo('/>'), "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
      s.write("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
      return 'tls';
    },
    steps: ['>> xmpp stream header', '<< xmpp stream features', '>> xmpp starttls', '<< xmpp starttls'],
    name: 'im.example.com',
  },
  {
    proto: 'xmpp-server', rfc: 'RFC 6120 section 9.2 (server-to-server example, steps 1 to 5)',
    async script(s) {
      const header = await s.upTo("version='1.0'>");
      assert.match(header, /xmlns='jabber:server'/);
      s.write("<?xml version='1.0'?><stream:stream from='im.example.com' id='g4qSvGvBxJ+xeAd7QKezOQJFFlw=' to='example.net' version='1.0' xml:lang='en' xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'>");
      s.write("<stream:features>\n  <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>\n    <required/>\n  </starttls>\n</stream:features>");
      await s.upTo('/>');
      s.write("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
      return 'tls';
    },
    steps: ['>> xmpp-server stream header', '<< xmpp-server stream features', '>> xmpp-server starttls', '<< xmpp-server starttls'],
  },
  {
    proto: 'ldap', rfc: 'RFC 4511 section 4.14 (StartTLS ExtendedRequest and ExtendedResponse, BER as section 5.1)',
    async script(s) {
      // LDAPMessage { messageID 1, [APPLICATION 23] { [0] "1.3.6.1.4.1.1466.20037" } }: 31 bytes.
      const req = await s.bytes(31);
      assert.equal(req.toString('hex'), '301d02010177188016' + Buffer.from('1.3.6.1.4.1.1466.20037').toString('hex'));
      // ExtendedResponse { resultCode success, matchedDN "", diagnosticMessage "", responseName [10] the OID }.
      const oid = Buffer.from('1.3.6.1.4.1.1466.20037');
      const op = Buffer.concat([Buffer.from('0a0100040004008a16', 'hex'), oid]);
      s.write(Buffer.concat([Buffer.from([0x30, 5 + op.length, 0x02, 0x01, 0x01, 0x78, op.length]), op]));
      return 'tls';
    },
    steps: ['>> ldap StartTLS request', '<< ldap StartTLS response'],
  },
  {
    proto: 'postgres', rfc: 'PostgreSQL protocol section 53.2.10 (SSLRequest, code 80877103, answer S)',
    async script(s) {
      assert.equal((await s.bytes(8)).toString('hex'), '0000000804d2162f');
      s.write('S');
      return 'tls';
    },
    steps: ['>> postgres SSLRequest', '<< postgres SSLRequest'],
  },
  {
    proto: 'postgres-direct', rfc: 'PostgreSQL 17 protocol section 53.2.11 (direct TLS, ALPN "postgresql")',
    async script() {
      return 'tls';
    },
    steps: ['<< postgres-direct direct TLS'],
    alpn: 'postgresql',
  },
  {
    proto: 'mysql', rfc: 'MySQL client/server protocol: Protocol::HandshakeV10, then Protocol::SSLRequest',
    async script(s) {
      // HandshakeV10: version 10, "8.0.36\0", connection id, 8 bytes of scramble, filler, capabilities (CLIENT_SSL
      // 0x0800 and CLIENT_PROTOCOL_41 0x0200 in the low half, CLIENT_PLUGIN_AUTH 0x0008 in the high), charset,
      // status, length of the scramble, 10 reserved, the rest of the scramble, the plugin name.
      const body = Buffer.concat([
        Buffer.from([10]), Buffer.from('8.0.36\0'), Buffer.from([7, 0, 0, 0]), Buffer.from('abcdefgh'), Buffer.from([0]),
        Buffer.from([0x00, 0xaa]), Buffer.from([0xff]), Buffer.from([2, 0]), Buffer.from([0x08, 0x00]), Buffer.from([21]), Buffer.alloc(10),
        Buffer.from('ijklmnopqrst\0'), Buffer.from('caching_sha2_password\0'),
      ]);
      s.write(Buffer.concat([Buffer.from([body.length & 0xff, body.length >> 8, 0, 0]), body]));
      const req = await s.bytes(36);
      assert.equal(req.readUIntLE(0, 3), 32, 'SSLRequest payload length');
      assert.equal(req[3], 1, 'sequence id');
      assert.ok(req.readUInt32LE(4) & 0x0800, 'CLIENT_SSL set');
      assert.ok(req.readUInt32LE(4) & 0x0200, 'CLIENT_PROTOCOL_41 set');
      return 'tls';
    },
    steps: ['<< mysql Initial Handshake', '>> mysql SSL Request'],
  },
  {
    proto: 'nntp', rfc: 'RFC 4642 section 2.2.2 example (CAPABILITIES as RFC 3977 section 5.2)',
    async script(s) {
      s.write(`200 news.example.com server ready (posting allowed)${CRLF}`);
      assert.equal(await s.line(), 'CAPABILITIES');
      s.write(`101 Capability list:${CRLF}VERSION 2${CRLF}READER${CRLF}IHAVE${CRLF}STARTTLS${CRLF}LIST ACTIVE NEWSGROUPS${CRLF}.${CRLF}`);
      assert.equal(await s.line(), 'STARTTLS');
      s.write(`382 Continue with TLS negotiation${CRLF}`);
      return 'tls';
    },
    steps: ['<< nntp greeting', '>> nntp CAPABILITIES', '<< nntp CAPABILITIES', '<< nntp CAPABILITIES', '>> nntp STARTTLS', '<< nntp STARTTLS'],
  },
  {
    proto: 'sieve', rfc: 'RFC 5804 section 2.2 example',
    async script(s) {
      s.write(`"IMPLEMENTATION" "Example1 ManageSieved v001"${CRLF}"SASL" "DIGEST-MD5 GSSAPI"${CRLF}"SIEVE" "fileinto vacation"${CRLF}"STARTTLS"${CRLF}"VERSION" "1.0"${CRLF}OK${CRLF}`);
      assert.equal(await s.line(), 'STARTTLS');
      s.write(`OK${CRLF}`);
      return 'tls';
    },
    steps: ['<< sieve greeting', '>> sieve STARTTLS', '<< sieve STARTTLS'],
  },
  {
    proto: 'irc', rfc: 'IRCv3 tls extension (STARTTLS, RPL_STARTTLS 670)',
    async script(s) {
      s.write(`:irc.example.net NOTICE * :*** Looking up your hostname...${CRLF}`);
      assert.equal(await s.line(), 'STARTTLS');
      s.write(`:irc.example.net 670 * :STARTTLS successful, proceed with TLS handshake${CRLF}`);
      return 'tls';
    },
    steps: ['>> irc STARTTLS', '<< irc STARTTLS'],
  },
];

for (const c of cases) {
  test(`STARTTLS ${c.proto} against a scripted peer following ${c.rfc}: plaintext steps traced, handshake completes, certificate seen`, async () => {
    const peer = await scriptedPeer(c.script, c.alpn ? { ALPNProtocols: [c.alpn] } : {});
    try {
      const run = await handshakeVia({ host: '127.0.0.1', port: peer.port, starttls: c.proto, ...(c.name ? { name: c.name } : {}) });
      const served = await peer.served;
      assert.deepEqual(steps(run.preamble), c.steps, `trace: ${run.preamble.map((e) => formatEvent(e)).join('\n')}`);
      assert.ok(run.preamble.every((e) => e.layer === 'starttls' && e.kind === 'preamble'));
      assert.deepEqual(run.n.peerCertificates[0], CERT_DER, 'the certificate the TLS server presented');
      if (c.alpn) assert.equal(run.n.alpn, c.alpn);
      for (const re of c.sent ?? []) assert.ok(served.received.some((l) => re.test(l)), `the peer received ${re}: ${served.received.join(' | ')}`);
      // Application data flows both ways over the upgraded socket.
      const echoed = new Promise<string>((resolve) => run.session.once('data', (d: Uint8Array) => resolve(new TextDecoder().decode(d))));
      served.tls!.on('data', (d: Buffer) => served.tls!.write(d));
      run.session.write('ping');
      assert.equal(await echoed, 'ping');
      run.session.end();
    } finally {
      await peer.close();
    }
  });
}
