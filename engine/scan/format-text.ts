// The scan report as terminal text (`tlslens scan` without --json).
import type { FactStatus, ScanReport } from './types';

const MARK: Record<FactStatus, string> = { yes: 'yes', no: 'no', 'not-tested': 'not tested', 'not-applicable': 'n/a' };

export function formatScanText(r: ScanReport): string {
  const L: string[] = [];
  const t = r.target;
  L.push(`Scan of ${t.host}:${t.port}${t.serverName && t.serverName !== t.host ? ` (SNI ${t.serverName})` : ''}: ${r.probes} probes in ${(r.durationMs / 1000).toFixed(1)} s`, '');
  L.push('Protocol versions:');
  for (const v of r.versions) L.push(`  ${v.name.padEnd(8)} ${MARK[v.status].padEnd(11)} ${v.detail}`);
  L.push('', 'Cipher suites:');
  for (const s of r.suites) {
    const order = s.serverPreference === true ? "server's order" : s.serverPreference === false ? "the server follows the client's order" : 'order not determinable';
    L.push(`  ${s.version} (${s.accepted.length}; ${order}):`);
    for (const a of s.accepted) L.push(`    ${a.openssl.padEnd(32)} ${a.iana}${a.weak ? `   weak: ${a.weak}` : ''}`);
  }
  L.push('', 'Groups:');
  L.push(`  TLS 1.3: ${r.groups.tls13.join(', ') || '(none)'}`);
  L.push(`  ECDHE (TLS 1.2 and older): ${r.groups.ecdhe.join(', ') || '(none)'}`);
  if (r.groups.dheBits !== undefined) L.push(`  DHE prime: ${r.groups.dheBits} bits`);
  if (r.signatureAlgorithms.length) {
    L.push('', 'Signature algorithms the server signs with:');
    for (const s of r.signatureAlgorithms) L.push(`  ${s.version}: ${s.accepted.join(', ') || '(none)'}`);
  }
  for (const c of r.chains) {
    L.push('', `Certificate chain (${c.keyType}, ${c.version}): ${c.verify.ok ? 'verify OK' : `verify error ${c.verify.code} (${c.verify.text}) at depth ${c.verify.errorDepth}`}`);
    c.certificates.forEach((x, i) => {
      L.push(`  ${i} s:${x.subject}`, `    i:${x.issuer}`, `    ${x.keyType}${x.curve ? ` ${x.curve}` : ''} ${x.keyBits} bits, ${x.signatureAlgorithm}, until ${x.notAfter} (${x.validity})`);
    });
  }
  L.push('', `ALPN: ${r.alpn.map((a) => `${a.offered} ${a.selected ? 'selected' : 'not selected'}`).join(', ') || '(not probed)'}`);
  L.push('', 'Features:');
  for (const f of r.features) L.push(`  ${f.name.padEnd(42)} ${MARK[f.status].padEnd(11)} ${f.detail}`);
  L.push('', r.weaknesses.length ? 'Weaknesses:' : 'Weaknesses: none found');
  for (const w of r.weaknesses) L.push(`  [${w.severity}] ${w.title}`, `    ${w.explanation}`);
  L.push('', 'Not tested:');
  for (const n of r.notTested) L.push(`  ${n}`);
  return `${L.join('\n')}\n`;
}
