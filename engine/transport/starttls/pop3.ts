// POP3 with STLS (RFC 2595 section 4, RFC 1939): greeting +OK, CAPA (a dot-terminated list, RFC 2449), STLS, +OK.
import { linesUntil, shown, type PlainChannel } from '../channel';
import type { StartTlsProtocol } from './types';
import { dotTerminated } from './reply';

async function status(ch: PlainChannel, step: string, what: string): Promise<string> {
  const [line] = await ch.receive(step, linesUntil(() => true, (l) => {
    if (!/^[+-]/.test(l)) ch.fail(step, 'garbage', `the server sent ${shown(new TextEncoder().encode(l))}, not a POP3 status (+OK or -ERR)`);
  }));
  if (!line!.startsWith('+OK')) ch.fail(step, 'refused', `${what}: the server answered ${line}`);
  return line!;
}

export const pop3: StartTlsProtocol = {
  name: 'pop3', title: 'POP3 (STLS)', spec: 'RFC 2595', ports: [110],
  async run({ ch }) {
    await status(ch, 'greeting', 'the server does not offer service');
    ch.send('CAPA', 'CAPA\r\n');
    const [line] = await ch.receive('CAPA', linesUntil(() => true));
    if (line!.startsWith('+OK')) {
      const caps = await ch.receive('CAPA', dotTerminated());
      if (!caps.some((c) => /^STLS\b/i.test(c))) ch.note('CAPA', '(STLS is not among the capabilities; trying anyway)');
    }
    ch.send('STLS', 'STLS\r\n');
    await status(ch, 'STLS', 'STLS was refused');
  },
};
