// Finds PEM blocks in a text (RFC 7468), with their line ranges, RFC 1421 headers and base64 bodies.
// Text outside blocks is allowed by RFC 7468 section 2 and ignored; every malformed block yields a
// Problem naming its line, and scanning carries on with the next block so nothing else is lost.
import type { LineRange, Problem } from '../x509/file';

export interface PemBlock {
  index: number;
  label: string;
  range: LineRange;
  headers: { name: string; value: string; line: number }[];
  /** Decoded body, absent when the block has a problem that prevents decoding. */
  der?: Uint8Array;
  problem?: Problem;
}

export interface PemScan {
  blocks: PemBlock[];
}

const BEGIN = /^\s*-----BEGIN ([^-]*(?:-[^-]+)*)-----\s*$/;
const END = /^\s*-----END ([^-]*(?:-[^-]+)*)-----\s*$/;
const HEADER = /^([A-Za-z][A-Za-z0-9-]*):\s?(.*)$/;
const BASE64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;

/** Quick test used to tell PEM text from a DER blob. */
export function looksLikePem(text: string): boolean {
  return /-----BEGIN [^-\r\n]*-----/.test(text);
}

/** Splits into lines the way editors number them (\n, \r\n or \r). */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

export function scanPem(text: string): PemScan {
  const lines = splitLines(text);
  const blocks: PemBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const begin = BEGIN.exec(lines[i]!);
    if (!begin) {
      i++;
      continue;
    }
    const block = readBlock(lines, i, begin[1]!, blocks.length);
    blocks.push(block);
    i = block.range.endLine + 1;
  }
  return { blocks };
}

function problem(code: Problem['code'], message: string, line: number, column?: number): Problem {
  return column === undefined ? { code, message, line } : { code, message, line, column };
}

function readBlock(lines: string[], beginLine: number, label: string, index: number): PemBlock {
  const name = `block ${index + 1} (${label || 'no label'}, line ${beginLine + 1})`;
  const headers: PemBlock['headers'] = [];
  const body: string[] = [];
  let bodyProblem: Problem | undefined;
  let inHeaders = true;
  for (let j = beginLine + 1; j < lines.length; j++) {
    const line = lines[j]!;
    const end = END.exec(line);
    if (end) {
      const range = { startLine: beginLine, endLine: j };
      if (end[1] !== label) {
        return {
          index, label, range, headers,
          problem: problem('label-mismatch', `${name}: BEGIN ${label} is closed by END ${end[1]} on line ${j + 1}`, j),
        };
      }
      if (bodyProblem) return { index, label, range, headers, problem: bodyProblem };
      return finishBody(index, label, range, headers, body, name);
    }
    if (BEGIN.test(line)) {
      // A new block starts before this one ended: report it and let the scanner resume at that line.
      return {
        index, label, range: { startLine: beginLine, endLine: j - 1 }, headers,
        problem: problem('missing-end', `${name}: no END ${label} line before the next BEGIN on line ${j + 1}`, beginLine),
      };
    }
    const trimmed = line.trim();
    if (inHeaders) {
      // RFC 1421 section 4.6: headers come first, then an empty line, then the body.
      const h = HEADER.exec(trimmed);
      if (h && body.length === 0 && !BASE64_LINE.test(trimmed)) {
        headers.push({ name: h[1]!, value: h[2]!.trim(), line: j });
        continue;
      }
      if (headers.length > 0 && /^\s+\S/.test(line) && !BASE64_LINE.test(trimmed)) {
        headers[headers.length - 1]!.value += ' ' + trimmed; // continuation line
        continue;
      }
      if (trimmed === '' && headers.length > 0) {
        inHeaders = false;
        continue;
      }
      inHeaders = false;
    }
    if (trimmed === '') continue; // RFC 7468 section 3 (lax): tolerate blank lines in the body
    if (!bodyProblem && !BASE64_LINE.test(trimmed)) {
      const col = firstNonBase64(line);
      bodyProblem = problem('bad-base64', `${name}: line ${j + 1}, column ${col + 1}: '${line[col]}' is not a base64 character`, j, col);
    }
    body.push(trimmed);
  }
  const last = lines.length - 1;
  return {
    index, label, range: { startLine: beginLine, endLine: last }, headers,
    problem: problem('missing-end', `${name}: no END ${label} line; the file ends on line ${last + 1} (truncated?)`, beginLine),
  };
}

function firstNonBase64(line: string): number {
  let inPad = false;
  for (let k = 0; k < line.length; k++) {
    const c = line[k]!;
    if (c === ' ' || c === '\t') continue;
    if (c === '=') { inPad = true; continue; }
    if (inPad || !/[A-Za-z0-9+/]/.test(c)) return k;
  }
  return 0;
}

function finishBody(index: number, label: string, range: LineRange, headers: PemBlock['headers'], body: string[], name: string): PemBlock {
  const b64 = body.join('');
  if (b64.length === 0) {
    return { index, label, range, headers, problem: problem('empty-body', `${name}: the block has no base64 body`, range.startLine) };
  }
  // '=' may only end the body.
  const padAt = b64.indexOf('=');
  if ((padAt >= 0 && padAt < b64.length - 2) || b64.length % 4 !== 0) {
    const line = lastBodyLine(range);
    return {
      index, label, range, headers,
      problem: problem('truncated-base64',
        `${name}: the base64 body is ${b64.length} characters, not a whole number of 4-character groups: truncated or damaged near line ${line + 1}`, line),
    };
  }
  return { index, label, range, headers, der: base64ToBytes(b64) };
}

function lastBodyLine(range: LineRange): number {
  return Math.max(range.startLine, range.endLine - 1);
}

export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let k = 0; k < bin.length; k++) out[k] = bin.charCodeAt(k);
  return out;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  for (let k = 0; k < bytes.length; k++) s += String.fromCharCode(bytes[k]!);
  return btoa(s);
}

/** Writes a PEM block, 64 characters a line (RFC 7468 section 2). */
export function toPem(label: string, der: Uint8Array): string {
  const b64 = bytesToBase64(der);
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
