// The short fuzz pass of `npm test` (issue 10): every target of test/fuzz/ replays its regressions (each crash
// ever found, test/fuzz/regressions/<target>/) and then runs ~2.5 s of fixed-seed cases, which must all end in
// success or one of the target's typed errors, each within its deadline, with the heap back near where it
// started once the run is over. `npm run fuzz` runs the same targets for longer (test/fuzz/run.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { regressionsOf, seedsOf } from '../fuzz/corpus';
import { MAX_MEMORY_GROWTH, runOne, runTarget, signatureOf } from '../fuzz/harness';
import { TARGETS } from '../fuzz/targets/index';
import { flightsOf, record, DTLS_SCENARIOS, TLS_SCENARIOS } from '../fuzz/transcripts';

const SEED = 0x5eed_0010;
const SECONDS = 2.5;

describe('fuzz: the recorded conversations replay byte for byte', () => {
  for (const sc of [...TLS_SCENARIOS, ...DTLS_SCENARIOS]) {
    test(sc.name, () => {
      const hex = () => flightsOf(record(sc)).map((f) => f.pieces.map((p) => Buffer.from(p).toString('hex')).join(''));
      const [a, b] = [hex(), hex()];
      // RSA key exchange: the client's PKCS#1 encryption pads with node's own randomness, so its flights after
      // the ClientKeyExchange differ run to run (the server's side still replays exactly).
      const n = sc.name === 'tls12-rsa-kx' ? 2 : a.length;
      assert.deepEqual(a.slice(0, n), b.slice(0, n));
    });
  }
});

for (const target of TARGETS) {
  describe(`fuzz target ${target.name}`, () => {
    test('regressions: every crash found so far stays fixed', () => {
      for (const r of regressionsOf(target)) {
        const out = runOne(target, r.bytes);
        assert.ok(out.kind === 'ok' || out.kind === 'rejected', `${target.name}/${r.name}: ${signatureOf(out)}\n${out.kind === 'crash' ? (out.error as Error)?.stack : ''}`);
      }
    });

    test(`${SECONDS} s of seeded cases: typed errors only, within the deadline, bounded memory`, { timeout: 120_000 }, () => {
      const seeds = seedsOf(target).map((s) => s.bytes);
      const report = runTarget(target, seeds, { seed: SEED, seconds: SECONDS });
      const findings = report.findings.map((f) => `${f.kind} x${f.count} (case ${f.caseIndex}): ${f.signature}\n${f.stack ?? f.message}`);
      assert.deepEqual(findings, [], `${target.name}: ${report.cases} cases; reproduce with: node out/test/fuzz/run.mjs --target ${target.name} --seed ${SEED} --case N`);
      assert.ok(report.cases >= Math.min(seeds.length, 20), `${target.name} ran only ${report.cases} cases`);
      assert.ok(report.memoryGrowth < MAX_MEMORY_GROWTH, `${target.name}: the heap grew by ${report.memoryGrowth} bytes over the run`);
    });
  });
}
