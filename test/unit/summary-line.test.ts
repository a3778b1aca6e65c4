// The one-line summaries above PEM blocks (CodeLens) and in the certificate panel's list, in English and in
// Simplified Chinese, read through the extension's t() as vscode.l10n.t would with l10n/bundle.l10n.zh-cn.json.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeBytes } from '../../engine/x509/decode';
import { formatMessage, initL10n } from '../../extension/l10n';
import { oneLine } from '../../extension/summary-line';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const fixture = (f: string) => new Uint8Array(fs.readFileSync(path.join(root, 'test/fixtures/pki', f)));
const bundle = JSON.parse(fs.readFileSync(path.join(root, 'l10n/bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;
const lines = (f: string) => decodeBytes(fixture(f)).items.map(oneLine);
after(() => initL10n('en'));

test('English: a certificate names its subject, role, key and validity; a key its type and format', () => {
  initL10n('en');
  const [cert] = lines('ec-p256.crt');
  assert.match(cert!, /^Certificate .+ · (leaf|self-signed|CA|root CA) · EC P-256 · /);
  assert.match(lines('ec-p256.key')[0]!, /^Private key · EC P-256 · /);
  assert.match(lines('ec-p256.csr')[0]!, /^Certificate request .+ · EC P-256$/);
});

test('zh-cn: the same summaries in Chinese, the technical names (EC P-256, PKCS#8) kept', () => {
  initL10n('zh-cn', (m, ...args) => formatMessage(bundle[m] ?? m, args));
  const [cert] = lines('ec-p256.crt');
  assert.match(cert!, /^证书 .+ · (终端实体|自签名|CA|根 CA) · EC P-256 · /);
  assert.match(cert!, /[\u4e00-\u9fff]+$/, `the validity is in Chinese: ${cert}`);
  assert.match(lines('ec-p256.key')[0]!, /^私钥 · EC P-256 · /);
  assert.match(lines('ec-p256.csr')[0]!, /^证书请求 .+ · EC P-256$/);
});
