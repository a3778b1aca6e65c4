// MySQL and MariaDB: the server speaks first with its Initial Handshake Packet (protocol version 10); a client
// that wants TLS answers with an SSL Request packet (the first 32 bytes of a HandshakeResponse41, CLIENT_SSL
// set) and starts TLS at once (MySQL client/server protocol, "Connection Phase" and "Protocol::SSLRequest").
import { Reader } from '../../msgs/reader';
import { shown } from '../channel';
import type { StartTlsProtocol } from './types';

export const CLIENT_LONG_PASSWORD = 0x1;
export const CLIENT_PROTOCOL_41 = 0x200;
export const CLIENT_SSL = 0x800;
export const CLIENT_SECURE_CONNECTION = 0x8000;
export const CLIENT_PLUGIN_AUTH = 0x80000;

const le = (b: Uint8Array) => b.reduceRight((acc, x) => acc * 256 + x, 0);

export interface MysqlHandshake {
  protocolVersion: number;
  serverVersion: string;
  connectionId: number;
  capabilities: number;
}

export type MysqlPacket = { kind: 'handshake'; handshake: MysqlHandshake } | { kind: 'error'; code: number; message: string };

/** One packet's payload: the server's first packet is a Handshake v10 or an ERR_Packet (0xff). */
export function decodeServerGreeting(payload: Uint8Array): MysqlPacket {
  const r = new Reader(payload, 'InitialHandshake');
  const first = r.u8('protocol_version');
  if (first === 0xff) {
    const code = le(r.bytes(2, 'error_code'));
    let rest = r.rest('error_message');
    if (rest[0] === 0x23 && rest.length >= 6) rest = rest.subarray(6); // '#' and the SQL state
    return { kind: 'error', code, message: new TextDecoder().decode(rest) };
  }
  if (first !== 10) r.fail('protocol_version', `version ${first}, not 10 (only Handshake v10 offers TLS)`);
  const nul = payload.indexOf(0, r.pos);
  if (nul < 0) r.fail('server_version', 'not NUL-terminated');
  const serverVersion = new TextDecoder().decode(r.bytes(nul - r.pos, 'server_version'));
  r.u8('server_version.nul');
  const connectionId = le(r.bytes(4, 'connection_id'));
  r.bytes(8, 'auth_plugin_data_part_1');
  r.u8('filler');
  let capabilities = le(r.bytes(2, 'capability_flags_1'));
  if (r.remaining >= 5) {
    r.u8('character_set');
    r.bytes(2, 'status_flags');
    capabilities += le(r.bytes(2, 'capability_flags_2')) * 0x10000;
  }
  return { kind: 'handshake', handshake: { protocolVersion: first, serverVersion, connectionId, capabilities } };
}

function greetingOrFail(payload: Uint8Array, fail: (message: string) => never): MysqlPacket {
  try {
    return decodeServerGreeting(payload);
  } catch (e) {
    return fail((e as Error).message);
  }
}

/** The SSL Request packet: header (length 32, sequence 1), capabilities, max packet size, character set, 23 zeros. */
export function encodeSslRequest(serverCapabilities: number): Uint8Array {
  const caps = (CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_SSL | CLIENT_SECURE_CONNECTION | (serverCapabilities & CLIENT_PLUGIN_AUTH)) >>> 0;
  const b = new Uint8Array(4 + 32);
  const v = new DataView(b.buffer);
  b[0] = 32;
  b[3] = 1; // sequence id: the reply to the server's packet 0
  v.setUint32(4, caps, true);
  v.setUint32(8, 16 * 1024 * 1024, true); // max_packet_size
  b[12] = 0x21; // utf8_general_ci
  return b;
}

export const mysql: StartTlsProtocol = {
  name: 'mysql', title: 'MySQL / MariaDB (SSL Request)', spec: 'MySQL client/server protocol, Protocol::SSLRequest', ports: [3306],
  async run({ ch }) {
    const greeting = await ch.receive('Initial Handshake', (b) => {
      if (b.length < 4) return undefined;
      const len = b[0]! | (b[1]! << 8) | (b[2]! << 16);
      if (b[3] !== 0 || len === 0 || len > 16384) ch.fail('Initial Handshake', 'garbage', `the server sent ${shown(b)}, not a MySQL handshake packet (length ${len}, sequence ${b[3]})`);
      if (b.length < 4 + len) return undefined;
      const p = greetingOrFail(b.subarray(4, 4 + len), (m) => ch.fail('Initial Handshake', 'garbage', m));
      const text = p.kind === 'error' ? `ERR ${p.code}: ${p.message}` : `Handshake v10, server ${p.handshake.serverVersion}, connection ${p.handshake.connectionId}, capabilities 0x${p.handshake.capabilities.toString(16)}${p.handshake.capabilities & CLIENT_SSL ? ' (CLIENT_SSL)' : ' (no CLIENT_SSL)'}`;
      return { length: 4 + len, text, value: p };
    });
    if (greeting.kind === 'error') return ch.fail('Initial Handshake', 'refused', `the server refused the connection: ERR ${greeting.code}: ${greeting.message}`);
    const caps = greeting.handshake.capabilities;
    if (!(caps & CLIENT_SSL)) ch.fail('Initial Handshake', 'refused', `the server ${greeting.handshake.serverVersion} does not offer TLS (CLIENT_SSL is not in its capabilities: have_ssl is off)`);
    const req = encodeSslRequest(caps);
    ch.send('SSL Request', req, `SSL Request, capabilities 0x${new DataView(req.buffer).getUint32(4, true).toString(16)} (CLIENT_SSL), then TLS`);
  },
};
