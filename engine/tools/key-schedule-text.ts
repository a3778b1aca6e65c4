// The recorded key schedule (handshake/key-schedule-capture.ts) as text for a terminal or an editor, and as JSON with
// bytes in hex. What it prints are the session's secrets: callers print it only when the user asked for it.
import type { KeySchedule, KeySchedule12, KeySchedule13, KeyStep } from '../handshake/key-schedule-capture';
import { toHex } from '../util/hex';
import type { KeyFailure } from './key-failure';

const hex = (b: Uint8Array | undefined) => (b ? (b.length ? toHex(b) : '(empty)') : '-');

function stepLine(s: KeyStep): string {
  if (s.op === 'HKDF-Extract') return `${s.name} = HKDF-Extract(salt ${hex(s.salt)}, IKM ${hex(s.ikm)})`;
  if (s.op === 'HMAC') return `${s.name} = HMAC(${s.from}, transcript hash ${hex(s.context)})`;
  const derive = s.context && s.context.length === s.output.length && s.label !== 'resumption' && s.length === s.output.length && !['key', 'iv', 'finished', 'traffic upd'].includes(s.label!);
  if (derive && (s.label === 'derived' || s.label === 'ext binder' || s.label === 'res binder'))
    return `${s.name} = Derive-Secret(${s.from}, "${s.label}", "")   (Transcript-Hash("") = ${hex(s.context)})`;
  return derive
    ? `${s.name} = Derive-Secret(${s.from}, "${s.label}", transcript hash ${hex(s.context)})`
    : `${s.name} = HKDF-Expand-Label(${s.from}, "${s.label}", ${s.context?.length ? hex(s.context) : '""'}, ${s.length})`;
}

function text13(k: KeySchedule13): string[] {
  const out = [`TLS 1.3 key schedule (RFC 8446 section 7.1), hash ${k.hash.toUpperCase()}`];
  out.push(`  PSK: ${k.psk ? hex(k.psk) : '(none: HKDF-Extract takes zeros)'}`);
  if (k.sharedSecret) out.push(`  (EC)DHE/KEM shared secret: ${hex(k.sharedSecret)}`);
  out.push('', 'Steps, in the order the engine computed them:');
  for (const s of k.steps) out.push(`  ${stepLine(s)}`, `      = ${hex(s.output)}`);
  return out;
}

function text12(k: KeySchedule12): string[] {
  const out = [`${k.version} key derivation (${k.prf}), ${k.suite}${k.resumed ? ', resumed (master secret from the session)' : ''}`];
  if (k.preMasterSecret) out.push(`  pre_master_secret (${k.preMasterSecret.length} bytes): ${hex(k.preMasterSecret)}`);
  out.push(`  client_random: ${hex(k.clientRandom)}`, `  server_random: ${hex(k.serverRandom)}`);
  if (k.sessionHash) out.push(`  session_hash (RFC 7627, ClientHello..ClientKeyExchange): ${hex(k.sessionHash)}`);
  if (k.label) out.push(`  master_secret = PRF(pre_master_secret, "${k.label}", ${k.extendedMasterSecret ? 'session_hash' : 'client_random + server_random'})[0..47]`);
  out.push(`  master_secret: ${hex(k.masterSecret)}`);
  if (k.keyBlock) {
    const b = k.keyBlock;
    out.push(`  key_block = PRF(master_secret, "key expansion", server_random + client_random)[0..${b.length - 1}], cut as:`);
    out.push(`    client_write_MAC_key: ${hex(b.clientMacKey)}`, `    server_write_MAC_key: ${hex(b.serverMacKey)}`);
    out.push(`    client_write_key: ${hex(b.clientKey)}`, `    server_write_key: ${hex(b.serverKey)}`);
    out.push(`    client_write_IV: ${hex(b.clientIv)}`, `    server_write_IV: ${hex(b.serverIv)}`);
  }
  return out;
}

/** The failure's implicated values as lines, naming the steps of the schedule they are (when recorded). */
export function failureLines(f: KeyFailure): string[] {
  const out = [`${f.alert} (${f.detectedBy === 'peer' ? 'sent by the peer' : 'detected here'}): ${f.summary}`];
  if (f.implicated.length) out.push('Implicated values:');
  for (const i of f.implicated) out.push(`  - ${i.name}: ${i.why}`);
  return out;
}

export function keyScheduleText(k: KeySchedule | undefined, failure?: KeyFailure): string {
  const lines = ['These are the session\'s secrets: anyone who has them can decrypt it.', ''];
  if (!k) lines.push('No key was derived: the handshake ended before the key exchange.');
  else lines.push(...(k.version === 'TLSv1.3' ? text13(k) : text12(k)));
  if (failure) lines.push('', ...failureLines(failure));
  return lines.join('\n') + '\n';
}

/** JSON with every byte string as lower-case hex (as the trace's JSON form). */
export function keyScheduleJson(k: KeySchedule | undefined): unknown {
  return JSON.parse(JSON.stringify(k ?? null, (_key, v: unknown) => (v instanceof Uint8Array ? toHex(v) : v)));
}
