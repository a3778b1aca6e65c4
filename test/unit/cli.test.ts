// The `tlslens` command: decode and check-key exit codes and output, in OpenSSL's dialect, on openssl-made fixtures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../engine/cli/main';
import type { CliIO } from '../../engine/cli/io';

const F = (n: string) => path.resolve('test/fixtures/pki', n);

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    out: (s) => { out += s; },
    err: (s) => { err += s; },
    readFile: (p) => new Uint8Array(fs.readFileSync(p)),
    env: { TLSLENS_PASS: 'tlslens' },
    readStdin: () => '',
  };
  const code = await main(argv, io);
  return { code, out, err };
}

test('--version and --help', async () => {
  const v = await cli('--version');
  assert.equal(v.code, 0);
  assert.match(v.out, /^tlslens \d+\.\d+\.\d+\n$/);
  const h = await cli('--help');
  assert.equal(h.code, 0);
  for (const c of ['decode', 'check-key', 'generate']) assert.match(h.out, new RegExp(`\\b${c}\\b`));
  const ch = await cli('check-key', '--help');
  assert.match(ch.out, /Usage: tlslens check-key/);
  assert.match(ch.out, /--passin SPEC/);
  assert.equal((await cli('no-such-command')).code, 64);
  assert.equal((await cli('decode', '--no-such-flag', F('rsa2048.crt'))).code, 64);
});

test('decode prints what openssl x509 -text prints for subject, issuer, validity and key', async () => {
  for (const f of ['rsa2048.crt', 'ec-p384.crt', 'ed25519.crt', 'leaf.crt']) {
    const r = await cli('decode', F(f));
    assert.equal(r.code, 0, r.err);
    const theirs = execFileSync('openssl', ['x509', '-in', F(f), '-noout', '-text'], { encoding: 'utf8' });
    for (const field of ['Subject:', 'Issuer:', 'Not Before:', 'Not After :', 'Signature Algorithm:', 'Public Key Algorithm:']) {
      const want = theirs.split('\n').find((l) => l.trim().startsWith(field))!.trim();
      assert.ok(r.out.split('\n').some((l) => l.trim() === want), `${f}: "${want}" in our output`);
    }
  }
});

test('decode --json carries every block with its type, line range and fields', async () => {
  const r = await cli('decode', '--json', F('chain.pem'));
  assert.equal(r.code, 0);
  const doc = JSON.parse(r.out) as { files: { file: string; items: { label: string; range: { startLine: number }; object: { kind: string } }[] }[] };
  assert.equal(doc.files[0]!.items.length, 3);
  assert.ok(doc.files[0]!.items.every((i) => i.object.kind === 'certificate'));
  assert.equal(doc.files[0]!.items[0]!.range.startLine, 0);
});

test('decode of a DER file recognises the type by shape', async () => {
  for (const [f, label] of [['rsa2048.crt.der', 'CERTIFICATE'], ['rsa2048.csr.der', 'CERTIFICATE REQUEST'], ['intermediate.crl.der', 'X509 CRL'], ['chain.p7b.der', 'PKCS7']]) {
    const r = await cli('decode', '--json', F(f!));
    assert.equal(r.code, 0, `${f}: ${r.err}`);
    assert.equal(JSON.parse(r.out).files[0].items[0].label, label);
  }
});

test('decode of an encrypted key: locked without --passin, the public half with it (pass:, env:)', async () => {
  const locked = await cli('decode', F('rsa2048.pbes2.key'));
  assert.equal(locked.code, 1);
  assert.match(locked.out, /Locked: give the passphrase/);
  for (const spec of ['pass:tlslens', 'env:TLSLENS_PASS']) {
    const open = await cli('decode', '--passin', spec, F('rsa2048.pbes2.key'));
    assert.equal(open.code, 0, open.err);
    assert.match(open.out, /Public-Key: \(2048 bit\)/);
  }
  const wrong = await cli('decode', '--passin', 'pass:nope', F('rsa2048.pbes2.key'));
  assert.equal(wrong.code, 1);
  assert.match(wrong.err, /passphrase does not decrypt/);
});

test('decode never prints private key material', async () => {
  const keyFile = fs.readFileSync(F('rsa2048.key'), 'utf8');
  const body = keyFile.split('\n').filter((l) => l && !l.startsWith('-----'));
  for (const args of [[F('rsa2048.key')], ['--json', F('rsa2048.key')]]) {
    const r = await cli('decode', ...args);
    for (const line of body) assert.ok(!r.out.includes(line), 'a base64 line of the key body leaked');
    assert.ok(!/"der"/.test(r.out) || !r.out.includes(Buffer.from(body.join(''), 'base64').toString('hex').slice(0, 64)), 'key DER leaked in JSON');
  }
});

test('decode of a broken file: exit 1 and a message with file and line; a missing file: exit 2', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-cli-'));
  const pem = fs.readFileSync(F('rsa2048.crt'), 'utf8').split('\n');
  pem[5] = pem[5]!.slice(0, 20) + '!' + pem[5]!.slice(21);
  fs.writeFileSync(path.join(dir, 'bad.pem'), pem.join('\n'));
  const r = await cli('decode', path.join(dir, 'bad.pem'));
  assert.equal(r.code, 1);
  assert.match(r.err, /bad\.pem:6: .*line 6, column 21: '!' is not a base64 character/);
  const missing = await cli('decode', path.join(dir, 'nope.pem'));
  assert.equal(missing.code, 2);
  assert.match(missing.err, /ENOENT/);
});

test('check-key: exit 0 on a match, 1 on a mismatch, 2 on unreadable input', async () => {
  const ok = await cli('check-key', F('ec-p256.crt'), F('ec-p256.key'));
  assert.equal(ok.code, 0, ok.out);
  assert.match(ok.out, /Result: MATCH/);
  assert.match(ok.out, /SSL_CTX_check_private_key\(ctx\) = 1/);
  const bad = await cli('check-key', F('mismatch-ec.crt'), F('mismatch-ec.key'));
  assert.equal(bad.code, 1);
  assert.match(bad.out, /error:05800074:x509 certificate routines::key values mismatch/);
  assert.match(bad.out, /Result: MISMATCH/);
  const typeMismatch = await cli('check-key', F('rsa2048.crt'), F('ed25519.key'));
  assert.equal(typeMismatch.code, 1);
  assert.match(typeMismatch.out, /key type mismatch/);
  assert.equal((await cli('check-key', F('nope.crt'))).code, 2);
  const noKey = await cli('check-key', F('rsa2048.crt'));
  assert.equal(noKey.code, 2);
  assert.match(noKey.out, /no private key in/);
});

test('check-key: the key defaults to one in the certificate\'s file (mismatch-rsa.pem holds a cert and another key)', async () => {
  const r = await cli('check-key', F('mismatch-rsa.pem'));
  assert.equal(r.code, 1);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-cli-'));
  fs.writeFileSync(path.join(dir, 'both.pem'), fs.readFileSync(F('ed448.crt'), 'utf8') + fs.readFileSync(F('ed448.key'), 'utf8'));
  assert.equal((await cli('check-key', path.join(dir, 'both.pem'))).code, 0);
});

test('check-key with encrypted keys: --passin opens them; without it exit 2 saying a passphrase is needed', async () => {
  for (const k of ['rsa2048.pbes2.key', 'rsa2048.legacy-enc.key']) {
    assert.equal((await cli('check-key', '--passin', 'pass:tlslens', F('rsa2048.crt'), F(k))).code, 0, k);
    const locked = await cli('check-key', F('rsa2048.crt'), F(k));
    assert.equal(locked.code, 2);
    assert.match(locked.out, /passphrase is needed/);
  }
});

test('check-key --json reports both fingerprints and every API call', async () => {
  const r = await cli('check-key', '--json', F('ed25519.crt'), F('ed25519.key'));
  const j = JSON.parse(r.out);
  assert.equal(j.match, true);
  assert.equal(j.certificate.spkiSha256, j.key.spkiSha256);
  assert.deepEqual(j.calls.map((c: { ret: number }) => c.ret), [1, 1, 1]);
  const theirs = execFileSync('sh', ['-c', `openssl pkey -in ${F('ed25519.key')} -pubout -outform DER | openssl dgst -sha256 -r`], { encoding: 'utf8' }).split(' ')[0]!;
  assert.equal(j.key.spkiSha256.replace(/:/g, '').toLowerCase(), theirs);
});

test('generate: openssl accepts the certificate, and the key matches it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-cli-'));
  const cert = path.join(dir, 'c.pem');
  const key = path.join(dir, 'k.pem');
  assert.equal((await cli('generate', '--subj', 'demo.test', '--san', 'demo.test,127.0.0.1', '--out', cert, '--keyout', key)).code, 0);
  const text = execFileSync('openssl', ['x509', '-in', cert, '-noout', '-text'], { encoding: 'utf8' });
  assert.match(text, /Subject: CN = demo.test/);
  assert.match(text, /DNS:demo.test, IP Address:127.0.0.1/);
  const certPub = execFileSync('openssl', ['x509', '-in', cert, '-noout', '-pubkey'], { encoding: 'utf8' });
  const keyPub = execFileSync('openssl', ['pkey', '-in', key, '-pubout'], { encoding: 'utf8' });
  assert.equal(certPub, keyPub);
  assert.equal(fs.statSync(key).mode & 0o777, 0o600);
  assert.equal((await cli('check-key', cert, key)).code, 0);
});

test('the bundled dist/cli.js runs as a program (bin "tlslens")', () => {
  const r = spawnSync(process.execPath, [path.resolve('dist/cli.js'), 'check-key', F('rsa2048.crt'), F('rsa2048.key')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const bad = spawnSync(process.execPath, [path.resolve('dist/cli.js'), 'check-key', F('mismatch-ec.crt'), F('mismatch-ec.key')], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
});

test('DTLS version flags: --dtls (DTLS 1.2, as s_client -dtls under OpenSSL 3), --dtls1, --dtls1_2 and its spelling --dtls1.2, --mtu; conflicting ones are a usage error', async () => {
  const { dtlsSettings } = await import('../../engine/cli/tls-options');
  assert.equal(dtlsSettings({}), undefined, 'TLS over TCP without a DTLS flag');
  assert.deepEqual(dtlsSettings({ dtls: true }), { dtlsMin: 0xfefd, dtlsMax: 0xfefd });
  assert.deepEqual(dtlsSettings({ dtls1: true }), { dtlsMin: 0xfeff, dtlsMax: 0xfeff });
  assert.deepEqual(dtlsSettings({ dtls1_2: true }), { dtlsMin: 0xfefd, dtlsMax: 0xfefd });
  assert.deepEqual(dtlsSettings({ 'dtls1.2': true }), { dtlsMin: 0xfefd, dtlsMax: 0xfefd });
  assert.deepEqual(dtlsSettings({ dtls: true, mtu: '600' }), { dtlsMin: 0xfefd, dtlsMax: 0xfefd, mtu: 600 });
  assert.throws(() => dtlsSettings({ dtls1: true, 'dtls1.2': true }), /choose one version/);
});
