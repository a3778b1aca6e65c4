// The shape of a decoded file (PEM text or a DER blob): what the CLI, hovers, CodeLens and diagnostics read.
import type { DecodedObject } from './types';

/** A place in the input, 0-based lines as editors count them (the CLI prints them 1-based). */
export interface LineRange {
  startLine: number;
  endLine: number;
}

export type ProblemCode =
  | 'missing-end' // BEGIN without END
  | 'label-mismatch' // END label differs from BEGIN label
  | 'bad-base64' // a character outside the base64 alphabet
  | 'truncated-base64' // length or padding says the body was cut
  | 'empty-body'
  | 'bad-header' // RFC 1421 header line malformed
  | 'unknown-label' // armour label we do not know (typo?)
  | 'bad-der' // ASN.1 does not parse, or is not the structure the label promises
  | 'trailing-bytes' // DER followed by extra bytes
  | 'needs-passphrase'
  | 'wrong-passphrase'
  | 'unsupported';

export interface Problem {
  code: ProblemCode;
  /** A sentence naming the block and the line, ready to show. */
  message: string;
  /** 0-based line the problem points at. */
  line: number;
  column?: number;
}

export interface DecodedItem {
  /** Position among the blocks of the file, 0-based. */
  index: number;
  /** The armour label ('CERTIFICATE', ...) or, for DER input, the detected type. */
  label: string;
  range: LineRange;
  /** RFC 1421/7468 headers (Proc-Type, DEK-Info, ...). */
  headers: { name: string; value: string }[];
  /** The block's DER bytes, when the base64 decoded. */
  der?: Uint8Array;
  object?: DecodedObject;
  problem?: Problem;
}

export interface DecodedFile {
  format: 'pem' | 'der';
  items: DecodedItem[];
  /** Problems outside any decodable block (e.g. a BEGIN line with no END). Block problems sit on their item too. */
  problems: Problem[];
}

export interface DecodeOptions {
  /** Passphrase for encrypted keys; a function is asked per block. */
  passphrase?: string | ((item: { index: number; label: string }) => string | undefined);
  /** The moment validity is judged against; defaults to now. */
  now?: Date;
  /** Most PBKDF2 / PKCS#12 KDF iterations run to open an encrypted key or PKCS#12 file (default 10,000,000). */
  maxKdfIterations?: number;
}
