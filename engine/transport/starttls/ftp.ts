// FTP with AUTH TLS (RFC 4217 section 4): greeting 220 (possibly after 120 "ready in n minutes"), AUTH TLS,
// 234 "proceed with negotiation".
import type { StartTlsProtocol } from './types';
import { expectCode } from './reply';

export const ftp: StartTlsProtocol = {
  name: 'ftp', title: 'FTP (AUTH TLS)', spec: 'RFC 4217', ports: [21],
  async run({ ch }) {
    let g = await expectCode(ch, 'greeting', [120, 220], 'the server does not accept connections now');
    if (g.code === 120) g = await expectCode(ch, 'greeting', [220], 'the server does not accept connections now');
    ch.send('AUTH TLS', 'AUTH TLS\r\n');
    await expectCode(ch, 'AUTH TLS', [234], 'AUTH TLS was refused');
  },
};
