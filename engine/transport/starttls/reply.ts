// Replies of the numeric-code line protocols (SMTP and LMTP, FTP, NNTP): "250-first", "250 last" (RFC 5321
// section 4.2.1, RFC 959 section 4.2, RFC 3977 section 3.2), and the dot-terminated lists of POP3 and NNTP.
import { linesUntil, shown, type Framer, type PlainChannel } from '../channel';

export interface CodeReply {
  code: number;
  lines: string[];
}

/**
 * One reply: the first line must begin with three digits (else the server is not speaking the protocol); it
 * ends at the line with that code followed by a space or nothing (FTP allows free text between).
 */
export function codeReply(ch: PlainChannel, step: string): Framer<CodeReply> {
  let code = '';
  const frame = linesUntil(
    (line, i) => (i === 0 ? !/^\d{3}-/.test(line) : line.startsWith(code) && (line.length === 3 || line[3] === ' ')),
    (line, i) => {
      if (i > 0) return;
      const m = /^(\d{3})(?:[ -]|$)/.exec(line);
      if (!m) ch.fail(step, 'garbage', `the server sent ${shown(new TextEncoder().encode(line))}, not a ${ch.protocol} reply (three digits and a space)`);
      code = m[1]!;
    },
  );
  return (buf) => {
    const r = frame(buf);
    return r && { ...r, value: { code: Number(r.value[0]!.slice(0, 3)), lines: r.value } };
  };
}

/** Waits for a reply and fails, naming it, unless its code is one of `ok`. */
export async function expectCode(ch: PlainChannel, step: string, ok: number[], what: string): Promise<CodeReply> {
  const r = await ch.receive(step, codeReply(ch, step));
  if (!ok.includes(r.code)) ch.fail(step, 'refused', `${what}: the server answered ${r.lines.join(' / ')}`);
  return r;
}

/** A multi-line data block ending with a line holding a single dot (RFC 1939 section 3, RFC 3977 section 3.1.1). */
export function dotTerminated(): Framer<string[]> {
  return linesUntil((line) => line === '.');
}
