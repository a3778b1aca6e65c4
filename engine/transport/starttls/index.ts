// The STARTTLS protocols by the names `openssl s_client -starttls` takes, and the guess from a well-known port.
import type { StartTlsProtocol } from './types';
import { smtp, lmtp } from './smtp';
import { imap } from './imap';
import { pop3 } from './pop3';
import { ftp } from './ftp';
import { xmppClient, xmppServer } from './xmpp';
import { ldap } from './ldap';
import { postgres, postgresDirect } from './postgres';
import { mysql } from './mysql';
import { nntp } from './nntp';
import { sieve } from './sieve';
import { irc } from './irc';

export type { StartTlsProtocol, StartTlsContext } from './types';

/** In s_client's order; `postgres-direct` is ours (PostgreSQL 17's direct TLS has no s_client name). */
export const STARTTLS_PROTOCOLS: readonly StartTlsProtocol[] = [smtp, pop3, imap, ftp, xmppClient, xmppServer, irc, postgres, mysql, lmtp, nntp, sieve, ldap, postgresDirect];

export const STARTTLS_NAMES = STARTTLS_PROTOCOLS.map((p) => p.name);

export function startTlsProtocol(name: string): StartTlsProtocol | undefined {
  return STARTTLS_PROTOCOLS.find((p) => p.name === name.toLowerCase());
}

/** The protocol a server on this port most likely upgrades with (25 and 587 SMTP, 143 IMAP...), if any. */
export function guessStartTls(port: number): StartTlsProtocol | undefined {
  return STARTTLS_PROTOCOLS.find((p) => p.ports.includes(port));
}
