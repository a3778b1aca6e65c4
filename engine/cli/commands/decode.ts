// `tlslens decode FILE...`: what `openssl x509 -text`, `req -text`, `crl -text` and `pkey -pubout -text` print,
// for every block of every file (PEM or DER), with problems pointing at the line.
import { decodeBytes, withoutSecrets } from '../../x509/decode';
import { formatFile } from '../../x509/format-text';
import { EXIT, readPassphrase, type CliIO, readOperand } from '../io';
import { parse, type CommandSpec } from '../options';

export const spec: CommandSpec = {
  name: 'decode',
  synopsis: 'decode [options] FILE...',
  summary: 'Decode every PEM block (or a DER file): certificates, requests, CRLs, keys (public half only), PKCS#7 bundles.',
  options: [
    { name: 'json', kind: 'flag', help: 'one JSON document: {files: [{file, format, items, problems}]}' },
    { name: 'passin', kind: 'string', arg: 'SPEC', help: 'passphrase for encrypted keys: pass:TEXT, env:VAR, file:PATH, stdin' },
    { name: 'help', kind: 'flag', short: 'h', help: 'this help' },
  ],
  notes: ['Exit status: 0 all decoded, 1 a block has a problem, 2 a file could not be read.', 'Example: tlslens decode server.pem   (like: openssl x509 -in server.pem -text -noout)'],
};

export function run(argv: string[], io: CliIO): number {
  const { values, positionals } = parse(spec, argv);
  if (positionals.length === 0) {
    io.err('decode: name at least one FILE\n');
    return EXIT.USAGE;
  }
  const passphrase = readPassphrase(values.passin as string | undefined, io);
  let status: number = EXIT.OK;
  const json: unknown[] = [];
  for (const file of positionals) {
    const bytes = readOperand(io, 'decode', file);
    if (!bytes) {
      status = EXIT.UNREADABLE;
      continue;
    }
    const decoded = decodeBytes(bytes, passphrase !== undefined ? { passphrase } : {});
    if (decoded.items.length === 0) {
      const p = { code: 'no-blocks', line: 0, message: `${file}: no PEM block (-----BEGIN ...-----) and not DER` };
      decoded.problems.push(p as never);
    }
    if (decoded.problems.length && status === EXIT.OK) status = EXIT.MISMATCH_OR_PROBLEM;
    if (values.json) json.push({ file, ...withoutSecrets(decoded) });
    else {
      io.out(formatFile(decoded, file));
      for (const p of decoded.problems) io.err(`${file}:${p.line + 1}: ${p.message}\n`);
    }
  }
  if (values.json) io.out(JSON.stringify({ files: json }, bytesAsHex, 2) + '\n');
  return status;
}

/** DER bytes in JSON as hex strings. */
export function bytesAsHex(_k: string, v: unknown): unknown {
  return v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v;
}
