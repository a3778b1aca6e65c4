// PKCS#12 files (engine/x509/pkcs12.ts) against `openssl pkcs12 -info -nokeys` on the fixtures of
// test/fixtures/pki/pkcs12/ (made by make.sh: OpenSSL 3's defaults, -legacy, 3DES, no encryption, certificates
// only, AES-128 with an HMAC-SHA512 MAC). openssl writes the structure (MAC, each SafeContents, each bag) to
// stderr and each certificate's attributes, subject and issuer to stdout: both are compared, line by line. The
// keys are compared by the SHA-256 of their public half, as `openssl pkcs12 -nocerts | openssl pkey -pubout`
// gives it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeBytes } from '../../engine/x509/decode';
import { decodePkcs12 } from '../../engine/x509/pkcs12';
import type { Pkcs12Bag, Pkcs12Info } from '../../engine/x509/types';

const DIR = path.resolve('test/fixtures/pki/pkcs12');
const PASS = 'tlslens';
const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.p12')).sort();

function openssl(args: string[], input?: Uint8Array): { stdout: string; stderr: string; bytes: Buffer } {
  const r = spawnSync('openssl', args, { input, maxBuffer: 1 << 24 });
  if (r.error) throw new Error(`missing tool 'openssl' (Debian package openssl): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return { stdout: r.stdout.toString(), stderr: r.stderr.toString(), bytes: r.stdout };
}

const legacyFlag = (f: string) => (f.includes('legacy') ? ['-legacy'] : []);
const read = (f: string) => new Uint8Array(fs.readFileSync(path.join(DIR, f)));

function allBags(bags: Pkcs12Bag[] | undefined): Pkcs12Bag[] {
  return (bags ?? []).flatMap((b) => [b, ...allBags(b.bags)]);
}

/** Our structure in openssl's words: MAC lines, then each SafeContents and its bags. */
function structureLines(p: Pkcs12Info): string[] {
  const out = p.mac ? [`MAC: ${p.mac.algorithm}, Iteration ${p.mac.iterations}`, `MAC length: ${p.mac.macLength}, salt length: ${p.mac.saltLength}`] : ['Warning: MAC is absent!'];
  for (const c of p.contents) {
    out.push(c.label);
    if (c.locked === 'unsupported') out.push('(not opened)');
    for (const b of allBags(c.bags)) out.push(b.label);
  }
  return out;
}

/** openssl's stderr, with the bags of a SafeContents we cannot open (RC2) folded into one line. */
function opensslStructure(stderr: string, ours: string[]): string[] {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => /^(MAC|Warning: MAC|PKCS7|Certificate bag|Shrouded Keybag|Key bag|Secret bag|Safe Contents bag|CRL bag)/.test(l));
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    out.push(lines[i]!);
    if (ours[out.length] === '(not opened)') {
      out.push('(not opened)');
      while (i + 1 < lines.length && !lines[i + 1]!.startsWith('PKCS7')) i++;
    }
  }
  return out;
}

interface CertBagText {
  attributes: string[];
  subject: string;
  issuer: string;
}

/** stdout of `-info -nokeys`: per certificate bag, its attributes, subject and issuer. */
function opensslCertBags(stdout: string): CertBagText[] {
  const out: CertBagText[] = [];
  let attrs: string[] = [];
  for (const line of stdout.split('\n')) {
    if (line.startsWith('Bag Attributes')) attrs = [];
    else if (/^\s+(localKeyID|friendlyName):/.test(line)) attrs.push(line.trim().replace(/^localKeyID: (.*?)\s*$/, (_m, hex: string) => `localKeyID: ${hex.trim().split(' ').join(':')}`));
    else if (line.startsWith('subject=')) out.push({ attributes: attrs, subject: line.slice(8), issuer: '' });
    else if (line.startsWith('issuer=')) out[out.length - 1]!.issuer = line.slice(7);
  }
  return out;
}

function ourCertBags(p: Pkcs12Info): CertBagText[] {
  return p.contents.flatMap((c) => allBags(c.bags)).filter((b) => b.type === 'certBag').map((b) => ({
    attributes: [...(b.localKeyId ? [`localKeyID: ${b.localKeyId}`] : []), ...(b.friendlyName !== undefined ? [`friendlyName: ${b.friendlyName}`] : [])].sort(),
    subject: b.certificate!.subject.opensslText,
    issuer: b.certificate!.issuer.opensslText,
  }));
}

describe('PKCS#12 files against openssl pkcs12 -info', () => {
  test('the fixtures are there', () => assert.ok(files.length >= 6, `test/fixtures/pki/pkcs12 holds ${files.join(', ')}: run bash test/fixtures/pki/make.sh pkcs12`));

  for (const f of files) {
    describe(f, () => {
      const info = openssl(['pkcs12', '-info', '-nokeys', '-in', path.join(DIR, f), '-passin', `pass:${PASS}`, ...legacyFlag(f)]);
      const p = decodePkcs12(read(f), { password: PASS });

      test('MAC, SafeContents and bags as openssl lists them', () => {
        const ours = structureLines(p);
        assert.deepEqual(ours, opensslStructure(info.stderr, ours));
        assert.equal(p.version, 3);
        if (p.mac) assert.equal(p.macVerified, true);
      });

      test('each certificate bag: friendlyName, localKeyID, subject and issuer', () => {
        const theirs = opensslCertBags(info.stdout).map((b) => ({ ...b, attributes: b.attributes.sort() }));
        const mine = ourCertBags(p);
        if (f.includes('legacy')) assert.deepEqual(mine, [], 'the RC2 container stays closed');
        else assert.deepEqual(mine, theirs);
      });

      test('each key: the SHA-256 of its public half', () => {
        const keys = openssl(['pkcs12', '-in', path.join(DIR, f), '-nocerts', '-nodes', '-passin', `pass:${PASS}`, ...legacyFlag(f)]).stdout;
        const expected = keys.includes('PRIVATE KEY')
          ? [createHash('sha256').update(openssl(['pkey', '-pubout', '-outform', 'DER'], new TextEncoder().encode(keys)).bytes).digest('hex').toUpperCase().match(/../g)!.join(':')]
          : [];
        const mine = p.contents.flatMap((c) => allBags(c.bags)).filter((b) => b.privateKey).map((b) => b.privateKey!.publicKey?.spkiSha256);
        assert.deepEqual(mine, expected);
      });

      test('without the password: the structure, and what needs it', () => {
        const locked = decodePkcs12(read(f));
        assert.equal(locked.macVerified, undefined);
        assert.deepEqual(locked.contents.map((c) => c.label), p.contents.map((c) => c.label));
        const encrypted = locked.contents.some((c) => c.type === 'encryptedData') || !!locked.mac;
        assert.equal(locked.locked, encrypted ? 'needs-passphrase' : undefined);
        for (const c of locked.contents) if (c.type === 'encryptedData') assert.equal(c.locked, 'needs-passphrase');
      });

      test('a wrong password does not verify the MAC', { skip: !p.mac }, () => {
        const wrong = decodePkcs12(read(f), { password: 'not the password' });
        assert.equal(wrong.macVerified, false);
        assert.equal(wrong.locked, 'wrong-passphrase');
      });

      test('a DER file recognised by shape: PKCS12', () => {
        const file = decodeBytes(read(f), { passphrase: PASS });
        assert.equal(file.format, 'der');
        assert.equal(file.items[0]!.label, 'PKCS12');
        assert.equal(file.items[0]!.object?.kind, 'pkcs12');
        if (f.includes('legacy')) assert.equal(file.items[0]!.problem?.code, 'unsupported');
        else assert.equal(file.items[0]!.problem, undefined, file.items[0]!.problem?.message);
      });
    });
  }

  test('a file asking for more KDF iterations than allowed is refused before the work, not hashed for minutes', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-p12-'));
    try {
      const p12 = path.join(tmp, 'many.p12');
      const pki = path.resolve('test/fixtures/pki');
      openssl(['pkcs12', '-export', '-in', path.join(pki, 'ec-p256.crt'), '-inkey', path.join(pki, 'ec-p256.key'), '-passout', `pass:${PASS}`, '-iter', '100000', '-maciter', '-out', p12]);
      const bytes = new Uint8Array(fs.readFileSync(p12));
      const t0 = performance.now();
      const file = decodeBytes(bytes, { passphrase: PASS, maxKdfIterations: 50_000 });
      assert.ok(performance.now() - t0 < 1000);
      assert.equal(file.items[0]!.problem?.code, 'unsupported');
      assert.match(file.items[0]!.problem!.message, /100000 key derivation iterations are over the limit of 50000/);
      const allowed = decodeBytes(bytes, { passphrase: PASS });
      assert.equal(allowed.items[0]!.problem, undefined, allowed.items[0]!.problem?.message);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
