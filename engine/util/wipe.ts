// Zeroing key material once it is no longer needed, as far as JavaScript allows: the arrays we hold are filled
// with zeros, so a heap snapshot or a later bug cannot read them. Copies made by a library (an expanded AES key
// schedule inside @noble/ciphers, a KeyObject inside node:crypto) and strings cannot be reached, and the garbage
// collector may have moved older copies: this narrows the window, it does not close it.
export function wipe(...secrets: Array<Uint8Array | undefined | null>): void {
  for (const s of secrets) s?.fill(0);
}
