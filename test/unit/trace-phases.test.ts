// Phase timings read off a trace (engine/trace/phases.ts), as the session panel's summary shows them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handshakePhases } from '../../engine/trace/phases';
import type { TraceEvent } from '../../engine/trace/events';

const hs = (t: number, side: 'client' | 'server', dir: 'in' | 'out', name: string): TraceEvent =>
  ({ kind: 'handshake', t, side, dir, name, msgType: 0, length: 0, raw: new Uint8Array(0), fields: {} });

test('client side: round trip to the ServerHello, the server flight, our turn; HelloRetryRequest counted apart', () => {
  const events = [
    hs(1, 'client', 'out', 'client_hello'), hs(11, 'client', 'in', 'hello_retry_request'), hs(12, 'client', 'out', 'client_hello'),
    hs(30, 'client', 'in', 'server_hello'), hs(31, 'client', 'in', 'encrypted_extensions'), hs(45, 'client', 'in', 'finished'),
    { kind: 'info', t: 46, side: 'client', message: 'x' } as TraceEvent, hs(52, 'client', 'out', 'finished'),
  ];
  assert.deepEqual(handshakePhases(events).map((p) => [p.label.split(' (')[0], p.ms]), [
    ['HelloRetryRequest round trip', 10], ['ClientHello → ServerHello', 18], ['ServerHello → server Finished', 15], ['server Finished → our Finished', 7],
  ]);
});

test('server side, and traces too short to time: no phase is invented', () => {
  assert.deepEqual(handshakePhases([hs(5, 'server', 'in', 'client_hello'), hs(9, 'server', 'out', 'server_hello'), hs(20, 'server', 'out', 'finished'), hs(33, 'server', 'in', 'finished')]).map((p) => p.ms), [15, 13]);
  assert.deepEqual(handshakePhases([hs(1, 'client', 'out', 'client_hello')]), []);
  assert.deepEqual(handshakePhases([]), []);
});
