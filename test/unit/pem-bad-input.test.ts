// Malformed PEM and DER input (test/fixtures/pki/bad): every problem names its block and line, the
// other blocks of the file still decode, and nothing throws, not even for randomly damaged DER.
// Expected lines are found by searching the fixture text, so regenerating the fixtures keeps them right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { decodeBytes, decodeText } from '../../engine/x509/decode';
import type { DecodedFile, DecodedItem, Problem } from '../../engine/x509/file';
import type { CertificateInfo } from '../../engine/x509/types';

const FIX = path.resolve('test/fixtures/pki');
const BAD = path.join(FIX, 'bad');

function readBad(name: string): Buffer {
  return fs.readFileSync(path.join(BAD, name));
}

/** Decodes and fails the test (instead of crashing it) if the decoder throws. */
function decode(bytes: Uint8Array): DecodedFile {
  let file: DecodedFile | undefined;
  assert.doesNotThrow(() => { file = decodeBytes(bytes); }, 'decodeBytes threw');
  return file!;
}

function decodeBad(name: string): { file: DecodedFile; lines: string[] } {
  const bytes = readBad(name);
  return { file: decode(new Uint8Array(bytes)), lines: bytes.toString('utf8').split(/\r\n|\r|\n/) };
}

/** 0-based index of the n-th (0-based) line equal to `text` after trimming. */
function lineOf(lines: string[], text: string, nth = 0): number {
  let seen = 0;
  for (const [i, l] of lines.entries()) if (l.trim() === text && seen++ === nth) return i;
  throw new Error(`fixture has no line #${nth} "${text}"`);
}

function certOf(item: DecodedItem): CertificateInfo {
  assert.equal(item.object?.kind, 'certificate', `item ${item.index} (${item.label}) is not a decoded certificate: ${item.problem?.message}`);
  return (item.object as { certificate: CertificateInfo }).certificate;
}

function fixtureCert(name: string): CertificateInfo {
  return certOf(decode(new Uint8Array(fs.readFileSync(path.join(FIX, name)))).items[0]!);
}

/** The problem must carry the code and the exact 0-based line, and say the 1-based line and the block. */
function assertProblem(p: Problem | undefined, code: Problem['code'], line: number, block: number, label: string): void {
  assert.ok(p, 'expected a problem');
  assert.equal(p.code, code, p.message);
  assert.equal(p.line, line, `0-based line (message: ${p.message})`);
  assert.match(p.message, new RegExp(`\\b${line + 1}\\b`), 'the message gives the 1-based line');
  assert.match(p.message, new RegExp(`\\bblock ${block}\\b`), 'the message names the block');
  assert.ok(p.message.includes(label), `the message names the label ${label}: ${p.message}`);
}

/** The good blocks around a bad one decode as the certificates they were made from. */
function assertGood(item: DecodedItem | undefined, fixture: string): void {
  assert.ok(item, `missing the block made from ${fixture}`);
  assert.equal(item.problem, undefined, item.problem?.message);
  assert.equal(certOf(item).fingerprints.sha256, fixtureCert(fixture).fingerprints.sha256, `not the certificate of ${fixture}`);
}

// ---------------------------------------------------------------------------------------------
// One malformed block among good ones

test('RFC 7468 section 3: truncated base64 (length not a multiple of 4) is reported on the last body line', () => {
  const { file, lines } = decodeBad('truncated-base64.pem');
  assert.equal(file.items.length, 3);
  const last = lineOf(lines, '-----END CERTIFICATE-----', 1) - 1;
  assertProblem(file.items[1]!.problem, 'truncated-base64', last, 2, 'CERTIFICATE');
  assert.equal(file.items[1]!.object, undefined);
  assertGood(file.items[0], 'rsa2048.crt');
  assertGood(file.items[2], 'ed25519.crt');
  assert.deepEqual(file.problems, [file.items[1]!.problem]);
});

test('RFC 7468 section 2: a body cut at a whole base64 group decodes to truncated DER, reported on its BEGIN line', () => {
  const { file } = decodeBad('truncated-der.pem');
  assert.equal(file.items.length, 2);
  assertProblem(file.items[0]!.problem, 'bad-der', 0, 1, 'CERTIFICATE');
  assert.match(file.items[0]!.problem!.message, /truncated/);
  assertGood(file.items[1], 'ec-p256.crt');
});

test('RFC 7468 section 2: an unknown armour label (CERTIFCATE) is reported on its BEGIN line with a suggestion', () => {
  const { file, lines } = decodeBad('wrong-label.pem');
  assert.equal(file.items.length, 3);
  const begin = lineOf(lines, '-----BEGIN CERTIFCATE-----');
  assert.equal(file.items[1]!.label, 'CERTIFCATE');
  assertProblem(file.items[1]!.problem, 'unknown-label', begin, 2, 'CERTIFCATE');
  assert.match(file.items[1]!.problem!.message, /did you mean "CERTIFICATE"/);
  assert.deepEqual(file.items[1]!.range, { startLine: begin, endLine: lineOf(lines, '-----END CERTIFCATE-----') });
  assertGood(file.items[0], 'rsa2048.crt');
  assertGood(file.items[2], 'ed25519.crt');
});

test('RFC 7468 section 2: explanatory text before, between and after blocks is ignored, not a problem', () => {
  const { file, lines } = decodeBad('garbage-between.pem');
  assert.deepEqual(file.problems, []);
  assert.equal(file.items.length, 2);
  assert.deepEqual(file.items.map((i) => i.range), [
    { startLine: lineOf(lines, '-----BEGIN CERTIFICATE-----', 0), endLine: lineOf(lines, '-----END CERTIFICATE-----', 0) },
    { startLine: lineOf(lines, '-----BEGIN CERTIFICATE-----', 1), endLine: lineOf(lines, '-----END CERTIFICATE-----', 1) },
  ]);
  assertGood(file.items[0], 'leaf.crt');
  assertGood(file.items[1], 'intermediate-ca.crt');
});

test('RFC 7468 section 3: a character outside the base64 alphabet is reported at its line and column', () => {
  const { file, lines } = decodeBad('bad-base64-char.pem');
  assert.equal(file.items.length, 3);
  const at = lines.findIndex((l) => l.includes('*'));
  assertProblem(file.items[1]!.problem, 'bad-base64', at, 2, 'CERTIFICATE');
  assert.equal(file.items[1]!.problem!.column, lines[at]!.indexOf('*'));
  assert.match(file.items[1]!.problem!.message, /column 10\b/);
  assertGood(file.items[0], 'rsa2048.crt');
  assertGood(file.items[2], 'ed25519.crt');
});

test('RFC 7468 section 2: BEGIN without END at the end of the file is reported on the BEGIN line', () => {
  const { file, lines } = decodeBad('begin-without-end.pem');
  assert.equal(file.items.length, 2);
  const begin = lineOf(lines, '-----BEGIN CERTIFICATE-----', 1);
  assertProblem(file.items[1]!.problem, 'missing-end', begin, 2, 'CERTIFICATE');
  assert.ok(file.problems.some((p) => p.code === 'missing-end'), 'the missing END is a file-level problem too');
  assertGood(file.items[0], 'rsa2048.crt');
});

test('RFC 7468 section 2: BEGIN without END, then a complete block: the next block still decodes', () => {
  const { file, lines } = decodeBad('begin-without-end-then-block.pem');
  assert.equal(file.items.length, 2);
  assertProblem(file.items[0]!.problem, 'missing-end', 0, 1, 'PRIVATE KEY');
  const next = lineOf(lines, '-----BEGIN CERTIFICATE-----');
  assert.match(file.items[0]!.problem!.message, new RegExp(`\\b${next + 1}\\b`), 'names the line of the next BEGIN');
  assert.equal(file.items[1]!.range.startLine, next);
  assertGood(file.items[1], 'ec-p256.crt');
});

test('RFC 7468 section 2: an END label that differs from the BEGIN label is reported on the END line', () => {
  const { file, lines } = decodeBad('mismatched-end.pem');
  assert.equal(file.items.length, 3);
  const end = lineOf(lines, '-----END X509 CRL-----');
  assertProblem(file.items[1]!.problem, 'label-mismatch', end, 2, 'CERTIFICATE');
  assert.match(file.items[1]!.problem!.message, /X509 CRL/);
  assertGood(file.items[0], 'rsa2048.crt');
  assertGood(file.items[2], 'ed25519.crt');
});

test('RFC 7468 section 2: a block with no body is reported on its BEGIN line', () => {
  const { file } = decodeBad('empty-body.pem');
  assert.equal(file.items.length, 2);
  assertProblem(file.items[0]!.problem, 'empty-body', 0, 1, 'CERTIFICATE');
  assertGood(file.items[1], 'ec-p256.crt');
});

test('RFC 7468 section 3: CRLF line ends, indented armour, blank lines and short body lines are accepted', () => {
  const { file, lines } = decodeBad('lax-whitespace.pem');
  assert.deepEqual(file.problems, []);
  assert.equal(file.items.length, 2);
  assert.equal(file.items[1]!.range.startLine, lines.findIndex((l) => l.trim() === '-----BEGIN CERTIFICATE-----' && l.startsWith(' ')));
  assertGood(file.items[0], 'rsa2048.crt');
  assertGood(file.items[1], 'ec-p256.crt');
});

test('RFC 5280 4.1 (DER): trailing bytes after a certificate are reported, the certificate still decodes', () => {
  const bytes = readBad('trailing-bytes.der');
  const certLen = fs.statSync(path.join(FIX, 'rsa2048.crt.der')).size;
  const { file } = decodeBad('trailing-bytes.der');
  assert.equal(file.format, 'der');
  assert.equal(file.items.length, 1);
  const p = file.items[0]!.problem;
  assert.equal(p?.code, 'trailing-bytes');
  assert.equal(p.line, 0);
  assert.match(p.message, new RegExp(`\\b${bytes.length - certLen} trailing byte`), 'says how many bytes trail');
  assert.match(p.message, new RegExp(`\\b${certLen}\\b`), 'says where the structure ends');
  assertGood({ ...file.items[0]!, problem: undefined }, 'rsa2048.crt');
});

test('RFC 5280 4.1 (DER): a DER certificate cut in half is bad-der saying it is truncated', () => {
  const { file } = decodeBad('truncated.der');
  assert.equal(file.format, 'der');
  assert.equal(file.items.length, 1);
  assert.equal(file.items[0]!.problem?.code, 'bad-der');
  assert.equal(file.items[0]!.problem.line, 0);
  assert.match(file.items[0]!.problem.message, /truncated/);
  assert.deepEqual(file.problems, [file.items[0]!.problem]);
});

test('DER problems read as one sentence: the "DER file:" prefix is not doubled', () => {
  for (const name of ['trailing-bytes.der', 'truncated.der']) {
    const { file } = decodeBad(name);
    assert.doesNotMatch(file.items[0]!.problem!.message, /DER file: DER file:/, `${name}: ${file.items[0]!.problem!.message}`);
  }
});

test('every file in bad/ decodes without an exception and every problem has a code, message and line', () => {
  for (const name of fs.readdirSync(BAD)) {
    const { file } = decodeBad(name);
    for (const p of [...file.problems, ...file.items.flatMap((i) => (i.problem ? [i.problem] : []))]) {
      assert.equal(typeof p.code, 'string', name);
      assert.ok(p.message.length > 10, `${name}: ${p.message}`);
      assert.ok(Number.isInteger(p.line) && p.line >= 0, `${name}: line ${p.line}`);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// A 1,000-certificate bundle, generated here from the fixtures (not checked in)

const BUNDLE_SOURCES = ['leaf.crt', 'intermediate-ca.crt', 'root-ca.crt', 'rsa2048.crt', 'rsa4096.crt', 'ec-p384.crt', 'ed25519.crt', 'ed448.crt'];

function bundle(count: number): { text: string; begins: number[]; sources: string[] } {
  const pems = BUNDLE_SOURCES.map((n) => fs.readFileSync(path.join(FIX, n), 'utf8').trimEnd().split('\n'));
  const out: string[] = [];
  const begins: number[] = [];
  const sources: string[] = [];
  for (let i = 0; i < count; i++) {
    const k = i % pems.length;
    if (i % 10 === 0) out.push(`# certificate ${i + 1}`); // comments between blocks are allowed (RFC 7468 section 2)
    begins.push(out.length);
    sources.push(BUNDLE_SOURCES[k]!);
    out.push(...pems[k]!);
  }
  return { text: out.join('\n') + '\n', begins, sources };
}

test('RFC 7468 section 2: a 1,000-certificate bundle decodes every certificate at its line', () => {
  const { text, begins, sources } = bundle(1000);
  let file: DecodedFile | undefined;
  assert.doesNotThrow(() => { file = decodeText(text); });
  assert.equal(file!.items.length, 1000);
  assert.deepEqual(file!.problems, []);
  const fp = new Map(BUNDLE_SOURCES.map((n) => [n, fixtureCert(n).fingerprints.sha256]));
  for (const [k, item] of file!.items.entries()) {
    assert.equal(item.index, k);
    assert.equal(item.range.startLine, begins[k], `item ${k}`);
    assert.equal(certOf(item).fingerprints.sha256, fp.get(sources[k]!), `item ${k}`);
  }
});

test('RFC 7468 section 2: damaged blocks inside a 1,000-certificate bundle do not stop the others', () => {
  const { text, begins } = bundle(1000);
  const lines = text.split('\n');
  // Block 500: wrong label. Block 750: three characters cut from its last body line.
  lines[begins[499]!] = '-----BEGIN CERTIFCATE-----';
  lines[lines.indexOf('-----END CERTIFICATE-----', begins[499]!)] = '-----END CERTIFCATE-----';
  const endOf750 = lines.indexOf('-----END CERTIFICATE-----', begins[749]!);
  lines[endOf750 - 1] = lines[endOf750 - 1]!.slice(0, -3);
  const file = decodeText(lines.join('\n'));
  assert.equal(file.items.length, 1000);
  assert.equal(file.problems.length, 2);
  assertProblem(file.items[499]!.problem, 'unknown-label', begins[499]!, 500, 'CERTIFCATE');
  assertProblem(file.items[749]!.problem, 'truncated-base64', endOf750 - 1, 750, 'CERTIFICATE');
  assert.equal(file.items.filter((i) => i.object?.kind === 'certificate' && !i.problem).length, 998);
});

// ---------------------------------------------------------------------------------------------
// Random damage: decodeBytes never throws (seeded, so a failure reproduces)

/** mulberry32: small, fast, good enough to pick bytes. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MUTATION_FIXTURES = [
  'rsa2048.crt.der', 'ec-p256.key.der', 'ec-p256.sec1.key.der', 'rsa2048.rsa.key.der', 'ec-p256.pbes2.key.der',
  'rsa2048.csr.der', 'intermediate.crl.der', 'chain.p7b.der',
];

type Mutation = { name: string; apply: (b: Uint8Array, r: () => number) => Uint8Array };
const int = (r: () => number, n: number) => Math.floor(r() * n);

const MUTATIONS: Mutation[] = [
  { name: 'flip one byte', apply: (b, r) => { const c = b.slice(); c[int(r, c.length)] ^= 1 + int(r, 255); return c; } },
  { name: 'flip one bit', apply: (b, r) => { const c = b.slice(); c[int(r, c.length)] ^= 1 << int(r, 8); return c; } },
  { name: 'flip several bytes', apply: (b, r) => { const c = b.slice(); for (let k = 0, n = 2 + int(r, 6); k < n; k++) c[int(r, c.length)] ^= 1 + int(r, 255); return c; } },
  { name: 'truncate', apply: (b, r) => b.slice(0, int(r, b.length)) },
  { name: 'drop a byte', apply: (b, r) => { const i = int(r, b.length); return new Uint8Array([...b.subarray(0, i), ...b.subarray(i + 1)]); } },
  { name: 'insert bytes', apply: (b, r) => { const i = int(r, b.length); const ins = Array.from({ length: 1 + int(r, 4) }, () => int(r, 256)); return new Uint8Array([...b.subarray(0, i), ...ins, ...b.subarray(i)]); } },
  { name: 'long-form length', apply: (b, r) => { const c = b.slice(); const i = 1 + int(r, Math.max(1, c.length - 1)); c[i] = [0x80, 0x84, 0x88, 0xff, 0x00][int(r, 5)]!; return c; } },
  { name: 'append bytes', apply: (b, r) => new Uint8Array([...b, ...Array.from({ length: 1 + int(r, 8) }, () => int(r, 256))]) },
];

test('random damage to DER fixtures (~300 seeded cases): decodeBytes never throws', () => {
  const r = prng(0x5eed7115);
  const sources = MUTATION_FIXTURES.map((n) => ({ n, bytes: new Uint8Array(fs.readFileSync(path.join(FIX, n))) }));
  const failures: string[] = [];
  for (let k = 0; k < 320; k++) {
    const src = sources[k % sources.length]!;
    const m = MUTATIONS[int(r, MUTATIONS.length)]!;
    const damaged = m.apply(src.bytes, r);
    try {
      const file = decodeBytes(damaged);
      if (!Array.isArray(file.items) || !Array.isArray(file.problems)) failures.push(`#${k} ${src.n} ${m.name}: malformed result`);
      for (const p of file.problems) if (!Number.isInteger(p.line) || !p.message) failures.push(`#${k} ${src.n} ${m.name}: bad problem ${JSON.stringify(p)}`);
    } catch (e) {
      failures.push(`#${k} ${src.n} ${m.name}: threw ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')}`);
    }
  }
  assert.deepEqual(failures, []);
});

test('random damage to PEM text (~100 seeded cases): decodeText never throws', () => {
  const r = prng(0x7e47);
  const texts = ['chain.pem', 'rsa2048.legacy-enc.key', 'ec-p256.ecparam.pem', 'mismatch-rsa.pem'].map((n) => fs.readFileSync(path.join(FIX, n), 'utf8'));
  const alphabet = 'ABCxyz019+/=- :\r\n-----BEGIN END';
  const failures: string[] = [];
  for (let k = 0; k < 100; k++) {
    let t = texts[k % texts.length]!;
    for (let j = 0, n = 1 + int(r, 5); j < n; j++) {
      const i = int(r, t.length);
      switch (int(r, 4)) {
        case 0: t = t.slice(0, i) + alphabet[int(r, alphabet.length)] + t.slice(i + 1); break;
        case 1: t = t.slice(0, i) + t.slice(i + 1 + int(r, 80)); break;
        case 2: t = t.slice(0, i) + t.slice(int(r, t.length), int(r, t.length)) + t.slice(i); break;
        default: t = t.slice(0, i);
      }
    }
    try {
      decodeText(t);
    } catch (e) {
      failures.push(`#${k}: threw ${(e as Error).message}`);
    }
  }
  assert.deepEqual(failures, []);
});
