// `tlslens connect --starttls smtp --pcap`: the capture holds the SMTP exchange and then the TLS on one TCP
// stream, so tshark's SMTP dissector follows STARTTLS (RFC 3207) into TLS and decrypts it with the key log inside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { run as connectCommand } from '../../engine/cli/commands/connect';
import type { CliIO } from '../../engine/cli/io';
import { smtpStartTlsPeer } from './starttls-peers';

test('connect --starttls smtp --pcap: tshark reads EHLO and STARTTLS, then the ClientHello, then the decrypted data (RFC 3207 upgrade on one stream)', { timeout: 60_000 }, async () => {
  const tshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
  assert.equal(tshark.status, 0, 'tshark is missing: install the Debian package tshark (bash scripts/install-test-deps.sh)');
  const peer = await smtpStartTlsPeer();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-starttls-pcap-'));
  const file = path.join(dir, 'smtp.pcapng');
  try {
    let out = '';
    let err = '';
    const stdin = new PassThrough();
    const io: CliIO = { out: (s) => (out += s), err: (s) => (err += s), readFile: () => new Uint8Array(0), env: {}, readStdin: () => '', stdin };
    const done = connectCommand([`127.0.0.1:${peer.port}`, '--starttls', 'smtp', '--servername', 'localhost', '--pcap', file], io);
    const served = await peer.served;
    const got = new Promise<string>((resolve) => served.tls!.once('data', (d: Buffer) => resolve(d.toString())));
    stdin.write('MAIL FROM:<a@example.org>\r\n');
    assert.equal(await got, 'MAIL FROM:<a@example.org>\r\n');
    served.tls!.end();
    stdin.end();
    assert.equal(await done, 0, `${err}\n${out}`);
    const fields = (filter: string, field: string) => {
      const r = spawnSync('tshark', ['-r', file, '-d', `tcp.port==${peer.port},smtp`, '-Y', filter, '-T', 'fields', '-e', field], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
    };
    assert.deepEqual(fields('smtp.req', 'smtp.command_line').map((l) => l.replace(/\\r\\n$/, '')), ['EHLO mail.example.com', 'STARTTLS', 'MAIL FROM:<a@example.org>'], 'the plaintext commands, then the one sent over TLS (decrypted)');
    assert.deepEqual(fields('smtp.response.code == 220', 'smtp.response.code'), ['220', '220']);
    assert.equal(fields('tls.handshake.type == 1', 'tls.handshake.type').length, 1, 'one ClientHello, after STARTTLS');
  } finally {
    await peer.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
