// `tlslens check-key CERT [KEY]`: does the key belong to the certificate? Exit 0 match, 1 mismatch, 2 unreadable.
import { checkKey, formatReport, type CheckKeyReport } from '../../tools/check-key';
import { EXIT, readPassphrase, type CliIO } from '../io';
import { parse, type CommandSpec } from '../options';

export const spec: CommandSpec = {
  name: 'check-key',
  synopsis: 'check-key [options] CERT [KEY]',
  summary: 'Check that a private key matches a certificate, with the calls a server makes (SSL_CTX_use_certificate, SSL_CTX_use_PrivateKey, SSL_CTX_check_private_key) and a signature proof. KEY defaults to a key found in CERT\'s file.',
  options: [
    { name: 'passin', kind: 'string', arg: 'SPEC', help: 'passphrase for an encrypted key: pass:TEXT, env:VAR, file:PATH, stdin' },
    { name: 'json', kind: 'flag', help: 'the report as JSON' },
    { name: 'help', kind: 'flag', short: 'h', help: 'this help' },
  ],
  notes: ['Exit status: 0 the key matches, 1 it does not, 2 an input could not be read or holds no certificate/key.',
    'Compare: openssl x509 -noout -pubkey -in CERT | openssl sha256; openssl pkey -pubout -in KEY | openssl sha256'],
};

export function run(argv: string[], io: CliIO): number {
  const { values, positionals } = parse(spec, argv);
  if (positionals.length < 1 || positionals.length > 2) {
    io.err('check-key: give CERT and optionally KEY\n');
    return EXIT.USAGE;
  }
  const [certPath, keyPath] = positionals as [string, string | undefined];
  const read = (p: string) => ({ name: p, bytes: io.readFile(p) });
  let report: CheckKeyReport;
  try {
    const cert = read(certPath);
    const key = keyPath ? read(keyPath) : undefined;
    report = checkKey(cert, key, readPassphrase(values.passin as string | undefined, io));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    io.err(`check-key: cannot read ${err.path ?? ''}: ${err.code ?? err.message}\n`);
    return EXIT.UNREADABLE;
  }
  if (values.json) io.out(JSON.stringify(report, null, 2) + '\n');
  else io.out(formatReport(report));
  return report.status;
}
