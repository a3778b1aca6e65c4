// What every STARTTLS protocol module provides, and what it is given.
import type { PlainChannel } from '../channel';

export interface StartTlsContext {
  ch: PlainChannel;
  /** The host dialled (XMPP's default domain). */
  host: string;
  /** s_client -name / -xmpphost: the EHLO/LHLO name, or the XMPP domain (`to`). */
  name?: string;
}

export interface StartTlsProtocol {
  /** As `openssl s_client -starttls` spells it. */
  name: string;
  /** For menus: "SMTP (EHLO, STARTTLS)". */
  title: string;
  /** The specification the exchange follows. */
  spec: string;
  /** Well-known ports where a server speaks it (the guess for a bare host:port). */
  ports: number[];
  /** ALPN the TLS that follows must offer (PostgreSQL's direct TLS). */
  alpn?: string[];
  /** The plaintext exchange; resolves once the server said to start TLS (the next byte is our ClientHello). */
  run(ctx: StartTlsContext): Promise<void>;
}
