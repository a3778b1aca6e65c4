// Thin layer over asn1js: strict parsing (no trailing bytes), raw slices, and typed errors naming the field.
import * as asn1js from 'asn1js';
import { view } from '../util/hex';

/** A DER structure did not parse, or was not the shape expected. `field` names where. */
export class DerError extends Error {
  constructor(readonly field: string, message: string, readonly offset?: number) {
    super(`${field}: ${message}`);
    this.name = 'DerError';
  }
}

/** Parses exactly one DER object; trailing bytes are an error (they would hide a truncated or joined file). */
export function parseDer(bytes: Uint8Array, field: string, allowTrailing = false): asn1js.AsnType {
  if (bytes.length === 0) throw new DerError(field, 'no bytes');
  let res: ReturnType<typeof asn1js.fromBER>;
  try {
    res = asn1js.fromBER(bytes);
  } catch (e) {
    // asn1js throws plain Errors from inside some values (a GeneralizedTime that is not a time, a BMPString of
    // odd length, a UniversalString not a multiple of 4): found by fuzzing; they are malformed DER like the rest.
    throw new DerError(field, `not valid DER (${(e as Error).message})`);
  }
  if (res.offset === -1 || res.result.error) {
    const declared = declaredLength(bytes);
    if (declared !== undefined && declared > bytes.length)
      throw new DerError(field, `truncated: the outer structure declares ${declared} bytes but only ${bytes.length} are present`);
    throw new DerError(field, `not valid DER (${res.result.error || 'unparsable'})`);
  }
  if (!allowTrailing && res.offset !== bytes.length)
    throw new DerError(field, `${bytes.length - res.offset} trailing byte(s) after the structure that ends at byte ${res.offset}`, res.offset);
  return res.result;
}

/** Total length (header + content) that a DER TLV at the start of `bytes` declares, if readable. */
export function declaredLength(bytes: Uint8Array): number | undefined {
  if (bytes.length < 2) return undefined;
  const first = bytes[1]!;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || bytes.length < 2 + n) return undefined;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + bytes[2 + i]!;
  return 2 + n + len;
}

/** The exact encoded bytes of a parsed block. */
export function rawOf(block: asn1js.AsnType): Uint8Array {
  return view((block as asn1js.BaseBlock).valueBeforeDecodeView);
}

/**
 * Children of a constructed block; a missing block (an element a SEQUENCE did not have) is a DerError too. The
 * constructed bit is checked, not only the value's shape: an OBJECT IDENTIFIER's value is an array too (of its
 * arcs), which fuzzing found read as a SEQUENCE's elements.
 */
export function childrenOf(block: asn1js.AsnType | undefined, field: string): asn1js.AsnType[] {
  if (!block) throw new DerError(field, 'missing');
  const b = block as { idBlock?: { isConstructed?: boolean }; valueBlock?: { value?: unknown } };
  const value = b.valueBlock?.value;
  if (!b.idBlock?.isConstructed || !Array.isArray(value)) throw new DerError(field, 'expected a constructed value');
  return value as asn1js.AsnType[];
}

export function oidOf(block: asn1js.AsnType | undefined, field: string): string {
  if (!(block instanceof asn1js.ObjectIdentifier)) throw new DerError(field, 'expected an OBJECT IDENTIFIER');
  return block.valueBlock.toString();
}

/** The content bytes of an INTEGER, OCTET STRING or BIT STRING (BIT STRING without its unused-bits byte). */
export function contentOf(block: asn1js.AsnType): Uint8Array {
  return view((block as asn1js.OctetString).valueBlock.valueHexView);
}

/** A string-like value (any ASN.1 string type) as text. */
export function stringOf(block: asn1js.AsnType): string {
  const b = block as { valueBlock: { value?: unknown } };
  if (typeof b.valueBlock.value === 'string') return b.valueBlock.value;
  if (block instanceof asn1js.OctetString) return new TextDecoder().decode(contentOf(block));
  return new TextDecoder().decode(contentOf(block));
}

export function integerToBigInt(block: asn1js.AsnType): bigint {
  const bytes = contentOf(block);
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  if (bytes.length && bytes[0]! & 0x80) v -= 1n << BigInt(bytes.length * 8);
  return v;
}

/** Tag class 3 = context-specific; returns the tag number of a context-specific block or -1. */
export function contextTag(block: asn1js.AsnType | undefined): number {
  const id = (block as asn1js.BaseBlock | undefined)?.idBlock;
  return id?.tagClass === 3 ? id.tagNumber : -1;
}
