// The one typed message protocol between the extension host and its webviews. Both sides import this file.
// Trace events and decoded objects cross as plain data; key material never crosses.
import type { DecodedObject } from '../../engine/x509/types';
import type { Problem } from '../../engine/x509/file';

export const PROTOCOL_VERSION = 1;

/** A decoded block as the panel shows it: no DER bytes, no key material. */
export interface BlockView {
  index: number;
  label: string;
  startLine: number;
  endLine: number;
  summary: string;
  object?: DecodedObject;
  problem?: Problem;
}

export type ToWebview =
  | { type: 'certificates/init'; protocolVersion: number; title: string; blocks: BlockView[]; now: string };

export type FromWebview =
  | { type: 'ready'; protocolVersion: number }
  | { type: 'openDecode'; index: number }
  | { type: 'revealBlock'; index: number };
