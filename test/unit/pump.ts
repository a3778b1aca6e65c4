// Two sans-IO connections joined in memory, for the unit tests: bytes move both ways until neither has any to send
// (at most `rounds` exchanges, so a pair that keeps talking cannot hang a test).
import type { SansIoConnection } from '../../engine/conn/types';

type End = Pick<SansIoConnection, 'takeOutgoing' | 'receive'>;

export function pump(a: End, b: End, rounds = 100): void {
  for (let i = 0; i < rounds; i++) {
    const ab = a.takeOutgoing();
    const ba = b.takeOutgoing();
    if (!ab.length && !ba.length) return;
    for (const x of ab) b.receive(x);
    for (const x of ba) a.receive(x);
  }
}
