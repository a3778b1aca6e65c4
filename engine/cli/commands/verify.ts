// `tlslens verify [options] CERT...`: `openssl verify` that explains itself. For each CERT it prints openssl's
// lines (`CERT: OK`, or `error N at D depth lookup: TEXT`) and then the path it built, with every finding:
// which certificate, which rule, and what would fix it.
import { formatResult, verifyChain, type Purpose, type VerifyResult } from '../../x509/verify/index';
import { certsFromBytes, loadDirectory, loadSystemStore, mergeCerts, type LoadedCerts } from '../../x509/verify/trust-store';
import { EXIT, UsageError, type CliIO } from '../io';
import { parse, type CommandSpec } from '../options';

export const spec: CommandSpec = {
  name: 'verify',
  synopsis: 'verify [options] CERT...',
  summary: 'Verify certificate chains as openssl verify does (RFC 5280 path validation), and explain each failure: which certificate, which rule, what would fix it.',
  options: [
    { name: 'CAfile', kind: 'string', arg: 'FILE', help: 'trusted certificates (PEM bundle or one DER certificate)' },
    { name: 'CApath', kind: 'string', arg: 'DIR', help: 'a directory of trusted certificates (*.pem, *.crt, *.cer and c_rehash links)' },
    { name: 'untrusted', kind: 'string', arg: 'FILE', help: 'extra intermediates, untrusted, any order (the chain a server sends)' },
    { name: 'purpose', kind: 'string', arg: 'P', help: 'sslserver or sslclient: require that extendedKeyUsage' },
    { name: 'verify_hostname', kind: 'string', arg: 'HOST', help: 'check the leaf is valid for this DNS name (RFC 9525; no partial wildcards)' },
    { name: 'verify_ip', kind: 'string', arg: 'IP', help: 'check the leaf is valid for this IP address' },
    { name: 'attime', kind: 'string', arg: 'UNIX', help: 'verify at this time (seconds since 1970) instead of now' },
    { name: 'auth_level', kind: 'string', arg: 'N', help: 'security level 0-5: weak keys and digests (MD5; SHA-1 and RSA < 2048 from level 2) become errors; unset: warnings' },
    { name: 'partial_chain', kind: 'flag', help: 'accept a trusted certificate that is not self-signed as the anchor' },
    { name: 'check_ss_sig', kind: 'flag', help: 'also check the self-signature of the root' },
    { name: 'no_system', kind: 'flag', help: 'do not fall back to the system trust store when neither --CAfile nor --CApath is given' },
    { name: 'json', kind: 'flag', help: 'one JSON document: {results: [{file, ok, code, name, text, errorDepth, chain, errors, warnings, candidatesTried}]}' },
    { name: 'help', kind: 'flag', short: 'h', help: 'this help' },
  ],
  notes: [
    'CERT: the first certificate of each file is verified; any further certificates in the same file are used as untrusted intermediates (openssl ignores them).',
    'Trust: --CAfile and --CApath together; neither given: the system bundle (/etc/ssl/certs/ca-certificates.crt).',
    'Exit status: 0 every CERT verified, 1 a CERT failed verification, 2 a file could not be read or holds no certificate, 64 usage error.',
    '  (openssl verify exits 2 for any failure; --json carries the X509_V_ERR number as "code", the same number openssl prints.)',
    'Compare: openssl verify -CAfile root.pem -untrusted chain.pem -purpose sslserver -verify_hostname example.com leaf.pem',
  ],
};

export function run(argv: string[], io: CliIO): number {
  const { values, positionals } = parse(spec, argv);
  if (positionals.length === 0) {
    io.err('verify: name at least one CERT file\n');
    return EXIT.USAGE;
  }
  const purpose = values.purpose as string | undefined;
  if (purpose !== undefined && !['sslserver', 'sslclient', 'any'].includes(purpose)) throw new UsageError('verify: --purpose must be sslserver, sslclient or any');
  let time: Date | undefined;
  if (values.attime !== undefined) {
    if (!/^-?\d+$/.test(values.attime as string)) throw new UsageError('verify: --attime takes seconds since 1970-01-01 (as openssl -attime)');
    time = new Date(Number(values.attime) * 1000);
  }
  let authLevel: number | undefined;
  if (values.auth_level !== undefined) {
    authLevel = Number(values.auth_level);
    if (!Number.isInteger(authLevel) || authLevel < 0 || authLevel > 5) throw new UsageError('verify: --auth_level takes 0 to 5');
  }

  const read = (file: string): LoadedCerts | undefined => {
    try {
      return certsFromBytes(io.readFile(file), file);
    } catch (e) {
      io.err(`verify: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      return undefined;
    }
  };
  const sets: LoadedCerts[] = [];
  if (values.CAfile) {
    const s = read(values.CAfile as string);
    if (!s) return EXIT.UNREADABLE;
    sets.push(s);
  }
  if (values.CApath) {
    try {
      sets.push(loadDirectory(values.CApath as string));
    } catch (e) {
      io.err(`verify: cannot read directory ${values.CApath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      return EXIT.UNREADABLE;
    }
  }
  if (!sets.length && !values.no_system) sets.push(loadSystemStore());
  const trusted = mergeCerts(...sets);
  for (const p of trusted.problems) io.err(`verify: ${p.source}: ${p.message}\n`);
  let extra: LoadedCerts = { certs: [], problems: [] };
  if (values.untrusted) {
    const s = read(values.untrusted as string);
    if (!s) return EXIT.UNREADABLE;
    extra = s;
    for (const p of s.problems) io.err(`verify: ${p.source}: ${p.message}\n`);
  }

  let status: number = EXIT.OK;
  const results: ({ file: string } & Partial<VerifyResult> & { problem?: string })[] = [];
  for (const file of positionals) {
    const got = read(file);
    if (!got || got.certs.length === 0) {
      if (got) io.err(`verify: ${file}: no certificate${got.problems.length ? ` (${got.problems.map((p) => p.message).join('; ')})` : ''}\n`);
      results.push({ file, problem: got ? 'no certificate' : 'unreadable' });
      status = EXIT.UNREADABLE;
      continue;
    }
    const [target, ...rest] = got.certs;
    const r = verifyChain({ target: target!, untrusted: [...rest, ...extra.certs], trusted: trusted.certs }, {
      ...(time ? { time } : {}),
      ...(purpose ? { purpose: purpose as Purpose } : {}),
      ...(values.verify_hostname !== undefined ? { hostname: values.verify_hostname as string } : {}),
      ...(values.verify_ip !== undefined ? { ip: values.verify_ip as string } : {}),
      ...(authLevel !== undefined ? { authLevel } : {}),
      ...(values.partial_chain ? { partialChain: true } : {}),
      ...(values.check_ss_sig ? { checkAnchorSignature: true } : {}),
    });
    if (!r.ok && status === EXIT.OK) status = EXIT.MISMATCH_OR_PROBLEM;
    if (values.json) results.push({ file, ...r });
    else io.out(formatResult(r, file));
  }
  if (values.json) io.out(JSON.stringify({ results }, null, 2) + '\n');
  return status;
}
