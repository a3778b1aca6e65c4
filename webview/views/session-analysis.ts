// The session panel's analysis sections: what a server's CertificateRequest asked for and whether our client
// certificate fits it (Connect to Host), and what a client offered, its JA4 and why it was refused (Serve TLS Here).
// The lines are the engine's (engine/tools/client-cert-request.ts, client-offer.ts), as the CLI prints them; they
// are peer data, so they go in as text only.
import type { SessionSummary } from '../shared/protocol';
import { t, ts } from '../shared/l10n';
import { el } from './dom';

const block = (lines: string[]) => el('pre', { class: 'mono analysis' }, lines.join('\n'));

export function analysisSections(s: SessionSummary): Node[] {
  const out: Node[] = [];
  const cr = s.certificateRequest;
  if (cr) {
    out.push(el('h2', {}, t('Client certificate requested')));
    if (cr.fits !== undefined) out.push(el('span', { class: `badge verif-${cr.fits ? 'ok' : 'failed'}` }, cr.fits ? t('our certificate fits') : t('our certificate does not fit')));
    else out.push(el('span', { class: 'badge verif-not-performed' }, t('no client certificate configured')));
    out.push(block(cr.lines));
    if (cr.reasons?.length) out.push(block(cr.reasons));
  }
  const offer = s.clientOffer;
  if (offer) {
    out.push(el('h2', {}, t('Client offer')), el('p', { class: 'verif-text' }, 'JA4 ', el('span', { class: 'mono' }, offer.ja4)));
    if (offer.refusal) out.push(el('p', { class: 'problem' }, t('Refused: {0}', ts(offer.refusal))));
    out.push(block(offer.lines));
  }
  return out;
}
