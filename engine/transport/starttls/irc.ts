// IRC with STARTTLS (the IRCv3 tls extension: STARTTLS, numeric 670 RPL_STARTTLS to go ahead, 691
// ERR_STARTTLS on failure). Other lines before the answer (NOTICE AUTH...) are read past, as s_client does.
import { linesUntil, shown } from '../channel';
import type { StartTlsProtocol } from './types';

export const irc: StartTlsProtocol = {
  name: 'irc', title: 'IRC (STARTTLS, IRCv3)', spec: 'IRCv3 tls extension', ports: [6667],
  async run({ ch }) {
    ch.send('STARTTLS', 'STARTTLS\r\n');
    // A numeric reply is ":server NNN target ..."; 670 goes ahead; 691, 421 (unknown command), 451 (not registered) refuse.
    const numeric = (l: string) => /^(?::\S+ )?(\d{3}) /.exec(l)?.[1];
    const lines = await ch.receive('STARTTLS', linesUntil((l) => ['670', '691', '421', '451'].includes(numeric(l) ?? '') || /^ERROR\b/.test(l), (l) => {
      if (!/^(:\S+ )?[A-Za-z0-9]+( |$)/.test(l)) ch.fail('STARTTLS', 'garbage', `the server sent ${shown(new TextEncoder().encode(l))}, not an IRC message`);
    }));
    const last = lines[lines.length - 1]!;
    if (numeric(last) !== '670') ch.fail('STARTTLS', 'refused', `STARTTLS was refused: ${last}`);
  },
};
