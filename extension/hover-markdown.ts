// The hover's Markdown for a decoded block. Free of `vscode` so benchmarks and tests can call it.
// Private key material never appears: a key is shown by its public half.
import { generalNameText } from '../engine/x509/general-names';
import { opensslTime } from '../engine/x509/validity';
import type { DecodedItem } from '../engine/x509/file';
import type { CertificateInfo, PublicKeyInfo } from '../engine/x509/types';
import { COMMANDS } from './ids';
import type { ChainAnalysis } from '../engine/tools/chain-file';
import { engineSentence, findingAdvice, t } from './l10n';
import { localizeRelative } from '../webview/shared/relative-time';

const esc = (s: string) => s.replace(/([\\`*_{}[\]()#+\-.!|<>])/g, '\\$1');

export function hoverMarkdown(item: DecodedItem, uri: string, chain?: ChainAnalysis): string {
  const out: string[] = [];
  const o = item.object;
  if (o?.kind === 'certificate') out.push(...certificateMd(o.certificate, o.trusted ? t('Trusted certificate') : t('Certificate')));
  else if (o?.kind === 'csr') {
    out.push(`**${t('Certificate request')}**`, '', row(t('Subject'), o.csr.subject.text), row(t('Key'), o.csr.publicKey.description));
    if (o.csr.subjectAltNames.length) out.push(row(t('Names'), o.csr.subjectAltNames.map(generalNameText).join(', ')));
    out.push(row(t('Signature'), o.csr.signatureAlgorithm));
  } else if (o?.kind === 'crl') {
    out.push(`**${t('Certificate revocation list')}**`, '', row(t('Issuer'), o.crl.issuer.text), row(t('This update'), opensslTime(o.crl.thisUpdate)),
      row(t('Next update'), o.crl.nextUpdate ? opensslTime(o.crl.nextUpdate) : t('none')), row(t('Revoked'), String(o.crl.revoked.length)));
  } else if (o?.kind === 'public-key') out.push(`**${t('Public key')}**`, '', ...keyMd(o.publicKey));
  else if (o?.kind === 'private-key') {
    const k = o.privateKey;
    out.push(`**${t('Private key')}** ${t('(its secret part is never shown)')}`, '', row(t('Format'), k.format));
    if (k.encryption) out.push(row(t('Encryption'), `${k.encryption.scheme}, ${k.encryption.kdf}, ${k.encryption.cipher}`));
    if (k.locked) out.push(row(t('Locked'), t('encrypted: run *Check Key* to enter the passphrase'), false));
    if (k.publicKey) out.push(...keyMd(k.publicKey));
  } else if (o?.kind === 'pkcs7') {
    out.push(`**${t('PKCS#7 bundle')}**: ${t('{0} certificate(s)', o.certificates.length)}`, '');
    for (const c of o.certificates) out.push(`- ${esc(c.subject.text)} (${localizeRelative(c.validity.relative, t)})`);
  } else if (o?.kind === 'parameters') out.push(`**${esc(o.description)}**`);
  else out.push(`**${esc(item.label)}**`);
  if (item.problem) out.push('', `$(error) ${esc(engineSentence(item.problem.message))}`);
  if (chain && o?.kind === 'certificate') out.push('', ...chainMd(chain, item.index));
  const args = encodeURIComponent(JSON.stringify([uri, item.index]));
  out.push('', `[${t('Full decode')}](command:${COMMANDS.showDecoded}?${args} "${t('Open the whole decode of this block').replace(/"/g, '')}")`);
  return out.join('\n');
}

/** The path built from this file's certificates, this block marked, with the verdict and the order findings. */
function chainMd(chain: ChainAnalysis, index: number): string[] {
  const v = chain.verdict;
  const out = [`**${t('Chain in this file')}** ${t('({0} certificates): the path a validator builds from the first one', chain.certificates)}`, ''];
  chain.path.forEach((l, depth) => {
    const where = l.blockIndex !== undefined ? t('block {0}', l.blockIndex + 1) : t('trust store');
    const mark = l.verdict === 'ok' ? '$(pass)' : l.verdict === 'warning' ? '$(warning)' : '$(error)';
    const here = l.blockIndex === index ? ` ← ${t('this block')}` : '';
    out.push(`${depth}. ${mark} ${esc(l.subject)} (${where})${here}`);
  });
  if (v) out.push('', v.ok ? `$(pass) ${t('Verifies (X509_V_OK)')}` : `$(error) ${esc(t('{0} (X509_V_ERR {1}, depth {2})', v.text, v.code, v.errorDepth))}${v.errors[0] ? `${t(': ')}${esc(findingAdvice(v.errors[0]))}` : ''}`);
  const mine = chain.findings.filter((f) => f.blockIndex === index);
  for (const f of mine) out.push('', `$(warning) ${esc(engineSentence(f.message))}`);
  return out;
}

/** `**Label:** value` (the colon as the language writes it: `：` in Chinese). */
function row(k: string, v: string, escape = true): string {
  return `**${k}${t(': ').trimEnd()}** ${escape ? esc(v) : v}  `;
}

function certificateMd(c: CertificateInfo, title: string): string[] {
  const state = c.validity.state === 'expired' ? ` **${t('EXPIRED')}**` : c.validity.state === 'not-yet-valid' ? ` **${t('NOT YET VALID')}**` : '';
  const out = [
    `**${title}**${state}`, '',
    row(t('Subject'), c.subject.text),
    row(t('Issuer'), c.issuer.text + (c.selfIssued ? t(' (self-issued)') : '')),
    row(t('Not Before'), opensslTime(c.validity.notBefore)),
    row(t('Not After'), `${opensslTime(c.validity.notAfter)} (${localizeRelative(c.validity.relative, t)})`),
  ];
  if (c.subjectAltNames.length) out.push(row(t('Names'), c.subjectAltNames.map(generalNameText).join(', ')));
  out.push(...keyMd(c.publicKey), row(t('Signature'), c.signatureAlgorithm), row(t('Serial'), c.serialHex));
  if (c.isCA) out.push(row('CA', t('yes')));
  out.push(row('SHA-256', c.fingerprints.sha256), row('SHA-1', c.fingerprints.sha1));
  return out;
}

function keyMd(k: PublicKeyInfo): string[] {
  return [row(t('Key'), k.description), row(t('SPKI SHA-256 pin'), k.pin)];
}
