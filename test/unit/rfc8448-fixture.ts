// Reader of the RFC 8448 ("Example Handshake Traces for TLS 1.3") fixtures in test/fixtures/rfc8448/*.txt,
// shared by msgs-rfc8448.test.ts (message codecs) and rfc8448-keys.test.ts (key schedule and records).
// Not a test file itself (no `.test.ts`), so the test runner does not pick it up.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fromHex } from '../../engine/util/hex';

export interface Block {
  /** The RFC's step line, e.g. `{server}  construct a Finished handshake message:`. */
  step: string;
  /** The block label, e.g. `Finished`, `payload`, `public key`. */
  label: string;
  bytes: Uint8Array;
}

/**
 * Reads the RFC's layout: a `{client}`/`{server}` step line, then `label (N octets):  hex ...` with the hex
 * continuing on indented lines. Checks every block against its announced octet count.
 */
export function parseTrace(text: string): Block[] {
  const blocks: Block[] = [];
  let step = '';
  let cur: { label: string; octets: number; hex: string } | null = null;
  const flush = () => {
    if (!cur) return;
    const bytes = fromHex(cur.hex);
    assert.equal(bytes.length, cur.octets, `"${cur.label}" under "${step}" has ${cur.octets} octets`);
    blocks.push({ step, label: cur.label, bytes });
    cur = null;
  };
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('#')) continue;
    let m: RegExpExecArray | null;
    if ((m = /^\s+(\{(?:client|server)\}\s.*?)\s*$/.exec(line))) {
      flush();
      step = m[1]!;
    } else if ((m = /^\s+(\S.*?) \((\d+) octets\):\s+([0-9a-f ]+)$/.exec(line))) {
      flush();
      cur = { label: m[1]!, octets: Number(m[2]), hex: m[3]! };
    } else if (cur && (m = /^\s+([0-9a-f]{2}(?: [0-9a-f]{2})*)\s*$/.exec(line))) {
      cur.hex += ' ' + m[1]!;
    } else if (line.trim() === '') {
      flush();
    } else {
      assert.fail(`unexpected fixture line: ${line}`);
    }
  }
  flush();
  return blocks;
}

export const FIXTURE_DIR = path.resolve('test/fixtures/rfc8448');

/** A block lookup: the `nth` block labelled `label` under a step line containing `step`. */
export type Fixture = (step: string, label: string, nth?: number) => Uint8Array;

export function load(name: string): Fixture {
  const blocks = parseTrace(fs.readFileSync(path.join(FIXTURE_DIR, name), 'utf8'));
  return (step, label, nth = 0) => {
    const found = blocks.filter((b) => b.step.includes(step) && b.label === label);
    assert.ok(found[nth], `${name}: no block #${nth} "${label}" under a step containing "${step}"`);
    return found[nth]!.bytes;
  };
}
