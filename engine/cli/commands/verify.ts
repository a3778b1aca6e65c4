// `tlslens verify [options] CERT...`: `openssl verify` that explains itself. For each CERT it prints openssl's
// lines (`CERT: OK`, or `error N at D depth lookup: TEXT`) and then the path it built, with every finding:
// which certificate, which rule, and what would fix it. Revocation (CRLs, an OCSP response), policy processing
// and -x509_strict take openssl's option names.
import { parseArgs } from 'node:util';
import { crlsFromBytes, loadDirectoryCrls, type LoadedCrls, type VCrl } from '../../x509/verify/crl';
import { formatResult, revocationPointers, verifyChain, type Purpose, type VerifyResult } from '../../x509/verify/index';
import { certsFromBytes, loadDirectory, loadSystemStore, mergeCerts, type LoadedCerts } from '../../x509/verify/trust-store';
import type { VCert } from '../../x509/verify/cert';
import { EXIT, UsageError, type CliIO, readOperand } from '../io';
import type { CommandSpec } from '../options';

export const spec: CommandSpec = {
  name: 'verify',
  synopsis: 'verify [options] CERT...',
  summary: 'Verify certificate chains as openssl verify does (RFC 5280 path validation, CRLs, OCSP, policies), and explain each failure: which certificate, which rule, what would fix it.',
  options: [
    { name: 'CAfile', kind: 'string', arg: 'FILE', help: 'trusted certificates (PEM bundle or one DER certificate); X509 CRL blocks in it are used by --crl_check' },
    { name: 'CApath', kind: 'string', arg: 'DIR', help: 'a directory of trusted certificates (*.pem, *.crt, *.cer and c_rehash links; CRLs in HHHHHHHH.rN links)' },
    { name: 'untrusted', kind: 'string', arg: 'FILE', help: 'extra intermediates, untrusted, any order (the chain a server sends)' },
    { name: 'purpose', kind: 'string', arg: 'P', help: 'sslserver or sslclient: require that extendedKeyUsage' },
    { name: 'verify_hostname', kind: 'string', arg: 'HOST', help: 'check the leaf is valid for this DNS name (RFC 9525; no partial wildcards)' },
    { name: 'hostname', kind: 'string', arg: 'HOST', help: 'the same as --verify_hostname' },
    { name: 'verify_ip', kind: 'string', arg: 'IP', help: 'check the leaf is valid for this IP address' },
    { name: 'ip', kind: 'string', arg: 'IP', help: 'the same as --verify_ip' },
    { name: 'verify_email', kind: 'string', arg: 'EMAIL', help: 'check the leaf names this email address (rfc822Name, else subject emailAddress)' },
    { name: 'attime', kind: 'string', arg: 'TIME', help: 'verify at this time: seconds since 1970 (as openssl -attime) or ISO 8601 (2025-06-01, 2025-06-01T12:00:00Z)' },
    { name: 'auth_level', kind: 'string', arg: 'N', help: 'security level 0-5: weak keys and digests (MD5; SHA-1 and RSA < 2048 from level 2) become errors; unset: warnings' },
    { name: 'partial_chain', kind: 'flag', help: 'accept a trusted certificate that is not self-signed as the anchor' },
    { name: 'check_ss_sig', kind: 'flag', help: 'also check the self-signature of the root' },
    { name: 'x509_strict', kind: 'flag', help: 'RFC 5280 profile checks as openssl -x509_strict (critical basicConstraints in CAs, key identifiers, keyUsage, non-empty names...)' },
    { name: 'crl_check', kind: 'flag', help: 'check the leaf against a CRL from its issuer (error 3 when none is found)' },
    { name: 'crl_check_all', kind: 'flag', help: 'check every certificate of the path against a CRL, the root included (as openssl)' },
    { name: 'CRLfile', kind: 'string', arg: 'FILE', help: 'CRLs, PEM (any number of X509 CRL blocks) or DER; repeatable' },
    { name: 'ocsp_response', kind: 'string', arg: 'FILE', help: 'a DER OCSP response for the leaf (e.g. a saved staple, openssl ocsp -respout) checked against the path; a revoked status fails' },
    { name: 'policy_check', kind: 'flag', help: 'process certificate policies (RFC 5280 6.1): invalid policy extensions fail (42)' },
    { name: 'policy', kind: 'string', arg: 'OID', help: 'an acceptable policy (the user-initial-policy-set); repeatable; turns on policy processing' },
    { name: 'explicit_policy', kind: 'flag', help: 'require a valid policy from --policy (43 otherwise)' },
    { name: 'inhibit_any', kind: 'flag', help: 'anyPolicy in a certificate does not stand for every policy' },
    { name: 'inhibit_map', kind: 'flag', help: 'policyMappings are not honoured' },
    { name: 'no_system', kind: 'flag', help: 'do not fall back to the system trust store when neither --CAfile nor --CApath is given' },
    { name: 'json', kind: 'flag', help: 'one JSON document: {results: [{file, ok, code, name, text, errorDepth, chain, errors, warnings, candidatesTried, revocation, policy, revocationPointers}]}' },
    { name: 'help', kind: 'flag', short: 'h', help: 'this help' },
  ],
  notes: [
    'CERT: the first certificate of each file is verified; any further certificates in the same file are used as untrusted intermediates (openssl ignores them).',
    'Trust: --CAfile and --CApath together; neither given: the system bundle (/etc/ssl/certs/ca-certificates.crt).',
    'CRLs: --CRLfile ones first, then those in --CAfile/--CApath (as openssl), then X509 CRL blocks in --untrusted and the CERT files (openssl ignores those).',
    'Revocation pointers (CRL distribution points, OCSP URLs) are listed with --crl_check, --crl_check_all or --ocsp_response, and always in --json; nothing is fetched.',
    'Exit status: 0 every CERT verified, 1 a CERT failed verification, 2 a file could not be read or holds no certificate, 64 usage error.',
    '  (openssl verify exits 2 for any failure; --json carries the X509_V_ERR number as "code", the same number openssl prints.)',
    'Compare: openssl verify -CAfile root.pem -untrusted chain.pem -purpose sslserver -verify_hostname example.com leaf.pem',
  ],
};

const REPEATABLE = new Set(['CRLfile', 'policy']);
const OID = /^\d+(\.\d+)+$/;

function parseCli(argv: string[]): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  const options: Record<string, { type: 'boolean' | 'string'; short?: string; multiple?: boolean }> = {};
  for (const o of spec.options) options[o.name] = { type: o.kind === 'flag' ? 'boolean' : 'string', ...(o.short ? { short: o.short } : {}), ...(REPEATABLE.has(o.name) ? { multiple: true } : {}) };
  try {
    const r = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: r.values as Record<string, string | boolean | string[] | undefined>, positionals: r.positionals };
  } catch (e) {
    throw new UsageError(`verify: ${(e as Error).message}`);
  }
}

/** -attime: seconds since the epoch as openssl, or an ISO 8601 date/time (UTC unless an offset is given). */
export function parseAttime(s: string): Date {
  if (/^-?\d+$/.test(s)) return new Date(Number(s) * 1000);
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  if (m) {
    const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}${m[7] ? (m[7] === 'Z' ? 'Z' : m[7].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')) : 'Z'}`;
    const d = new Date(iso);
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new UsageError(`verify: --attime takes seconds since 1970 (as openssl -attime) or an ISO 8601 time such as 2025-06-01T12:00:00Z, not "${s}"`);
}

function alias(values: Record<string, unknown>, a: string, b: string): string | undefined {
  const x = values[a] as string | undefined;
  const y = values[b] as string | undefined;
  if (x !== undefined && y !== undefined && x !== y) throw new UsageError(`verify: --${a} and --${b} are the same option; give one`);
  return x ?? y;
}

export function run(argv: string[], io: CliIO): number {
  const { values, positionals } = parseCli(argv);
  if (positionals.length === 0) {
    io.err('verify: name at least one CERT file\n');
    return EXIT.USAGE;
  }
  const purpose = values.purpose as string | undefined;
  if (purpose !== undefined && !['sslserver', 'sslclient', 'any'].includes(purpose)) throw new UsageError('verify: --purpose must be sslserver, sslclient or any');
  const time = values.attime !== undefined ? parseAttime(values.attime as string) : undefined;
  let authLevel: number | undefined;
  if (values.auth_level !== undefined) {
    authLevel = Number(values.auth_level);
    if (!Number.isInteger(authLevel) || authLevel < 0 || authLevel > 5) throw new UsageError('verify: --auth_level takes 0 to 5');
  }
  const hostname = alias(values, 'verify_hostname', 'hostname');
  const ip = alias(values, 'verify_ip', 'ip');
  const policies = (values.policy as string[] | undefined) ?? [];
  for (const p of policies) if (!OID.test(p)) throw new UsageError(`verify: --policy takes an OID such as 2.23.140.1.2.1, not "${p}"`);
  const policyOn = !!(values.policy_check || values.explicit_policy || values.inhibit_any || values.inhibit_map || policies.length);
  const crlCheck = values.crl_check_all ? 'all' : values.crl_check ? 'leaf' : undefined;

  const read = (file: string): Uint8Array | undefined => readOperand(io, 'verify', file);
  const certsOf = (file: string): LoadedCerts | undefined => {
    const b = read(file);
    return b && certsFromBytes(b, file);
  };
  // CRL blocks of a file that also holds certificates (a CAfile, a bag): a file with none is not a problem.
  const crlsIn = (file: string): VCrl[] => {
    const b = read(file);
    if (!b || !new TextDecoder('utf-8', { fatal: false }).decode(b).includes('-----BEGIN X509 CRL-----')) return [];
    const got = crlsFromBytes(b, file);
    for (const p of got.problems) io.err(`verify: ${p.source}: ${p.message}\n`);
    return got.crls;
  };
  const sets: LoadedCerts[] = [];
  const storeCrls: VCrl[] = [];
  if (values.CAfile) {
    const s = certsOf(values.CAfile as string);
    if (!s) return EXIT.UNREADABLE;
    sets.push(s);
    if (crlCheck) storeCrls.push(...crlsIn(values.CAfile as string));
  }
  if (values.CApath) {
    try {
      sets.push(loadDirectory(values.CApath as string));
      if (crlCheck) storeCrls.push(...loadDirectoryCrls(values.CApath as string).crls);
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
    const s = certsOf(values.untrusted as string);
    if (!s) return EXIT.UNREADABLE;
    extra = s;
    for (const p of s.problems) io.err(`verify: ${p.source}: ${p.message}\n`);
    if (crlCheck) storeCrls.push(...crlsIn(values.untrusted as string));
  }
  const fileCrls: VCrl[] = [];
  for (const f of (values.CRLfile as string[] | undefined) ?? []) {
    const b = read(f);
    if (!b) return EXIT.UNREADABLE;
    const got: LoadedCrls = crlsFromBytes(b, f);
    for (const p of got.problems) io.err(`verify: ${p.source}: ${p.message}\n`);
    if (!got.crls.length) {
      io.err(`verify: ${f}: no CRL\n`);
      return EXIT.UNREADABLE;
    }
    fileCrls.push(...got.crls);
  }
  let ocspResponse: Uint8Array | undefined;
  if (values.ocsp_response !== undefined) {
    ocspResponse = read(values.ocsp_response as string);
    if (!ocspResponse) return EXIT.UNREADABLE;
  }
  const showPointers = !!(crlCheck || ocspResponse);

  let status: number = EXIT.OK;
  const results: Record<string, unknown>[] = [];
  for (const file of positionals) {
    const got = certsOf(file);
    if (!got || got.certs.length === 0) {
      if (got) io.err(`verify: ${file}: no certificate${got.problems.length ? ` (${got.problems.map((p) => p.message).join('; ')})` : ''}\n`);
      results.push({ file, problem: got ? 'no certificate' : 'unreadable' });
      status = EXIT.UNREADABLE;
      continue;
    }
    const [target, ...rest] = got.certs;
    const bagCrls = crlCheck ? crlsIn(file) : [];
    const r = verifyChain({ target: target!, untrusted: [...rest, ...extra.certs], trusted: trusted.certs }, {
      ...(time ? { time } : {}),
      ...(purpose ? { purpose: purpose as Purpose } : {}),
      ...(hostname !== undefined ? { hostname } : {}),
      ...(ip !== undefined ? { ip } : {}),
      ...(values.verify_email !== undefined ? { email: values.verify_email as string } : {}),
      ...(authLevel !== undefined ? { authLevel } : {}),
      ...(values.partial_chain ? { partialChain: true } : {}),
      ...(values.check_ss_sig ? { checkAnchorSignature: true } : {}),
      ...(values.x509_strict ? { x509Strict: true } : {}),
      ...(crlCheck ? { crlCheck, crls: fileCrls, storeCrls: [...storeCrls, ...bagCrls] } : {}),
      ...(ocspResponse ? { ocspResponse } : {}),
      ...(policyOn ? { policy: { check: true, policies, explicit: !!values.explicit_policy, inhibitAny: !!values.inhibit_any, inhibitMap: !!values.inhibit_map } } : {}),
    });
    if (!r.ok && status === EXIT.OK) status = EXIT.MISMATCH_OR_PROBLEM;
    const pathCerts = pathOf(r, [target!, ...rest, ...extra.certs, ...trusted.certs]);
    if (values.json) results.push({ file, ...r, revocationPointers: revocationPointers(pathCerts) });
    else {
      io.out(formatResult(r, file));
      if (showPointers) {
        io.out('\nRevocation pointers (not fetched):\n');
        for (const p of revocationPointers(pathCerts)) io.out(`  ${p.depth} ${p.label}: ${p.summary}\n`);
      }
    }
  }
  if (values.json) io.out(JSON.stringify({ results }, null, 2) + '\n');
  return status;
}

/** The certificates of the reported path, by fingerprint. */
function pathOf(r: VerifyResult, pool: VCert[]): VCert[] {
  const byId = new Map(pool.map((c) => [c.id, c]));
  return r.chain.map((l) => byId.get(l.fingerprint)).filter((c): c is VCert => !!c);
}
