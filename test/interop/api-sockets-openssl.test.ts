// The seed's socket paths against OpenSSL on 127.0.0.1: SSL_set_fd on a real socket descriptor,
// SSL_ERROR_WANT_CONNECT from a connect BIO still connecting, SSL_ERROR_WANT_ACCEPT from an accept BIO
// with no client yet, and SSL_ERROR_WANT_READ on a non-blocking socket (openssl-ssl-api.zh.md: SSL_set_fd,
// SSL_get_error).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import * as ctxApi from '../../engine/api/ctx';
import * as api from '../../engine/api/ssl';
import { BIO_new_accept, BIO_new_connect, datagramSocketFd, registerSocket } from '../../engine/api/bio';
import { SSL_FILETYPE_PEM } from '../../engine/api/constants';
import { ERR_error_string, ERR_get_error } from '../../engine/api/err';
import { DTLS_client_method, DTLS_server_method, TLS_client_method, TLS_server_method } from '../../engine/api/method';
import { freeUdpPort, opensslClient, opensslDtlsServer, opensslServer, PKI } from './peers';

function connected(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

test('SSL_set_fd on a connected socket descriptor: handshake, write and read with openssl s_server -rev', { timeout: 20_000 }, async () => {
  const server = await opensslServer(['-tls1_3', '-rev', '-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key')]);
  try {
    const sock = await connected(server.port);
    const fd = registerSocket(sock);
    assert.ok(fd >= 0, 'the socket has a descriptor');
    const ssl = api.SSL_new(ctxApi.SSL_CTX_new(TLS_client_method()))!;
    assert.equal(api.SSL_set_fd(ssl, fd), 1);
    api.SSL_set_tlsext_host_name(ssl, 'localhost');
    const first = api.SSL_connect(ssl);
    assert.equal(first, -1, 'a non-blocking socket cannot finish the handshake at once');
    assert.equal(api.SSL_get_error(ssl, first), api.SSL_ERROR_WANT_READ);
    assert.equal(await api.SSL_retry(ssl, () => api.SSL_connect(ssl)), 1);
    assert.equal(api.SSL_get_version(ssl), 'TLSv1.3');
    const msg = new TextEncoder().encode('socket descriptors work\n');
    assert.equal(await api.SSL_retry(ssl, () => api.SSL_write(ssl, msg, msg.length)), msg.length);
    const buf = new Uint8Array(256);
    let got = '';
    while (!got.includes('\n')) {
      const n = await api.SSL_retry(ssl, () => api.SSL_read(ssl, buf, buf.length));
      assert.ok(n > 0, `SSL_read returned ${n} (${api.SSL_error_name(api.SSL_get_error(ssl, n))})`);
      got += new TextDecoder().decode(buf.subarray(0, n));
    }
    assert.equal(got.trim(), 'socket descriptors work'.split('').reverse().join(''), 's_server -rev sends the line back reversed');
    assert.equal(api.SSL_shutdown(ssl), 0);
    sock.destroy();
  } finally {
    await server.stop();
  }
});

test('a connect BIO still connecting gives SSL_ERROR_WANT_CONNECT, then the handshake completes', { timeout: 20_000 }, async () => {
  const server = await opensslServer(['-tls1_3', '-www', '-cert', PKI('ed25519.crt'), '-key', PKI('ed25519.key')]);
  try {
    const ssl = api.SSL_new(ctxApi.SSL_CTX_new(TLS_client_method()))!;
    const bio = BIO_new_connect(`127.0.0.1:${server.port}`);
    api.SSL_set_bio(ssl, bio, bio);
    const r = api.SSL_connect(ssl);
    assert.equal(api.SSL_get_error(ssl, r), api.SSL_ERROR_WANT_CONNECT, 'the TCP connection is not up yet');
    assert.equal(await api.SSL_retry(ssl, () => api.SSL_connect(ssl)), 1);
    const req = new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n');
    assert.equal(await api.SSL_retry(ssl, () => api.SSL_write(ssl, req, req.length)), req.length);
    const buf = new Uint8Array(4096);
    const n = await api.SSL_retry(ssl, () => api.SSL_read(ssl, buf, buf.length));
    assert.ok(n > 0);
    assert.match(new TextDecoder().decode(buf.subarray(0, n)), /HTTP\/1\.0 200 ok/);
    bio.socket.destroy();
  } finally {
    await server.stop();
  }
});

test('an accept BIO with no client yet gives SSL_ERROR_WANT_ACCEPT; openssl s_client then completes SSL_accept', { timeout: 20_000 }, async () => {
  const ctx = ctxApi.SSL_CTX_new(TLS_server_method())!;
  assert.equal(ctxApi.SSL_CTX_use_certificate_file(ctx, PKI('rsa2048.crt'), SSL_FILETYPE_PEM), 1);
  assert.equal(ctxApi.SSL_CTX_use_PrivateKey_file(ctx, PKI('rsa2048.key'), SSL_FILETYPE_PEM), 1);
  const ssl = api.SSL_new(ctx)!;
  const bio = BIO_new_accept('127.0.0.1:0');
  const port = await bio.listening();
  api.SSL_set_bio(ssl, bio, bio);
  const r = api.SSL_accept(ssl);
  assert.equal(api.SSL_get_error(ssl, r), api.SSL_ERROR_WANT_ACCEPT, 'nobody has connected yet');
  const client = opensslClient(port, ['-tls1_3', '-ign_eof'], 'hello accept bio\n');
  try {
    assert.equal(await api.SSL_retry(ssl, () => api.SSL_accept(ssl)), 1);
    const buf = new Uint8Array(256);
    const n = await api.SSL_retry(ssl, () => api.SSL_read(ssl, buf, buf.length));
    assert.equal(new TextDecoder().decode(buf.subarray(0, n)), 'hello accept bio\n');
    const reply = new TextEncoder().encode('hello s_client\n');
    assert.equal(api.SSL_write(ssl, reply, reply.length), reply.length);
    await client.waitFor(/hello s_client/);
  } finally {
    await client.stop();
    bio.socket?.socket.destroy();
  }
});

/** A UDP socket on 127.0.0.1 connected to `port` (bound to `local` if given), as a C program would make one. */
async function connectedUdp(port: number, local = 0): Promise<dgram.Socket> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(local, '127.0.0.1', r));
  await new Promise<void>((r) => sock.connect(port, '127.0.0.1', r));
  return sock;
}

async function readLine(ssl: api.SSL): Promise<string> {
  const buf = new Uint8Array(2048);
  let got = '';
  while (!got.includes('\n')) {
    const n = await api.SSL_retry(ssl, () => api.SSL_read(ssl, buf, buf.length), 10_000);
    assert.ok(n > 0, `SSL_read returned ${n} (${api.SSL_error_name(api.SSL_get_error(ssl, n))})`);
    got += new TextDecoder().decode(buf.subarray(0, n));
  }
  return got;
}

test('DTLS: SSL_set_fd on a connected UDP socket descriptor: handshake with openssl s_server -dtls1_2, data both ways', { timeout: 30_000 }, async () => {
  const server = await opensslDtlsServer(['-dtls1_2', '-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key')]);
  const sock = await connectedUdp(server.port);
  try {
    const fd = datagramSocketFd(sock);
    const ssl = api.SSL_new(ctxApi.SSL_CTX_new(DTLS_client_method()))!;
    assert.equal(api.SSL_set_fd(ssl, fd), 1);
    const first = api.SSL_connect(ssl);
    assert.equal(first, -1, 'a non-blocking descriptor cannot finish the handshake at once');
    assert.equal(api.SSL_get_error(ssl, first), api.SSL_ERROR_WANT_READ);
    assert.equal(await api.SSL_retry(ssl, () => api.SSL_connect(ssl), 15_000), 1);
    assert.equal(api.SSL_get_version(ssl), 'DTLSv1.2');
    const msg = new TextEncoder().encode('datagrams over a descriptor\n');
    assert.equal(await api.SSL_retry(ssl, () => api.SSL_write(ssl, msg, msg.length)), msg.length);
    await server.waitFor(/datagrams over a descriptor/);
    server.proc.stdin!.write('and back\n');
    assert.equal((await readLine(ssl)).trim(), 'and back');
    api.SSL_shutdown(ssl);
  } finally {
    sock.close();
    await server.stop();
  }
});

test('DTLS: SSL_set_fd on the server side: SSL_accept over a UDP descriptor connected to openssl s_client -dtls1_2, data both ways', { timeout: 30_000 }, async () => {
  const ctx = ctxApi.SSL_CTX_new(DTLS_server_method())!;
  assert.equal(ctxApi.SSL_CTX_use_certificate_file(ctx, PKI('rsa2048.crt'), SSL_FILETYPE_PEM), 1);
  assert.equal(ctxApi.SSL_CTX_use_PrivateKey_file(ctx, PKI('rsa2048.key'), SSL_FILETYPE_PEM), 1);
  // Both ports are known ahead, so our socket is connected to the client's before it sends (s_client -bind).
  const [ours, theirs] = [await freeUdpPort(), await freeUdpPort()];
  const sock = await connectedUdp(theirs, ours);
  const ssl = api.SSL_new(ctx)!;
  assert.equal(api.SSL_set_fd(ssl, datagramSocketFd(sock)), 1);
  const client = opensslClient(ours, ['-dtls1_2', '-bind', `127.0.0.1:${theirs}`]);
  try {
    assert.equal(await api.SSL_retry(ssl, () => api.SSL_accept(ssl), 15_000), 1);
    assert.equal(api.SSL_get_version(ssl), 'DTLSv1.2');
    await client.waitFor(/Verify return code/);
    client.proc.stdin!.write('hello from s_client\n');
    assert.equal((await readLine(ssl)).trim(), 'hello from s_client');
    const msg = new TextEncoder().encode('hello from SSL_accept\n');
    assert.equal(await api.SSL_retry(ssl, () => api.SSL_write(ssl, msg, msg.length)), msg.length);
    await client.waitFor(/hello from SSL_accept/);
  } finally {
    sock.close();
    await client.stop();
  }
});

test('DTLS: SSL_set_fd refuses a descriptor that is not a socket, and a UDP socket not connected fails the handshake as SSL_ERROR_SYSCALL', async () => {
  const ssl = api.SSL_new(ctxApi.SSL_CTX_new(DTLS_client_method()))!;
  const fileFd = fs.openSync(PKI('ec-p256.crt'), 'r');
  try {
    assert.equal(api.SSL_set_fd(ssl, fileFd), 0, 'a file is not a socket');
    assert.match(ERR_error_string(ERR_get_error()), /SSL routines::/);
  } finally {
    fs.closeSync(fileFd);
  }
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  try {
    const s2 = api.SSL_new(ctxApi.SSL_CTX_new(DTLS_client_method()))!;
    assert.equal(api.SSL_set_fd(s2, datagramSocketFd(sock)), 1);
    const r = api.SSL_connect(s2);
    assert.equal(api.SSL_get_error(s2, r), api.SSL_ERROR_SYSCALL);
    assert.match(api.SSL_get_rbio(s2)!.ioError ?? '', /EDESTADDRREQ.*must be connected/);
  } finally {
    sock.close();
  }
});
