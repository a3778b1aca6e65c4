// What-if replays' one change (engine/tools/what-if.ts): each kind changes exactly its field of a copy, names are
// checked against the registries (OpenSSL and IANA spellings, as s_client takes them), bad input is a WhatIfError
// naming the field, and the chain changes offered for our server are the ones a hand-made chain file gets wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyWhatIf, chainChanges, describeWhatIf, WhatIfError, type WhatIfConfig } from '../../engine/tools/what-if';

const base: WhatIfConfig = {
  minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', cipherSuites: ['TLS_AES_128_GCM_SHA256'], groups: ['X25519', 'P-256'],
  serverName: 'example.com', alpn: ['h2'], chain: [Uint8Array.of(0), Uint8Array.of(1), Uint8Array.of(2)],
};
const frozen = JSON.stringify({ ...base, chain: base.chain!.map((c) => [...c]) });

test('each change sets its own field and leaves the rest and the input alone', () => {
  const only12 = applyWhatIf(base, { kind: 'versions', min: 'TLSv1.2', max: 'TLSv1.2' });
  assert.deepEqual([only12.minVersion, only12.maxVersion], ['TLSv1.2', 'TLSv1.2']);
  assert.deepEqual(only12.groups, base.groups);
  assert.deepEqual(applyWhatIf(base, { kind: 'groups', list: ['P-384'] }).groups, ['P-384']);
  assert.deepEqual(applyWhatIf(base, { kind: 'cipherSuites', list: ['TLS_CHACHA20_POLY1305_SHA256'] }).cipherSuites, ['TLS_CHACHA20_POLY1305_SHA256']);
  assert.deepEqual(applyWhatIf(base, { kind: 'signatureAlgorithms', list: ['ed25519'] }).signatureAlgorithms, ['ed25519']);
  assert.equal(applyWhatIf(base, { kind: 'serverName', value: null }).serverName, '', 'no SNI (RFC 6066 section 3)');
  assert.equal(applyWhatIf(base, { kind: 'serverName', value: 'www.example.com' }).serverName, 'www.example.com');
  assert.equal(applyWhatIf(base, { kind: 'alpn', list: [] }).alpn, undefined, 'no ALPN (RFC 7301)');
  assert.equal(applyWhatIf(base, { kind: 'clientCertificate', value: '/tmp/client.pem' }).clientCertificate, '/tmp/client.pem');
  assert.equal(applyWhatIf({ ...base, clientCertificate: 'x' }, { kind: 'clientCertificate', value: null }).clientCertificate, undefined);
  assert.equal(JSON.stringify({ ...base, chain: base.chain!.map((c) => [...c]) }), frozen, 'the input is unchanged');
});

test('our server\'s chain: an intermediate dropped, or the chain reordered (RFC 8446 section 4.4.2: the leaf first, each certifying the one before)', () => {
  const dropped = applyWhatIf(base, { kind: 'dropCertificate', index: 1 });
  assert.deepEqual(dropped.chain!.map((c) => c[0]), [0, 2]);
  const reversed = applyWhatIf(base, { kind: 'reorderChain', order: [0, 2, 1] });
  assert.deepEqual(reversed.chain!.map((c) => c[0]), [0, 2, 1]);
  assert.deepEqual(chainChanges(3).map(describeWhatIf), [
    'certificate 1 of the chain left out', 'certificate 2 of the chain left out', 'chain sent in the order 0, 2, 1', 'chain sent in the order 1, 2, 0',
  ]);
  assert.deepEqual(chainChanges(1), []);
});

test('bad input is a WhatIfError naming the field', () => {
  const bad: [Parameters<typeof applyWhatIf>[1], RegExp][] = [
    [{ kind: 'versions', min: 'TLSv1.3', max: 'TLSv1.2' }, /minimum TLSv1\.3 is above the maximum TLSv1\.2/],
    [{ kind: 'versions', min: 'TLSv1.4', max: 'TLSv1.3' }, /"TLSv1\.4" is not a TLS version/],
    [{ kind: 'cipherSuites', list: ['NOPE'] }, /unknown cipher suite "NOPE"/],
    [{ kind: 'groups', list: [] }, /at least one group/],
    [{ kind: 'signatureAlgorithms', list: ['md5'] }, /unknown signature algorithm/],
    [{ kind: 'serverName', value: 'a b' }, /not a host name/],
    [{ kind: 'alpn', list: [''] }, /not an ALPN protocol name/],
    [{ kind: 'dropCertificate', index: 0 }, /not a certificate after the leaf \(1\.\.2\)/],
    [{ kind: 'dropCertificate', index: 3 }, /not a certificate after the leaf/],
    [{ kind: 'reorderChain', order: [0, 0, 1] }, /not an order of the 3 certificates/],
    [{ kind: 'reorderChain', order: [0, 1, 2] }, /already has/],
  ];
  for (const [change, re] of bad) {
    assert.throws(() => applyWhatIf(base, change), (e: unknown) => e instanceof WhatIfError && e.field === change.kind && re.test(e.message), JSON.stringify(change));
  }
  assert.throws(() => applyWhatIf({}, { kind: 'dropCertificate', index: 1 }), /only our own server's chain/);
});
