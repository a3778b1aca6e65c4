// NNTP with STARTTLS (RFC 4642, RFC 3977): greeting 200/201, CAPABILITIES (101 and a dot-terminated list),
// STARTTLS, 382 "continue with TLS negotiation".
import type { StartTlsProtocol } from './types';
import { dotTerminated, expectCode } from './reply';

export const nntp: StartTlsProtocol = {
  name: 'nntp', title: 'NNTP (STARTTLS)', spec: 'RFC 4642', ports: [119],
  async run({ ch }) {
    await expectCode(ch, 'greeting', [200, 201], 'the server does not offer service');
    ch.send('CAPABILITIES', 'CAPABILITIES\r\n');
    const caps = await expectCode(ch, 'CAPABILITIES', [101, 500, 502], 'CAPABILITIES failed');
    if (caps.code === 101) {
      const list = await ch.receive('CAPABILITIES', dotTerminated());
      if (!list.some((l) => /^STARTTLS\b/i.test(l))) ch.note('CAPABILITIES', '(STARTTLS is not among the capabilities; trying anyway)');
    }
    ch.send('STARTTLS', 'STARTTLS\r\n');
    await expectCode(ch, 'STARTTLS', [382], 'STARTTLS was refused');
  },
};
