// What a command may touch: its output streams and the file system, passed in so tests call `run` directly.
import fs from 'node:fs';

export interface CliIO {
  out: (s: string) => void;
  err: (s: string) => void;
  readFile: (path: string) => Uint8Array;
  env: Record<string, string | undefined>;
  /** Standard input, read whole; only commands that need it call it. */
  readStdin: () => string;
  /** Standard input as a stream, for connect/serve (data typed or piped is sent to the peer). */
  stdin?: NodeJS.ReadableStream;
}

export const processIO: CliIO = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  readFile: (p) => new Uint8Array(fs.readFileSync(p)),
  env: process.env,
  readStdin: () => fs.readFileSync(0, 'utf8'),
  stdin: process.stdin,
};

/** Exit codes shared by the commands (documented in --help). */
export const EXIT = { OK: 0, MISMATCH_OR_PROBLEM: 1, UNREADABLE: 2, USAGE: 64 } as const;

export class UsageError extends Error {}

/** OpenSSL's -passin argument forms: pass:TEXT, env:VAR, file:PATH, stdin. */
export function readPassphrase(spec: string | undefined, io: CliIO): string | undefined {
  if (spec === undefined) return undefined;
  if (spec.startsWith('pass:')) return spec.slice(5);
  if (spec.startsWith('env:')) {
    const v = io.env[spec.slice(4)];
    if (v === undefined) throw new UsageError(`--passin ${spec}: the environment variable is not set`);
    return v;
  }
  if (spec.startsWith('file:')) return new TextDecoder().decode(io.readFile(spec.slice(5))).split(/\r?\n/)[0]!;
  if (spec === 'stdin') return io.readStdin().split(/\r?\n/)[0]!;
  throw new UsageError(`--passin ${spec}: use pass:TEXT, env:VAR, file:PATH or stdin (as openssl's -passin)`);
}

/** A FILE operand's bytes, or undefined after saying on stderr why it cannot be read (the caller exits UNREADABLE). */
export function readOperand(io: CliIO, command: string, file: string): Uint8Array | undefined {
  try {
    return io.readFile(file);
  } catch (e) {
    io.err(`${command}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    return undefined;
  }
}
