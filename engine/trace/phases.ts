// Where a handshake's time went, read off its trace: each phase between two handshake messages, named for
// what happens in it. From the client's side: the round trip to the ServerHello (network plus the server's key
// exchange), the server's flight (its certificate and signature), and our turn (judging the chain, checking
// the signature, our Finished). A server's trace gives the mirror image.
import type { TraceEvent } from './events';

export interface Phase {
  label: string;
  ms: number;
}

type Hs = Extract<TraceEvent, { kind: 'handshake' }>;

export function handshakePhases(events: readonly TraceEvent[]): Phase[] {
  const hs = events.filter((e): e is Hs => e.kind === 'handshake');
  if (!hs.length) return [];
  const side = hs[0]!.side;
  const first = (name: string, dir: 'in' | 'out', after = -1) => hs.find((e) => e.name === name && e.dir === dir && e.t >= after);
  const last = (name: string, dir: 'in' | 'out') => [...hs].reverse().find((e) => e.name === name && e.dir === dir);
  const out: Phase[] = [];
  const add = (label: string, a: Hs | undefined, b: Hs | undefined) => {
    if (a && b && b.t >= a.t) out.push({ label, ms: Math.round(b.t - a.t) });
  };
  if (side === 'client') {
    const hrr = first('hello_retry_request', 'in');
    const ch = hrr ? last('client_hello', 'out') : first('client_hello', 'out');
    add('HelloRetryRequest round trip', first('client_hello', 'out'), hrr);
    const sh = first('server_hello', 'in');
    add('ClientHello → ServerHello (network and the server\'s key exchange)', ch, sh);
    const sfin = first('finished', 'in');
    add('ServerHello → server Finished (its certificate and signature)', sh, sfin);
    add('server Finished → our Finished (checking its chain and signature)', sfin, first('finished', 'out'));
  } else {
    const ch = last('client_hello', 'in');
    const sfin = first('finished', 'out');
    add('ClientHello → our Finished sent (key exchange, signature)', ch, sfin);
    add('our Finished → client Finished (network and the client\'s checks)', sfin, first('finished', 'in'));
  }
  return out;
}
