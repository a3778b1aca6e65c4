// Session reports (engine/export/report.ts) from a real in-memory TLS 1.3 session: the Markdown has the summary,
// chain, verification and decoded trace; the JSON carries the same for tools; peer-controlled text cannot break the
// Markdown; no secret of the key log is in either.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { TlsConnection } from '../../engine/conn/connection';
import { nobleProvider } from '../../engine/crypto/noble';
import { identityFromPem } from '../../engine/tools/identity';
import { toJson, type TraceEvent } from '../../engine/trace/events';
import { loadCert, verifyChain } from '../../engine/x509/verify';
import { KeyLog } from '../../engine/export/capture';
import { buildReport, mdFence, mdText, reportFormatFor, summaryFromNegotiated, traceLines, type ReportEvent, type ReportInput, type ReportSummary } from '../../engine/export/report';
import type { SessionSummary } from '../../webview/shared/protocol';
import { pump as pumpPair } from './pump';

const PKI = (n: string) => fs.readFileSync(path.resolve('test/fixtures/pki', n), 'utf8');
const id = identityFromPem(PKI('ec-p256.crt'), PKI('ec-p256.key'), 'ec-p256.crt');
const provider = nobleProvider();

function session(version = 0x0304) {
  const keyLog = new KeyLog();
  const c = new TlsConnection({ side: 'client', provider, serverName: 'localhost', minVersion: version, maxVersion: version, alpn: ['http/1.1'], onSecret: keyLog.sink() });
  const s = new TlsConnection({ side: 'server', provider, certificateChain: id.chain, signer: id.signer, alpn: ['http/1.1'] });
  const events: TraceEvent[] = [];
  c.onEvent = (e) => events.push(e);
  const pump = () => pumpPair(c, s);
  c.start();
  pump();
  c.write(new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n'));
  pump();
  assert.equal(c.status, 'open', c.error?.message);
  const n = c.negotiated!;
  const [leaf] = n.peerCertificates.map((d) => loadCert(d));
  const verify = verifyChain({ target: leaf!, untrusted: [], trusted: [] }, { purpose: 'sslserver', hostname: 'localhost' });
  const summary = summaryFromNegotiated(n, { bytesIn: 1234, bytesOut: 567, host: 'localhost', verify, storeName: 'no anchors', timings: [{ label: 'TLS handshake', ms: 12 }] });
  const input: ReportInput = {
    title: 'TLS localhost:8443', target: { mode: 'connect', host: 'localhost', port: 8443, protocol: 'TLS', settings: [{ label: 'ALPN', value: 'http/1.1' }] },
    summary, events: events.map((e) => JSON.parse(toJson(e)) as ReportEvent), generatedAt: new Date('2025-01-02T03:04:05Z'), tool: 'TLS Lens test',
  };
  return { input, keyLog, verify };
}

test('report (Markdown): summary, settings, timings, the chain, the verification verdict and the decoded trace', () => {
  const { input, verify } = session();
  const md = buildReport(input, 'markdown');
  for (const h of ['# TLS localhost:8443', '## Summary', '### Settings', '### Timings', '## Certificate chain', '## Verification', '## Trace']) assert.ok(md.includes(`\n${h}\n`) || md.startsWith(`${h}\n`), `has ${h}`);
  assert.match(md, /\| Protocol \| TLSv1\.3 \|/);
  assert.match(md, /\| Cipher suite \| TLS_AES_256_GCM_SHA384 \|/);
  assert.match(md, /\| ALPN \| http\/1\.1 \|/);
  assert.match(md, /\| Bytes received \/ sent \| 1234 \/ 567 \|/);
  assert.match(md, /\| TLS handshake \| 12 ms \|/);
  assert.match(md, /report made 2025-01-02T03:04:05\.000Z by TLS Lens test/);
  const leaf = input.summary!.chain[0]!;
  assert.ok(md.includes(`### 0. ${mdText(leaf.subject.text)}`), 'the leaf by its subject');
  assert.ok(md.includes(leaf.fingerprints.sha256), 'with its SHA-256 fingerprint');
  assert.equal(verify.ok, false);
  assert.ok(md.includes(`**Failed** (X509_V_ERR ${verify.code})`), `the verdict: ${verify.code} ${verify.text}`);
  assert.match(md, /\| Depth \| Certificate \| From \| Verdict \| Findings \|/);
  // The trace: every handshake message, decoded, and the records.
  assert.match(md, /C +0\.\d{3}s >> ClientHello \(\d+ bytes\): SNI localhost/);
  assert.match(md, /C +\d+\.\d{3}s << ServerHello/);
  assert.match(md, /<< Certificate \(\d+ bytes\): 1 certificate\(s\)/);
  assert.match(md, />> record application_data TLSv1\.2 len=\d+ \[application: application_data 18 bytes\]/);
  assert.match(md, /```text\n[\s\S]*\n```\n$/);
});

test('report (JSON): one object for tools with the summary in the panel\'s shape and every event in its JSON form', () => {
  const { input } = session(0x0303);
  const j = JSON.parse(buildReport(input, 'json')) as { kind: string; reportVersion: number; generatedAt: string; title: string; target: unknown; summary: ReportSummary; events: ReportEvent[] };
  assert.equal(j.kind, 'tlslens-report');
  assert.equal(j.reportVersion, 1);
  assert.equal(j.generatedAt, '2025-01-02T03:04:05.000Z');
  assert.deepEqual(j.target, input.target);
  assert.equal(j.summary.version, 'TLSv1.2');
  assert.equal(j.summary.chain.length, 1);
  assert.equal(j.summary.verification.state, 'failed');
  assert.equal(j.events.length, input.events.length);
  const ch = j.events.find((e) => e.kind === 'handshake' && e.name === 'client_hello')!;
  assert.match(String(ch.raw), /^01[0-9a-f]+$/, 'bytes as hex, as connect --json prints them');
});

test('report: no secret from the key log appears in either form', () => {
  for (const v of [0x0304, 0x0303]) {
    const { input, keyLog } = session(v);
    const secrets = keyLog.text().trim().split('\n').map((l) => l.split(' ')[2]!);
    assert.ok(secrets.length >= 1);
    for (const f of ['markdown', 'json'] as const) {
      const r = buildReport(input, f);
      for (const s of secrets) assert.ok(!r.includes(s), `${f}: a secret leaked`);
    }
  }
});

test('report (Markdown): peer-controlled text cannot add HTML, break a table or end the trace block', () => {
  const { input } = session();
  const evil = 'x | y <script>alert(1)</script> [link](http://e) **b**\n# heading';
  const summary: ReportSummary = { ...input.summary!, ok: false, alpn: evil, error: { message: evil, alert: 'handshake_failure', fromPeer: true, causes: [evil] } };
  const events: ReportEvent[] = [...input.events, { kind: 'info', t: 5, side: 'client', message: 'before ```` after' }];
  const md = buildReport({ ...input, summary, events }, 'markdown');
  assert.ok(!md.includes('<script>'), 'no raw HTML');
  assert.ok(!/\n# heading/.test(md), 'no heading injected');
  const alpnRow = md.split('\n').find((l) => l.startsWith('| ALPN |'))!;
  assert.equal(alpnRow.split(/(?<!\\)\|/).length, 4, 'the row keeps its two cells');
  assert.ok(md.includes('`````text\n'), 'the trace fence is longer than any backtick run in it');
  assert.ok(md.includes('before ```` after'));
  assert.equal(mdFence('a ``` b'), '````text\na ``` b\n````');
  assert.equal(mdText('a|b_c*d'), 'a\\|b_c\\*d');
});

test('report: a failed session, a missing summary, JSON-form byte fields, the format from the file name', () => {
  const failed = summaryFromNegotiated(undefined, { bytesIn: 10, bytesOut: 200, error: { message: 'the peer sent a fatal alert', alert: 'protocol_version', fromPeer: true } });
  assert.equal(failed.ok, false);
  const md = buildReport({ title: 'T', target: { mode: 'connect', host: 'h', port: 1, protocol: 'TLS', settings: [] }, summary: failed, events: [] }, 'markdown');
  assert.match(md, /\| Result \| \*\*failed\*\*: the peer sent a fatal alert \|/);
  assert.match(md, /\| Alert \| protocol_version \(sent by the peer\) \|/);
  assert.match(md, /The peer sent no certificate/);
  const none = buildReport({ title: 'T', target: { mode: 'serve', host: '127.0.0.1', port: 4433, protocol: 'TLS', settings: [] }, events: [] }, 'markdown');
  assert.match(none, /Server listening on 127\.0\.0\.1:4433/);
  assert.match(none, /No summary/);
  // A ServerKeyExchange in JSON form: the point is hex, its length in bytes is shown.
  const ske: ReportEvent = { kind: 'handshake', t: 0, side: 'client', dir: 'in', msgType: 12, name: 'server_key_exchange', length: 100, raw: '', fields: { keyExchange: 'ECDHE', namedCurve: 29, point: 'ab'.repeat(32), algorithm: 0x0403 } };
  assert.match(traceLines([ske])[0]!, /ECDHE x25519, public 32 bytes/i);
  assert.equal(reportFormatFor('r.JSON'), 'json');
  assert.equal(reportFormatFor('r.md'), 'markdown');
  assert.equal(reportFormatFor('report'), 'markdown');
  // The panel's summary type is a report summary.
  const fromPanel: ReportSummary = {} as SessionSummary;
  assert.ok(fromPanel);
});
