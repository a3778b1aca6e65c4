// The trace: the one vocabulary that the CLI printer, the session panel and the exports read.
// Every event is plain data with a documented JSON form (bytes as hex strings in JSON, see toJson).
// Secrets never appear in events: key material goes only to an explicit key log sink.

import { toHex } from '../util/hex';
import type { FieldSpan } from '../msgs/reader';

export type Side = 'client' | 'server';
export type Direction = 'in' | 'out';

interface Base {
  /** Milliseconds since the connection was created. */
  t: number;
  /** Which endpoint emitted the event (both appear when client and server run in one process). */
  side: Side;
}

export type TraceEvent =
  | (Base & { kind: 'record'; dir: Direction; contentType: number; contentTypeName: string; version: number; length: number; raw: Uint8Array;
      /** For protected records: the inner type and plaintext length once opened. */
      inner?: { contentType: number; contentTypeName: string; length: number; padding: number }; epoch: 'plaintext' | 'early' | 'handshake' | 'application'; seq?: string })
  | (Base & { kind: 'handshake'; dir: Direction; msgType: number; name: string; length: number; raw: Uint8Array; fields: unknown;
      /** Where each decoded field lies in `raw` (offsets from the 4-byte header's first byte), for hex views. */
      spans?: FieldSpan[] })
  | (Base & { kind: 'alert'; dir: Direction; level: 'warning' | 'fatal'; code: number; name: string; description: string })
  | (Base & { kind: 'state'; from: string; to: string })
  | (Base & { kind: 'keys'; dir: 'read' | 'write'; epoch: 'early' | 'handshake' | 'application'; generation: number; suite: string })
  | (Base & { kind: 'negotiated'; version: string; suite: string; group?: string; signatureScheme?: string; alpn?: string; resumed: boolean; earlyData?: 'accepted' | 'rejected' | 'not offered'; helloRetry: boolean;
      /** The crypto provider that served the session ('noble' or 'node'). */
      provider?: string })
  | (Base & { kind: 'app-data'; dir: Direction; length: number;
      /** 0-RTT early data (RFC 8446 section 2.3): sent before the handshake completed, and replayable (section 8). */
      early?: true;
      /** Server: 0.5-RTT data, sent after our Finished but before the client's (RFC 8446 section 2.3): the client is not yet authenticated. */
      halfRtt?: true })
  | (Base & { kind: 'api'; call: string; ret: number | string; error?: { code: number; name: string; meaning: string }; queue?: string[] })
  | (Base & { kind: 'error'; alert?: string; message: string; place?: { message?: string; field?: string; offset?: number } })
  | (Base & { kind: 'info'; message: string })
  /**
   * Encrypted Client Hello (RFC 9849): offered (client, with the ClientHelloInner it encrypted), grease, accepted
   * (client: the confirmation matched; server: it decrypted the ClientHelloInner, given here), rejected, and the
   * server's retry_configs (client). `inner` is decoded as a handshake event is (fields, spans over `raw`).
   */
  | (Base & { kind: 'ech'; status: 'offered' | 'grease' | 'accepted' | 'rejected' | 'retry_configs'; message: string; publicName?: string; configId?: number; hpkeSuite?: string;
      inner?: { raw: Uint8Array; fields: unknown; spans?: FieldSpan[] };
      retryConfigs?: { raw: Uint8Array; base64: string; configs: { version: number; configId?: number; publicName?: string; kem?: string; cipherSuites?: string[]; maximumNameLength?: number }[] } })
  /**
   * Before TLS (engine/transport): one step of a proxy's or a STARTTLS protocol's plaintext exchange, as sent or
   * received. `t` counts from the TCP connect. `text` is the lines as sent (binary protocols: decoded); a step that
   * carries a credential has it replaced by asterisks in both `text` and `raw` (`redacted`).
   */
  | (Base & { kind: 'preamble'; layer: 'proxy' | 'starttls'; protocol: string; step: string; dir: Direction; text: string; raw: Uint8Array; redacted?: true });

export type TraceKind = TraceEvent['kind'];

/** JSON form: Uint8Array fields become lower-case hex strings; bigint become decimal strings. */
export function toJson(e: TraceEvent): string {
  return JSON.stringify(e, (_k, v) => (v instanceof Uint8Array ? toHex(v) : typeof v === 'bigint' ? v.toString() : v));
}
