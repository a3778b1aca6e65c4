// One options table per command feeds both node:util parseArgs and the help text (as OpenSSL's apps/ do).
import { parseArgs } from 'node:util';
import { UsageError } from './io';

export interface Option {
  name: string;
  /** 'flag' takes no value; 'string' one; the placeholder shows in help. */
  kind: 'flag' | 'string';
  arg?: string;
  help: string;
  short?: string;
}

export interface CommandSpec {
  name: string;
  synopsis: string;
  summary: string;
  options: Option[];
  /** Lines after the options: exit codes, examples. */
  notes?: string[];
}

export function parse(spec: CommandSpec, argv: string[]): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const options: Record<string, { type: 'boolean' | 'string'; short?: string }> = {};
  for (const o of spec.options) options[o.name] = { type: o.kind === 'flag' ? 'boolean' : 'string', ...(o.short ? { short: o.short } : {}) };
  try {
    const r = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: r.values as Record<string, string | boolean | undefined>, positionals: r.positionals };
  } catch (e) {
    throw new UsageError(`${spec.name}: ${(e as Error).message}`);
  }
}

export function helpText(spec: CommandSpec): string {
  const rows = spec.options.map((o) => [`  --${o.name}${o.arg ? ` ${o.arg}` : ''}${o.short ? `, -${o.short}` : ''}`, o.help]);
  const w = Math.max(...rows.map((r) => r[0]!.length), 10) + 2;
  return [
    `Usage: tlslens ${spec.synopsis}`,
    '',
    spec.summary,
    '',
    'Options:',
    ...rows.map(([a, b]) => a!.padEnd(w) + b),
    ...(spec.notes?.length ? ['', ...spec.notes] : []),
    '',
  ].join('\n');
}
