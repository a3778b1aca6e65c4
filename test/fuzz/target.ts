// What a fuzz target is: a function of one input that must end in success or one of its typed errors, in
// bounded time and memory. Anything else thrown (TypeError, RangeError, a plain Error) is a crash.

/** An error class a target accepts as a clean rejection. */
export type ErrorClass = abstract new (...args: never[]) => Error;

export interface FuzzTarget {
  name: string;
  /** One line for --list and the report: what is fed, and what must come out. */
  about: string;
  /** Clean rejections. A subclass counts as its class (DtlsLimitError is a DecodeError). */
  typedErrors: readonly ErrorClass[];
  /** Seeds made in code, added to the checked-in corpus (test/fuzz/corpus/<name>/). */
  seeds?(): Uint8Array[];
  /** Leading bytes the mutators leave alone: an envelope header (which scenario, which flight). Default 0. */
  fixedPrefix?: number;
  /** Longest mutated input. Default 64 KiB. */
  maxLength?: number;
  /** A case taking longer than this (twice in a row) is a hang. Default 200 ms. */
  deadlineMs?: number;
  /** Feeds one input. Deterministic: the same bytes always take the same path. */
  run(input: Uint8Array): void;
}

/**
 * A rule broken without an exception reaching the target: a connection that turned an untyped exception into
 * internal_error, failed without sending its alert, or kept talking past the round limit. Always a crash.
 */
export class FuzzViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FuzzViolation';
  }
}

export function isTyped(target: FuzzTarget, e: unknown): boolean {
  return target.typedErrors.some((c) => e instanceof c);
}

export const DEFAULT_DEADLINE_MS = 200;
export const DEFAULT_MAX_LENGTH = 64 * 1024;
