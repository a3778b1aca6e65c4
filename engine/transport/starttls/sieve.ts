// ManageSieve with STARTTLS (RFC 5804 sections 1.7 and 2.2): the greeting is the capability list ending in OK;
// STARTTLS; OK. Lines are quoted strings; NO and BYE are refusals.
import { linesUntil, shown, type PlainChannel } from '../channel';
import type { StartTlsProtocol } from './types';

function response(ch: PlainChannel, step: string) {
  return ch.receive(step, linesUntil((l) => /^(OK|NO|BYE)\b/i.test(l), (l) => {
    if (!/^("|\{|OK\b|NO\b|BYE\b)/i.test(l)) ch.fail(step, 'garbage', `the server sent ${shown(new TextEncoder().encode(l))}, not a ManageSieve response`);
  }));
}

export const sieve: StartTlsProtocol = {
  name: 'sieve', title: 'ManageSieve (STARTTLS)', spec: 'RFC 5804', ports: [4190],
  async run({ ch }) {
    const caps = await response(ch, 'greeting');
    if (!/^OK\b/i.test(caps[caps.length - 1]!)) ch.fail('greeting', 'refused', `the server does not offer service: ${caps[caps.length - 1]}`);
    if (!caps.some((l) => /^"STARTTLS"/i.test(l))) ch.note('greeting', '(STARTTLS is not among the capabilities; trying anyway)');
    ch.send('STARTTLS', 'STARTTLS\r\n');
    const r = await response(ch, 'STARTTLS');
    if (!/^OK\b/i.test(r[r.length - 1]!)) ch.fail('STARTTLS', 'refused', `STARTTLS was refused: ${r[r.length - 1]}`);
  },
};
