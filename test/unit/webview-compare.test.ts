// Compare Sessions' model (webview/views/compare-model.ts): rows that differ are marked, options included, and
// the two handshakes' messages aligned so that an extra HelloRetryRequest round shows as a gap, not a shift.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareSessions } from '../../webview/views/compare-model';
import type { SessionSnapshot, TraceEventJson } from '../../webview/shared/protocol';

const hs = (t: number, dir: 'in' | 'out', name: string, extra: Record<string, unknown> = {}): TraceEventJson =>
  ({ kind: 'handshake', t, side: 'client', dir, name, length: 10, fields: {}, ...extra });

function snap(title: string, opts: { group: string; hrr?: boolean; ok?: boolean }): SessionSnapshot {
  const events: TraceEventJson[] = [hs(1, 'out', 'client_hello')];
  if (opts.hrr) events.push(hs(2, 'in', 'hello_retry_request'), hs(3, 'out', 'client_hello'));
  events.push(hs(4, 'in', 'server_hello'), hs(5, 'in', 'encrypted_extensions'), hs(6, 'in', 'finished'), hs(7, 'out', 'finished'));
  return {
    title,
    target: { mode: 'connect', host: '127.0.0.1', port: 4433, protocol: 'TLS', settings: [{ label: 'Groups', value: opts.group }] },
    summary: { ok: opts.ok ?? true, version: 'TLSv1.3', suite: 'TLS_AES_128_GCM_SHA256', group: opts.group, helloRetry: !!opts.hrr, chain: [], verification: { state: 'not-performed', text: '' }, timings: [], bytesIn: 0, bytesOut: 0 },
    events,
  };
}

test('summary rows: the same values unmarked, differing ones marked, options compared too', () => {
  const c = compareSessions(snap('A', { group: 'X25519' }), snap('B', { group: 'P-256', hrr: true }));
  const row = (label: string) => c.rows.find((r) => r.label === label)!;
  assert.equal(row('Protocol').same, true);
  assert.deepEqual([row('Group').left, row('Group').right, row('Group').same], ['X25519', 'P-256', false]);
  assert.deepEqual([row('HelloRetryRequest').left, row('HelloRetryRequest').right], ['no', 'yes']);
  assert.equal(row('Option: Groups').same, false);
});

test('messages aligned: the HelloRetryRequest round is a gap on one side, the rest lines up', () => {
  const c = compareSessions(snap('A', { group: 'X25519' }), snap('B', { group: 'P-256', hrr: true }));
  const names = c.messages.map((m) => [m.left ? m.left.split(' ')[2] : '', m.right ? m.right.split(' ')[2] : '']);
  assert.deepEqual(names.map(([l, r]) => `${l}|${r}`), [
    'ClientHello|ClientHello', '|HelloRetryRequest', '|ClientHello', 'ServerHello|ServerHello', 'EncryptedExtensions|EncryptedExtensions', 'Finished|Finished', 'Finished|Finished',
  ]);
  assert.ok(c.differences >= 4, `differences counted: ${c.differences}`);
  const same = compareSessions(snap('A', { group: 'X25519' }), snap('B', { group: 'X25519' }));
  assert.equal(same.differences, 0);
  assert.ok(same.messages.every((m) => m.same));
});
