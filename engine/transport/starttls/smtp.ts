// SMTP (RFC 5321) with STARTTLS (RFC 3207), and LMTP (RFC 2033), whose only difference here is LHLO for EHLO:
// greeting 220, EHLO/LHLO listing the extensions, STARTTLS, 220 "ready to start TLS".
import type { StartTlsContext, StartTlsProtocol } from './types';
import { expectCode } from './reply';

/** s_client's default EHLO/LHLO name when -name is not given. */
export const DEFAULT_HELO_NAME = 'mail.example.com';

function smtpLike(hello: 'EHLO' | 'LHLO') {
  return async ({ ch, name }: StartTlsContext): Promise<void> => {
    await expectCode(ch, 'greeting', [220], 'the server does not accept mail now');
    ch.send(hello, `${hello} ${name ?? DEFAULT_HELO_NAME}\r\n`);
    const ext = await expectCode(ch, hello, [250], `${hello} was refused`);
    // As s_client: a server that does not list STARTTLS is asked anyway; its refusal says more than our guess.
    if (!ext.lines.some((l) => /^250[ -]STARTTLS\b/i.test(l))) ch.note(hello, `(STARTTLS is not among the extensions listed; trying anyway)`);
    ch.send('STARTTLS', 'STARTTLS\r\n');
    await expectCode(ch, 'STARTTLS', [220], 'STARTTLS was refused');
  };
}

export const smtp: StartTlsProtocol = { name: 'smtp', title: 'SMTP (EHLO, STARTTLS)', spec: 'RFC 3207', ports: [25, 587], run: smtpLike('EHLO') };
export const lmtp: StartTlsProtocol = { name: 'lmtp', title: 'LMTP (LHLO, STARTTLS)', spec: 'RFC 2033, RFC 3207', ports: [24], run: smtpLike('LHLO') };
