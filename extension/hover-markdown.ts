// The hover's Markdown for a decoded block. Free of `vscode` so benchmarks and tests can call it.
// Private key material never appears: a key is shown by its public half.
import { generalNameText } from '../engine/x509/general-names';
import { opensslTime } from '../engine/x509/validity';
import type { DecodedItem } from '../engine/x509/file';
import type { CertificateInfo, PublicKeyInfo } from '../engine/x509/types';
import { COMMANDS } from './ids';
import type { ChainAnalysis } from '../engine/tools/chain-file';

const esc = (s: string) => s.replace(/([\\`*_{}[\]()#+\-.!|<>])/g, '\\$1');

export function hoverMarkdown(item: DecodedItem, uri: string, chain?: ChainAnalysis): string {
  const out: string[] = [];
  const o = item.object;
  if (o?.kind === 'certificate') out.push(...certificateMd(o.certificate, o.trusted ? 'Trusted certificate' : 'Certificate'));
  else if (o?.kind === 'csr') {
    out.push('**Certificate request**', '', row('Subject', o.csr.subject.text), row('Key', o.csr.publicKey.description));
    if (o.csr.subjectAltNames.length) out.push(row('Names', o.csr.subjectAltNames.map(generalNameText).join(', ')));
    out.push(row('Signature', o.csr.signatureAlgorithm));
  } else if (o?.kind === 'crl') {
    out.push('**Certificate revocation list**', '', row('Issuer', o.crl.issuer.text), row('This update', opensslTime(o.crl.thisUpdate)),
      row('Next update', o.crl.nextUpdate ? opensslTime(o.crl.nextUpdate) : 'none'), row('Revoked', String(o.crl.revoked.length)));
  } else if (o?.kind === 'public-key') out.push('**Public key**', '', ...keyMd(o.publicKey));
  else if (o?.kind === 'private-key') {
    const k = o.privateKey;
    out.push('**Private key** (its secret part is never shown)', '', row('Format', k.format));
    if (k.encryption) out.push(row('Encryption', `${k.encryption.scheme}, ${k.encryption.kdf}, ${k.encryption.cipher}`));
    if (k.locked) out.push(row('Locked', 'encrypted: run *Check Key* to enter the passphrase'));
    if (k.publicKey) out.push(...keyMd(k.publicKey));
  } else if (o?.kind === 'pkcs7') {
    out.push(`**PKCS#7 bundle**: ${o.certificates.length} certificate(s)`, '');
    for (const c of o.certificates) out.push(`- ${esc(c.subject.text)} (${c.validity.relative})`);
  } else if (o?.kind === 'parameters') out.push(`**${esc(o.description)}**`);
  else out.push(`**${esc(item.label)}**`);
  if (item.problem) out.push('', `$(error) ${esc(item.problem.message)}`);
  if (chain && o?.kind === 'certificate') out.push('', ...chainMd(chain, item.index));
  const args = encodeURIComponent(JSON.stringify([uri, item.index]));
  out.push('', `[Full decode](command:${COMMANDS.showDecoded}?${args} "Open the whole decode of this block")`);
  return out.join('\n');
}

/** The path built from this file's certificates, this block marked, with the verdict and the order findings. */
function chainMd(chain: ChainAnalysis, index: number): string[] {
  const v = chain.verdict;
  const out = [`**Chain in this file** (${chain.certificates} certificates): the path a validator builds from the first one`, ''];
  chain.path.forEach((l, depth) => {
    const where = l.blockIndex !== undefined ? `block ${l.blockIndex + 1}` : 'trust store';
    const mark = l.verdict === 'ok' ? '$(pass)' : l.verdict === 'warning' ? '$(warning)' : '$(error)';
    const here = l.blockIndex === index ? ' ← this block' : '';
    out.push(`${depth}. ${mark} ${esc(l.subject)} (${where})${here}`);
  });
  if (v) out.push('', v.ok ? `$(pass) Verifies (X509_V_OK)` : `$(error) ${esc(v.text)} (X509_V_ERR ${v.code}, depth ${v.errorDepth})${v.errors[0] ? `: ${esc(v.errors[0].fix)}` : ''}`);
  const mine = chain.findings.filter((f) => f.blockIndex === index);
  for (const f of mine) out.push('', `$(warning) ${esc(f.message)}`);
  return out;
}

function row(k: string, v: string): string {
  return `**${k}:** ${esc(v)}  `;
}

function certificateMd(c: CertificateInfo, title: string): string[] {
  const state = c.validity.state === 'expired' ? ' **EXPIRED**' : c.validity.state === 'not-yet-valid' ? ' **NOT YET VALID**' : '';
  const out = [
    `**${title}**${state}`, '',
    row('Subject', c.subject.text),
    row('Issuer', c.issuer.text + (c.selfIssued ? ' (self-issued)' : '')),
    row('Not Before', opensslTime(c.validity.notBefore)),
    row('Not After', `${opensslTime(c.validity.notAfter)} (${c.validity.relative})`),
  ];
  if (c.subjectAltNames.length) out.push(row('Names', c.subjectAltNames.map(generalNameText).join(', ')));
  out.push(...keyMd(c.publicKey), row('Signature', c.signatureAlgorithm), row('Serial', c.serialHex));
  if (c.isCA) out.push(row('CA', 'yes'));
  out.push(row('SHA-256', c.fingerprints.sha256), row('SHA-1', c.fingerprints.sha1));
  return out;
}

function keyMd(k: PublicKeyInfo): string[] {
  return [row('Key', k.description), row('SPKI SHA-256 pin', k.pin)];
}
