// IMAP with STARTTLS (RFC 9051 section 6.2.1, RFC 3501, RFC 2595): greeting "* OK", CAPABILITY, STARTTLS and its
// tagged OK. A PREAUTH greeting is already past the state where STARTTLS is allowed; BYE is a refusal.
import { linesUntil, shown, type PlainChannel } from '../channel';
import type { StartTlsProtocol } from './types';

/** Untagged lines, then the tagged completion (OK, NO or BAD). */
async function command(ch: PlainChannel, tag: string, step: string): Promise<{ status: string; lines: string[] }> {
  const lines = await ch.receive(step, linesUntil((l) => l.startsWith(`${tag} `), (l) => {
    if (!l.startsWith('* ') && !l.startsWith(`${tag} `) && !l.startsWith('+')) ch.fail(step, 'garbage', `the server sent ${shown(new TextEncoder().encode(l))}, not an IMAP response`);
  }));
  return { status: lines[lines.length - 1]!.slice(tag.length + 1).split(' ')[0]!.toUpperCase(), lines };
}

export const imap: StartTlsProtocol = {
  name: 'imap', title: 'IMAP (STARTTLS)', spec: 'RFC 9051, RFC 2595', ports: [143],
  async run({ ch }) {
    const [greeting] = await ch.receive('greeting', linesUntil(() => true, (l) => {
      if (!l.startsWith('* ')) ch.fail('greeting', 'garbage', `the server sent ${shown(new TextEncoder().encode(l))}, not an IMAP greeting (* OK)`);
    }));
    if (/^\* PREAUTH/i.test(greeting!)) ch.fail('greeting', 'refused', `the server greeted with PREAUTH (already authenticated), where STARTTLS is not allowed (RFC 9051 section 6.2.1): ${greeting}`);
    if (!/^\* OK/i.test(greeting!)) ch.fail('greeting', 'refused', `the server does not offer service: ${greeting}`);
    ch.send('CAPABILITY', 'A1 CAPABILITY\r\n');
    const caps = await command(ch, 'A1', 'CAPABILITY');
    if (!caps.lines.some((l) => /^\* CAPABILITY .*\bSTARTTLS\b/i.test(l))) ch.note('CAPABILITY', '(STARTTLS is not among the capabilities; trying anyway)');
    ch.send('STARTTLS', 'A2 STARTTLS\r\n');
    const r = await command(ch, 'A2', 'STARTTLS');
    if (r.status !== 'OK') ch.fail('STARTTLS', 'refused', `STARTTLS was refused: ${r.lines[r.lines.length - 1]}`);
  },
};
