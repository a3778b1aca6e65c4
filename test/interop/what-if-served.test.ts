// What-if for our own server (extension/sessions/served-pair-runner.ts + engine/tools/what-if.ts): our server on
// 127.0.0.1 serving leaf, intermediate and root, then the same with the intermediate dropped, each judged by our
// client against the chain's own root. The comparison (webview/views/compare-model.ts) highlights the verification
// as the first difference, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY (20) at depth 0, shown on the leaf's link
// (RFC 5280 section 6.1: no path from the leaf to a trust anchor without the intermediate).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyWhatIf, describeWhatIf } from '../../engine/tools/what-if';
import { runServedPair, servedAnchors } from '../../extension/sessions/served-pair-runner';
import { compareSessions } from '../../webview/views/compare-model';
import { identityFromPem } from '../../engine/tools/identity';
import { readPem } from './peers';

test('dropping our server\'s intermediate: the diff\'s first difference is the verification, 20 at depth 0 on the leaf\'s link', { timeout: 30_000 }, async () => {
  const id = identityFromPem(readPem('chain.pem'), readPem('leaf.key'), 'chain.pem');
  assert.equal(id.chain.length, 3);
  const anchors = servedAnchors(id.chain, []);
  assert.equal(anchors.length, 1, 'the chain\'s own root is the anchor');
  const change = { kind: 'dropCertificate', index: 1 } as const;
  const changed = applyWhatIf({ chain: id.chain }, change);
  const common = { signer: id.signer, anchors, storeName: 'the chain\'s root', serverName: 'leaf.example.com' };
  const before = await runServedPair({ ...common, chain: id.chain, title: 'as served', settings: [{ label: 'Chain', value: 'leaf, intermediate, root' }] });
  const after = await runServedPair({ ...common, chain: changed.chain!, title: `what if: ${describeWhatIf(change)}`, settings: [{ label: 'Chain', value: 'leaf, root' }] });
  assert.equal(before.summary?.ok, true);
  assert.equal(before.summary?.verification.code, 0, before.summary?.verification.text);
  assert.equal(after.summary?.verification.code, 20, after.summary?.verification.text);
  const c = compareSessions(before, after);
  assert.ok(c.first, 'a first difference');
  const first = c.rows[c.first.index]!;
  assert.equal(first.label, 'Verification');
  assert.match(first.right, /failed \(X509_V_ERR 20\)/);
  const link = c.rows.find((r) => r.label === 'Path 0')!;
  assert.equal(link.same, false);
  assert.match(link.left, /leaf\.example\.com · ok/);
  assert.match(link.right, /leaf\.example\.com · error: .*UNABLE_TO_GET_ISSUER_CERT_LOCALLY/);
  assert.equal(c.rows.find((r) => r.label === 'Chain length')?.right, '2');
});
