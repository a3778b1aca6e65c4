// Seeds made from our own recorded conversations (transcripts.ts), added to the decoder targets beside the
// checked-in corpus: the records and datagrams of every flight, every handshake message (TLS 1.3 ones opened),
// and every extension of the messages that have them. They follow the engine: a message it starts to send is
// fuzzed from the next run on, before anyone regenerates the corpus.
import { decodeHandshake, HandshakeReader } from '../../../engine/msgs/handshake';
import { CT } from '../../../engine/record/framer';
import type { FuzzTarget } from '../target';
import { DTLS_SCENARIOS, flightsOf, recordingOf, TLS_SCENARIOS, WIRE } from '../transcripts';
import { DECODE_OPTIONS } from './handshake';
import { cat, joinPieces } from './util';

interface RecordedSeeds {
  record: Uint8Array[];
  handshake: Uint8Array[];
  extensions: Uint8Array[];
  dtls: Uint8Array[];
}
let cache: RecordedSeeds | undefined;

function recordedSeeds(): RecordedSeeds {
  if (cache) return cache;
  const out: RecordedSeeds = { record: [], handshake: [], extensions: [], dtls: [] };
  const seenExt = new Set<string>();
  for (const sc of TLS_SCENARIOS) {
    const reader = { client: new HandshakeReader(), server: new HandshakeReader() };
    for (const f of flightsOf(recordingOf(sc))) {
      out.record.push(cat(...f.pieces));
      for (const it of f.items ?? []) {
        if (it.kind === WIRE || it.type !== CT.handshake) continue;
        for (const m of reader[f.from].feed(it.content)) {
          out.handshake.push(m);
          for (const opts of DECODE_OPTIONS) {
            let msg;
            try {
              msg = decodeHandshake(m, opts);
            } catch {
              continue;
            }
            for (const e of (msg as { extensions?: { type: number; data: Uint8Array }[] }).extensions ?? []) {
              const seed = cat(Uint8Array.of(e.type >> 8, e.type & 0xff), e.data);
              const key = Buffer.from(seed).toString('hex');
              if (!seenExt.has(key)) {
                seenExt.add(key);
                out.extensions.push(seed);
              }
            }
            break;
          }
        }
      }
    }
  }
  for (const sc of DTLS_SCENARIOS) for (const f of flightsOf(recordingOf(sc))) out.dtls.push(joinPieces(f.pieces));
  cache = out;
  return out;
}

/** The targets with the recorded seeds added to the decoder targets' own. */
export function withRecordedSeeds(targets: FuzzTarget[]): FuzzTarget[] {
  return targets.map((t) => {
    if (!['record', 'handshake', 'extensions', 'dtls'].includes(t.name)) return t;
    const own = t.seeds;
    return { ...t, seeds: () => [...(own?.() ?? []), ...recordedSeeds()[t.name as keyof RecordedSeeds]] };
  });
}
