// Target `extensions`: input = extension_type (2 bytes) || extension body. The body goes through the decoder of
// its own type in every message context (allowed or not), and through the decoder of every other typed
// extension in each context it is allowed in: the list comes from extensions.ts's own table
// (typedExtensionContexts), so a new extension is fuzzed as soon as it has a decoder. The whole input is also
// read as an `Extension extensions<..>` block in every context. Clean rejection: DecodeError.
import { parseExtensions, readExtensions, typedExtensionContexts, type ExtensionContext } from '../../../engine/msgs/extensions';
import { DecodeError, Reader } from '../../../engine/msgs/reader';
import type { FuzzTarget } from '../target';
import { tolerate } from './util';

const ALL_CONTEXTS: readonly ExtensionContext[] = ['CH', 'SH', 'HRR', 'EE', 'CT', 'CR', 'NST'];

export const extensionsTarget: FuzzTarget = {
  name: 'extensions',
  about: `type(2) || body through its own decoder in every context and through all ${typedExtensionContexts().size} typed extension decoders where allowed; the input as an extensions block`,
  typedErrors: [DecodeError],
  maxLength: 16 * 1024,
  run(input) {
    const type = input.length >= 2 ? (input[0]! << 8) | input[1]! : 0;
    const data = input.subarray(Math.min(2, input.length));
    for (const c of ALL_CONTEXTS) tolerate(this, () => parseExtensions([{ type, data }], c));
    for (const [code, contexts] of typedExtensionContexts()) {
      if (code === type) continue;
      for (const c of contexts) tolerate(this, () => parseExtensions([{ type: code, data }], c));
    }
    for (const c of ALL_CONTEXTS) tolerate(this, () => readExtensions(new Reader(input, 'extensions'), c));
  },
};
