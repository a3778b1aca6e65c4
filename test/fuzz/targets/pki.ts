// Targets `pem` and `der`: files as a user opens them. decodeBytes / decodeText / scanPem promise never to throw
// (every failure is a Problem), so they are called as such; and since decodeText turns any exception into a
// Problem, which would hide a TypeError, each block's DER also goes straight to decodeObject under every label,
// where only DerError and KeyLoadError are clean (decode.ts: "Throws DerError / KeyLoadError on malformed
// input"). PKCS#12 (decodePkcs12) and the PKCS#8 encryption description too. The fixtures' passphrase is given,
// so encrypted keys and PKCS#12 files are opened; the KDF iteration limit is lowered so that a mutated count is
// refused quickly, which is what the limit is for.
import { KeyLoadError } from '../../../engine/crypto/node-keys';
import { scanPem } from '../../../engine/pem/blocks';
import { certificateOfTrusted, certificateSpki } from '../../../engine/x509/certificate';
import { decodeBytes, decodeObject, decodeText, KNOWN_LABELS } from '../../../engine/x509/decode';
import { DerError } from '../../../engine/x509/der';
import { describePkcs8Encryption } from '../../../engine/x509/key-encryption';
import { decodePkcs12 } from '../../../engine/x509/pkcs12';
import { FuzzViolation, isTyped, type FuzzTarget } from '../target';
import { tolerate } from './util';

const PASSPHRASE = 'tlslens';
/** Low enough that a file asking for more is refused within the deadline; the fixtures use 2048. */
const MAX_ITERATIONS = 20_000;
const NOW = new Date('2030-01-01T00:00:00Z');
const LABELS = [...KNOWN_LABELS, 'PKCS12'];
const OPTS = { passphrase: PASSPHRASE, now: NOW, maxKdfIterations: MAX_ITERATIONS };

function never<T>(target: FuzzTarget, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isTyped(target, e)) throw new FuzzViolation(`${what} threw ${(e as Error).name}, though it turns every failure into a Problem: ${(e as Error).message}`);
    throw e;
  }
}

/**
 * Every decoder a DER object can reach, each allowed to refuse it with a typed error. Without the passphrase
 * (decodeBytes / decodeText used it already, and a scrypt key costs 50 ms each time), but PKCS#12 with it.
 */
function allDecoders(t: FuzzTarget, der: Uint8Array, headers: { name: string; value: string }[] = []): void {
  for (const label of LABELS) tolerate(t, () => decodeObject(label, der, { now: NOW, maxKdfIterations: MAX_ITERATIONS, headers, index: 0 }));
  tolerate(t, () => describePkcs8Encryption(der));
  tolerate(t, () => decodePkcs12(der, { password: PASSPHRASE, now: NOW, maxIterations: MAX_ITERATIONS }));
  tolerate(t, () => certificateSpki(der));
  tolerate(t, () => certificateOfTrusted(der));
}

export const pemTarget: FuzzTarget = {
  name: 'pem',
  about: 'PEM text through scanPem and decodeText (never throw), then each block\'s DER through decodeObject under every label',
  typedErrors: [DerError, KeyLoadError],
  deadlineMs: 400,
  run(input) {
    const text = new TextDecoder().decode(input);
    const { blocks } = never(this, 'scanPem', () => scanPem(text));
    const lines = text.split(/\r\n|\r|\n/).length;
    for (const b of blocks) {
      if (!(b.range.startLine >= 0 && b.range.startLine <= b.range.endLine && b.range.endLine < lines)) throw new FuzzViolation(`block ${b.index} has lines ${b.range.startLine}-${b.range.endLine} of ${lines}`);
      if (b.problem && !(b.problem.line >= 0 && b.problem.line < lines)) throw new FuzzViolation(`block ${b.index}'s problem points at line ${b.problem.line} of ${lines}`);
    }
    // The passphrase for the first blocks only: a mutation that repeats a scrypt key 30 times would take 30 x 50 ms,
    // slow by design (as openssl), not a hang.
    never(this, 'decodeText', () => decodeText(text, { ...OPTS, passphrase: ({ index }) => (index < 2 ? PASSPHRASE : undefined) }));
    for (const b of blocks.slice(0, 4)) if (b.der) allDecoders(this, b.der, b.headers);
  },
};

export const derTarget: FuzzTarget = {
  name: 'der',
  about: 'DER bytes through decodeBytes (never throws) and every decoder: certificate, CRL, CSR, PKCS#7, PKCS#12, keys (PKCS#8, PKCS#1, SEC1, encrypted), parameters',
  typedErrors: [DerError, KeyLoadError],
  maxLength: 16 * 1024,
  deadlineMs: 400,
  run(input) {
    never(this, 'decodeBytes', () => decodeBytes(input, OPTS));
    allDecoders(this, input);
  },
};
