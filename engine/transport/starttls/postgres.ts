// PostgreSQL: SSLRequest (protocol section 53.2.10 "SSL Session Encryption"): an 8-byte packet, length 8 and the
// code 80877103; the server answers one byte, 'S' to go on with TLS or 'N' to refuse. A server older than 7.x
// answers with an ErrorResponse ('E'). PostgreSQL 17 also takes TLS from the first byte with ALPN "postgresql"
// (sslnegotiation=direct): `postgres-direct`, with no plaintext exchange.
import { Reader } from '../../msgs/reader';
import { shown } from '../channel';
import type { StartTlsProtocol } from './types';

export const SSL_REQUEST_CODE = 80877103;

export function encodeSslRequest(): Uint8Array {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setUint32(0, 8);
  v.setUint32(4, SSL_REQUEST_CODE);
  return b;
}

/** The message of an ErrorResponse body (fields: a type byte and a NUL-terminated string each; 'M' is the message). */
export function errorResponseMessage(body: Uint8Array): string {
  const fields: Record<string, string> = {};
  let i = 0;
  while (i < body.length && body[i] !== 0) {
    const type = String.fromCharCode(body[i]!);
    const end = body.indexOf(0, i + 1);
    if (end < 0) break;
    fields[type] = new TextDecoder().decode(body.subarray(i + 1, end));
    i = end + 1;
  }
  return [fields.S, fields.C ? `(${fields.C})` : '', fields.M].filter(Boolean).join(' ') || shown(body);
}

export const postgres: StartTlsProtocol = {
  name: 'postgres', title: 'PostgreSQL (SSLRequest)', spec: 'PostgreSQL protocol 53.2.10', ports: [5432],
  async run({ ch }) {
    ch.send('SSLRequest', encodeSslRequest(), `SSLRequest (length 8, code ${SSL_REQUEST_CODE})`);
    const answer = await ch.receive('SSLRequest', (b) => {
      if (b[0] === 0x53) return { length: 1, text: "'S': go on with TLS", value: 'S' };
      if (b[0] === 0x4e) return { length: 1, text: "'N': the server will not use TLS", value: 'N' };
      if (b[0] === 0x45) {
        // An ErrorResponse: 'E', Int32 length (itself included), fields.
        if (b.length < 5) return undefined;
        const r = new Reader(b, 'ErrorResponse', 1);
        const len = r.u32('length');
        if (len < 4 || len > 8192) ch.fail('SSLRequest', 'garbage', `an ErrorResponse of length ${len}: ${shown(b)}`);
        if (b.length < 1 + len) return undefined;
        return { length: 1 + len, text: `ErrorResponse: ${errorResponseMessage(b.subarray(5, 1 + len))}`, value: 'E' };
      }
      ch.fail('SSLRequest', 'garbage', `the server answered ${shown(b)}, not 'S' or 'N'`);
    });
    if (answer === 'N') ch.fail('SSLRequest', 'refused', "the server answered 'N': TLS is off (ssl = off in postgresql.conf)");
    if (answer === 'E') ch.fail('SSLRequest', 'refused', 'the server answered with an error: it does not know SSLRequest');
  },
};

export const postgresDirect: StartTlsProtocol = {
  name: 'postgres-direct', title: 'PostgreSQL 17+ direct TLS (ALPN postgresql)', spec: 'PostgreSQL 17 protocol 53.2.11', ports: [], alpn: ['postgresql'],
  async run({ ch }) {
    ch.note('direct TLS', 'no SSLRequest: TLS from the first byte with ALPN "postgresql" (PostgreSQL 17 and later, sslnegotiation=direct)');
  },
};
