// The `tlslens` command: the engine's front door, in OpenSSL's dialect.
import pkg from '../../package.json';
import * as checkKey from './commands/check-key';
import * as connect from './commands/connect';
import * as decode from './commands/decode';
import * as drift from './commands/drift';
import * as ech from './commands/ech';
import * as generate from './commands/generate';
import * as lint from './commands/lint';
import * as scan from './commands/scan';
import * as serve from './commands/serve';
import * as verify from './commands/verify';
import { EXIT, UsageError, type CliIO } from './io';
import { helpText, type CommandSpec } from './options';

interface Command {
  spec: CommandSpec;
  run: (argv: string[], io: CliIO) => number | Promise<number>;
}

export const COMMANDS: Record<string, Command> = { connect, serve, decode, 'check-key': checkKey, generate, verify, scan, lint, ech, drift };

function mainHelp(): string {
  const w = Math.max(...Object.keys(COMMANDS).map((k) => k.length)) + 4;
  return [
    `tlslens ${pkg.version}: TLS and certificate debugging, in the spirit of openssl s_client, s_server, x509 and verify.`,
    '',
    'Usage: tlslens COMMAND [options]   (tlslens COMMAND --help for its options)',
    '',
    'Commands:',
    ...Object.values(COMMANDS).map((c) => `  ${c.spec.name.padEnd(w)}${c.spec.summary.split('. ')[0]}`),
    '',
    'Options: --help, --version',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(mainHelp());
    return name ? EXIT.OK : EXIT.USAGE;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.out(`tlslens ${pkg.version}\n`);
    return EXIT.OK;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.err(`tlslens: unknown command "${name}"\n\n${mainHelp()}`);
    return EXIT.USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(helpText(cmd.spec));
    return EXIT.OK;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`tlslens ${e.message}\n`);
      return EXIT.USAGE;
    }
    io.err(`tlslens ${name}: ${(e as Error).message}\n`);
    return EXIT.UNREADABLE;
  }
}

