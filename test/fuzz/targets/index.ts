// Every fuzz target, by name, in the order runs go through them.
import type { FuzzTarget } from '../target';
import { connTarget, dtlsConnTarget } from './conn';
import { derTarget, pemTarget } from './pki';
import { dtlsTarget } from './dtls';
import { extensionsTarget } from './extensions';
import { handshakeTarget } from './handshake';
import { recordTarget } from './record';
import { withRecordedSeeds } from './recorded-seeds';

export const TARGETS: readonly FuzzTarget[] = withRecordedSeeds([
  recordTarget,
  handshakeTarget,
  extensionsTarget,
  dtlsTarget,
  pemTarget,
  derTarget,
  connTarget,
  dtlsConnTarget,
]);

export function targetByName(name: string): FuzzTarget | undefined {
  return TARGETS.find((t) => t.name === name);
}
