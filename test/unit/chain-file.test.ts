// Chain files as a server sends them (engine/tools/chain-file.ts): order per RFC 8446 section 4.4.2 and
// RFC 5246 section 7.4.2 (each certificate directly certified by the next), missing links, duplicates, and
// the path a validator builds, mapped back to the file's blocks. Fixtures: test/fixtures/pki (root ->
// intermediate -> leaf, made by openssl).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { analyzeChainFile } from '../../engine/tools/chain-file';
import { scanPem } from '../../engine/pem/blocks';
import { loadCert } from '../../engine/x509/verify/index';

const der = (n: string) => scanPem(fs.readFileSync(path.resolve('test/fixtures/pki', n), 'utf8')).blocks[0]!.der!;
const LEAF = der('leaf.crt');
const INT = der('intermediate-ca.crt');
const ROOT = der('root-ca.crt');
const blocks = (...ders: Uint8Array[]) => ders.map((d, index) => ({ index, der: d }));
const root = [loadCert(ROOT)];

test('leaf, intermediate, root: no finding; the path maps to blocks 0, 1, 2 and verifies against the root', () => {
  const a = analyzeChainFile(blocks(LEAF, INT, ROOT), root);
  assert.deepEqual(a.findings, []);
  assert.deepEqual(a.path.map((l) => l.blockIndex), [0, 1, undefined], 'the anchor is the trusted copy, not the file\'s');
  assert.equal(a.verdict?.ok, true);
});

test('root, intermediate, leaf: reported once as reversed, on the first block', () => {
  const a = analyzeChainFile(blocks(ROOT, INT, LEAF), root);
  assert.deepEqual(a.findings.map((f) => [f.kind, f.blockIndex]), [['reversed', 0]]);
  assert.match(a.findings[0]!.message, /reverse order.*block 3 \(leaf\.example\.com\) first/);
});

test('leaf, root, intermediate: the intermediate is out of place, and nothing belongs after a root', () => {
  const a = analyzeChainFile(blocks(LEAF, ROOT, INT), root);
  assert.deepEqual(a.findings.map((f) => [f.kind, f.blockIndex]), [['out-of-order', 1], ['after-root', 2]]);
  assert.match(a.findings[0]!.message, /move block 3 to just after block 1/);
  assert.equal(a.verdict?.ok, true, 'a validator still builds the path from an unordered bag');
});

test('leaf then root with the intermediate missing: does not link, naming the missing issuer', () => {
  const a = analyzeChainFile(blocks(LEAF, ROOT), root);
  assert.deepEqual(a.findings.map((f) => [f.kind, f.blockIndex]), [['does-not-link', 1]]);
  assert.match(a.findings[0]!.message, /Intermediate CA" is missing/);
  assert.equal(a.verdict?.ok, false);
  assert.equal(a.verdict?.code, 20, 'X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, as openssl verify says');
});

test('a certificate twice is a duplicate; one certificate alone has nothing to order; block indexes are the file\'s', () => {
  const a = analyzeChainFile([{ index: 0, der: LEAF }, { index: 2, der: INT }, { index: 3, der: INT }, { index: 5, der: ROOT }], root);
  assert.deepEqual(a.findings.map((f) => [f.kind, f.blockIndex]), [['duplicate', 3]]);
  assert.deepEqual(analyzeChainFile(blocks(LEAF), root).findings, []);
  assert.deepEqual(analyzeChainFile([{ index: 0, der: new Uint8Array([1, 2, 3]) }], root), { certificates: 0, findings: [], path: [] });
});
