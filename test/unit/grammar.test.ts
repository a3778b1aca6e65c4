// Tokenizes PEM samples with syntaxes/pem.tmLanguage.json through the same TextMate engine
// VS Code uses (vscode-textmate + the oniguruma WebAssembly build), and checks the scopes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import vsctm from 'vscode-textmate';
import oniguruma from 'vscode-oniguruma';

const GRAMMAR_PATH = path.join(process.cwd(), 'syntaxes', 'pem.tmLanguage.json');

async function loadGrammar(): Promise<vsctm.IGrammar> {
  const require = createRequire(import.meta.url);
  const wasmPath = path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm');
  const wasm = fs.readFileSync(wasmPath);
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName: string) =>
      scopeName === 'source.pem' ? vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR_PATH, 'utf8'), GRAMMAR_PATH) : null,
  });
  const grammar = await registry.loadGrammar('source.pem');
  assert.ok(grammar, 'grammar source.pem loads');
  return grammar;
}

const grammarPromise = loadGrammar();

interface Token { text: string; scopes: string[] }

/** Tokenizes a document line by line, carrying the rule stack across lines as VS Code does. */
async function tokenize(text: string): Promise<Token[][]> {
  const grammar = await grammarPromise;
  let stack = vsctm.INITIAL;
  const out: Token[][] = [];
  for (const line of text.split('\n')) {
    const r = grammar.tokenizeLine(line, stack);
    stack = r.ruleStack;
    out.push(r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes })));
  }
  return out;
}

/** The token on `line` whose text is exactly `text` (the n-th one if it repeats). */
function tok(doc: Token[][], line: number, text: string, nth = 0): Token {
  const found = doc[line]!.filter((t) => t.text === text);
  assert.ok(found[nth], `line ${line}: no token ${JSON.stringify(text)}; tokens: ${JSON.stringify(doc[line]!.map((t) => t.text))}`);
  return found[nth]!;
}

function hasScope(t: Token, scope: string): void {
  assert.ok(t.scopes.includes(scope), `${JSON.stringify(t.text)} should have ${scope}; has ${t.scopes.join(' ')}`);
}

function lacksScope(t: Token, scope: string): void {
  assert.ok(!t.scopes.includes(scope), `${JSON.stringify(t.text)} should not have ${scope}; has ${t.scopes.join(' ')}`);
}

/** Every scope used anywhere on a line. */
function lineScopes(doc: Token[][], line: number): Set<string> {
  return new Set(doc[line]!.flatMap((t) => t.scopes));
}

const CERT = [
  '-----BEGIN CERTIFICATE-----',
  'MIIBszCCAVmgAwIBAgIUe+/ZbGx0aHVtYm5haWwxEzARBgNVBAMMCmV4YW1wbGUu',
  'Y29tMB4XDTI0MDEwMTAwMDAwMFoXDTI1MDEwMTAwMDAwMFowFTETMBEGA1UEAwwK',
  'ZXhhbXBsZS5jb20wWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQ=',
  '-----END CERTIFICATE-----',
].join('\n');

test('grammar file is valid JSON with scopeName source.pem', () => {
  const raw = JSON.parse(fs.readFileSync(GRAMMAR_PATH, 'utf8')) as { scopeName: string; patterns: unknown[] };
  assert.equal(raw.scopeName, 'source.pem');
  assert.ok(raw.patterns.length > 0);
});

test('RFC 7468 section 3: certificate block scopes the armour, the label and the base64 body', async () => {
  const doc = await tokenize(CERT);
  // Pre-encapsulation boundary: "-----BEGIN " label "-----".
  hasScope(tok(doc, 0, '-----', 0), 'punctuation.definition.boundary.pem');
  hasScope(tok(doc, 0, 'BEGIN'), 'keyword.control.pem');
  hasScope(tok(doc, 0, 'CERTIFICATE'), 'entity.name.type.pem');
  hasScope(tok(doc, 0, 'CERTIFICATE'), 'meta.boundary.begin.pem');
  hasScope(tok(doc, 0, '-----', 1), 'punctuation.definition.boundary.pem');
  // Body: base64 text, '=' padding at the end of the last line.
  for (const line of [1, 2]) {
    assert.equal(doc[line]!.length, 1, `line ${line} is a single base64 token`);
    hasScope(doc[line]![0]!, 'string.unquoted.base64.pem');
    hasScope(doc[line]![0]!, 'meta.block.pem');
  }
  hasScope(tok(doc, 3, 'ZXhhbXBsZS5jb20wWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQ'), 'string.unquoted.base64.pem');
  hasScope(tok(doc, 3, '='), 'constant.character.padding.pem');
  for (const line of [1, 2, 3]) assert.ok(!lineScopes(doc, line).has('invalid.illegal.pem'), `line ${line} is valid base64`);
  // Post-encapsulation boundary with the same label (RFC 7468 section 2).
  hasScope(tok(doc, 4, 'END'), 'keyword.control.pem');
  hasScope(tok(doc, 4, 'CERTIFICATE'), 'entity.name.type.pem');
  hasScope(tok(doc, 4, 'CERTIFICATE'), 'meta.boundary.end.pem');
  lacksScope(tok(doc, 4, 'CERTIFICATE'), 'invalid.illegal.pem');
});

test('RFC 7468 section 3: multi-word labels and labels with regex metacharacters close their block', async () => {
  const doc = await tokenize([
    '-----BEGIN ENCRYPTED PRIVATE KEY-----',
    'MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI',
    '-----END ENCRYPTED PRIVATE KEY-----',
    '-----BEGIN X509 CRL (v2)+*-----',
    'QUJD',
    '-----END X509 CRL (v2)+*-----',
    'trailing text',
  ].join('\n'));
  hasScope(tok(doc, 0, 'ENCRYPTED PRIVATE KEY'), 'entity.name.type.pem');
  hasScope(tok(doc, 2, 'ENCRYPTED PRIVATE KEY'), 'entity.name.type.pem');
  // The END label is a back-reference to the BEGIN label; it must be matched literally.
  hasScope(tok(doc, 5, 'X509 CRL (v2)+*'), 'entity.name.type.pem');
  lacksScope(tok(doc, 5, 'X509 CRL (v2)+*'), 'invalid.illegal.pem');
  // After the block, we are back at top level.
  const after = tok(doc, 6, 'trailing text');
  hasScope(after, 'comment.line.pem');
  lacksScope(after, 'meta.block.pem');
});

test('RFC 1421 section 4.6: encrypted legacy RSA key with Proc-Type and DEK-Info headers', async () => {
  const doc = await tokenize([
    '-----BEGIN RSA PRIVATE KEY-----',
    'Proc-Type: 4,ENCRYPTED',
    'DEK-Info: AES-256-CBC,3F1E0A7C5B2D4E6F8091A2B3C4D5E6F7',
    '',
    'kWz0n6cTqk0p7Nf8y1bV2h9yXvQ4mC3s5PZ9xq0Rj3Nn5C1cXkQ8hA0e5uB2vLk3',
    'T2ZmV9pQ==',
    '-----END RSA PRIVATE KEY-----',
  ].join('\n'));
  // RFC 1421 section 4.6.1.1 Proc-Type.
  hasScope(tok(doc, 1, 'Proc-Type'), 'support.type.property-name.pem');
  hasScope(tok(doc, 1, 'Proc-Type'), 'meta.headers.pem');
  hasScope(tok(doc, 1, ':'), 'punctuation.separator.key-value.pem');
  hasScope(tok(doc, 1, '4'), 'string.unquoted.pem');
  hasScope(tok(doc, 1, ','), 'punctuation.separator.comma.pem');
  hasScope(tok(doc, 1, 'ENCRYPTED'), 'string.unquoted.pem');
  // RFC 1421 section 4.6.1.3 DEK-Info: algorithm, then the IV in hex.
  hasScope(tok(doc, 2, 'DEK-Info'), 'support.type.property-name.pem');
  hasScope(tok(doc, 2, 'AES-256-CBC'), 'string.unquoted.pem');
  hasScope(tok(doc, 2, '3F1E0A7C5B2D4E6F8091A2B3C4D5E6F7'), 'string.unquoted.pem');
  // After the blank separator line (RFC 1421 section 4.4) comes the base64 body, not headers.
  const body = tok(doc, 4, 'kWz0n6cTqk0p7Nf8y1bV2h9yXvQ4mC3s5PZ9xq0Rj3Nn5C1cXkQ8hA0e5uB2vLk3');
  hasScope(body, 'string.unquoted.base64.pem');
  lacksScope(body, 'meta.headers.pem');
  hasScope(tok(doc, 5, '=='), 'constant.character.padding.pem');
  hasScope(tok(doc, 6, 'RSA PRIVATE KEY'), 'entity.name.type.pem');
  lacksScope(tok(doc, 6, 'RSA PRIVATE KEY'), 'invalid.illegal.pem');
});

test('RFC 1421 section 4.6: folded header fields continue on lines that start with whitespace', async () => {
  const doc = await tokenize([
    '-----BEGIN PRIVACY-ENHANCED MESSAGE-----',
    'Proc-Type: 4,ENCRYPTED',
    'Key-Info: DES-ECB,RSA-MD2,9FD3AAD2F2691B9A,',
    '          B70665BB9BF7CBCDA60195DB94F727D3',
    '',
    'LLrHB0eJzyhP+/fSStdW8okeEnv47jxe7SJ/iN72ohNcUk2jHEUSoH1nvNSIWL9M',
    '-----END PRIVACY-ENHANCED MESSAGE-----',
  ].join('\n'));
  hasScope(tok(doc, 2, 'Key-Info'), 'support.type.property-name.pem');
  const folded = tok(doc, 3, 'B70665BB9BF7CBCDA60195DB94F727D3');
  hasScope(folded, 'string.unquoted.pem');
  hasScope(folded, 'meta.headers.pem');
  hasScope(tok(doc, 5, 'LLrHB0eJzyhP+/fSStdW8okeEnv47jxe7SJ/iN72ohNcUk2jHEUSoH1nvNSIWL9M'), 'string.unquoted.base64.pem');
});

test('RFC 7468 section 2: a header-like line is a header only right after BEGIN', async () => {
  const doc = await tokenize(['-----BEGIN CERTIFICATE-----', 'QUJD', 'Proc-Type: 4,ENCRYPTED', '-----END CERTIFICATE-----'].join('\n'));
  lacksScope(tok(doc, 2, 'Proc'), 'support.type.property-name.pem');
  hasScope(tok(doc, 2, ':'), 'invalid.illegal.pem');
});

test('RFC 7468 section 2: explanatory text between two blocks is outside both', async () => {
  const doc = await tokenize([
    'Bag Attributes',
    '    localKeyID: 01 00 00 00',
    '    friendlyName: server',
    'subject=CN = example.com',
    'issuer=CN = Example CA',
    CERT,
    'Certificate:',
    '    Data:',
    '        Version: 3 (0x2)',
    CERT,
  ].join('\n'));
  // openssl pkcs12 output: "Bag Attributes" and its indented name: value lines.
  hasScope(tok(doc, 0, 'Bag Attributes'), 'entity.name.section.pem');
  hasScope(tok(doc, 1, 'localKeyID'), 'support.type.property-name.pem');
  hasScope(tok(doc, 1, '01 00 00 00'), 'string.unquoted.pem');
  hasScope(tok(doc, 2, 'server'), 'string.unquoted.pem');
  // subject= / issuer= lines as key=value.
  hasScope(tok(doc, 3, 'subject'), 'support.type.property-name.pem');
  hasScope(tok(doc, 3, '='), 'punctuation.separator.key-value.pem');
  hasScope(tok(doc, 3, 'CN = example.com'), 'string.unquoted.pem');
  hasScope(tok(doc, 4, 'issuer'), 'support.type.property-name.pem');
  for (const line of [0, 1, 2, 3, 4]) assert.ok(!lineScopes(doc, line).has('meta.block.pem'), `line ${line} is outside a block`);
  // The first block opens at line 5 and closes at line 9.
  hasScope(tok(doc, 5, 'CERTIFICATE'), 'meta.block.pem');
  hasScope(tok(doc, 9, 'CERTIFICATE'), 'meta.block.pem');
  lacksScope(tok(doc, 9, 'CERTIFICATE'), 'invalid.illegal.pem');
  // The text between the blocks (lines 10-12) is explanatory text, not body.
  for (const [line, text] of [[10, 'Certificate:'], [11, '    Data:'], [12, '        Version: 3 (0x2)']] as const) {
    const t = tok(doc, line, text);
    hasScope(t, 'comment.line.pem');
    lacksScope(t, 'meta.block.pem');
    lacksScope(t, 'invalid.illegal.pem');
  }
  // The second block opens normally.
  hasScope(tok(doc, 13, 'BEGIN'), 'keyword.control.pem');
  hasScope(tok(doc, 14, 'MIIBszCCAVmgAwIBAgIUe+/ZbGx0aHVtYm5haWwxEzARBgNVBAMMCmV4YW1wbGUu'), 'string.unquoted.base64.pem');
  hasScope(tok(doc, 17, 'CERTIFICATE'), 'meta.boundary.end.pem');
});

test('RFC 7468 section 3: a character that is not base64 inside the body is invalid', async () => {
  const doc = await tokenize(['-----BEGIN CERTIFICATE-----', 'MIIBszCC$AVmg*AwIB', 'ab=cd', 'QUJD', '-----END CERTIFICATE-----'].join('\n'));
  hasScope(tok(doc, 1, '$'), 'invalid.illegal.pem');
  hasScope(tok(doc, 1, '*'), 'invalid.illegal.pem');
  hasScope(tok(doc, 1, 'MIIBszCC'), 'string.unquoted.base64.pem');
  hasScope(tok(doc, 1, 'AVmg'), 'string.unquoted.base64.pem');
  // '=' is padding only at the end of the data.
  hasScope(tok(doc, 2, '='), 'invalid.illegal.pem');
  // The error does not break the block: the END still matches.
  hasScope(tok(doc, 3, 'QUJD'), 'string.unquoted.base64.pem');
  hasScope(tok(doc, 4, 'CERTIFICATE'), 'entity.name.type.pem');
});

test('RFC 7468 section 2: an END with a different label is marked invalid and closes the block', async () => {
  const doc = await tokenize([
    '-----BEGIN CERTIFICATE-----',
    'QUJD',
    '-----END PRIVATE KEY-----',
    'after the block',
    '-----END CERTIFICATE-----',
  ].join('\n'));
  assert.equal(doc[2]!.length, 1);
  const bad = tok(doc, 2, '-----END PRIVATE KEY-----');
  hasScope(bad, 'invalid.illegal.pem');
  hasScope(bad, 'meta.boundary.end.pem');
  lacksScope(bad, 'entity.name.type.pem');
  // The block is closed, not silently continued: the next line is top-level text...
  const after = tok(doc, 3, 'after the block');
  hasScope(after, 'comment.line.pem');
  lacksScope(after, 'meta.block.pem');
  // ...and an END with no open block is invalid too.
  hasScope(tok(doc, 4, '-----END CERTIFICATE-----'), 'invalid.illegal.pem');
});

test('RFC 7468 section 2: a BEGIN inside an open block (missing END) is invalid', async () => {
  const doc = await tokenize(['-----BEGIN CERTIFICATE-----', 'QUJD', '-----BEGIN CERTIFICATE-----', 'QUJD', '-----END CERTIFICATE-----'].join('\n'));
  const stray = tok(doc, 2, '-----BEGIN CERTIFICATE-----');
  hasScope(stray, 'invalid.illegal.pem');
  hasScope(stray, 'meta.block.pem');
  hasScope(tok(doc, 4, 'CERTIFICATE'), 'entity.name.type.pem');
});
