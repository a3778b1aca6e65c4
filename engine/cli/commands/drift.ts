// `tlslens drift HOST:PORT FILE...`: is the chain the server sends the one in these files, does the served leaf match
// their key, how far is each from expiry? FILE is a certificate (PEM or DER, chain after the leaf), a key, a PEM with
// both, or a server configuration naming them (nginx, Apache, HAProxy, envoy, a Kubernetes TLS Secret).
import path from 'node:path';
import { compareDrift, driftText, type DriftInput, type DriftReport } from '../../tools/drift';
import { findConfigRefs, type ConfigRef } from '../../tools/config-refs';
import { fetchServedChain } from '../../tools/served-chain';
import { decodeBytes, isPrivateKeyLabel } from '../../x509/decode';
import { EXIT, readPassphrase, UsageError, type CliIO } from '../io';
import { parse, type CommandSpec } from '../options';
import { parseHostPort } from '../tls-options';

export const spec: CommandSpec = {
  name: 'drift',
  synopsis: 'drift [options] HOST:PORT FILE...',
  summary: 'Compare the chain a server sends with the certificate, chain and key in the workspace (files or a server configuration): same chain, key match, expiry.',
  options: [
    { name: 'servername', kind: 'string', arg: 'NAME', help: 'SNI (default: the host, unless it is an IP address)' },
    { name: 'passin', kind: 'string', arg: 'SPEC', help: 'passphrase for an encrypted key: pass:TEXT, env:VAR, file:PATH, stdin' },
    { name: 'timeout', kind: 'string', arg: 'SECONDS', help: 'connect and handshake timeout (default 10)' },
    { name: 'json', kind: 'flag', help: 'the report as JSON' },
    { name: 'help', kind: 'flag', short: 'h', help: 'this help' },
  ],
  notes: [
    'A configuration\'s relative paths are read from its own folder; with several server blocks, each is compared.',
    'Exit status: 0 the served chain is the workspace\'s and the key matches, 1 they differ (or the server could not be reached), 2 a file could not be read.',
    'Compare: openssl s_client -connect HOST:PORT -showcerts </dev/null, then openssl x509 -fingerprint -sha256 on each',
  ],
};

type Source = { name: string; bytes: Uint8Array };

/** The workspace side of each comparison: one per configuration group, or one from plain files. */
function inputsFrom(files: string[], io: CliIO): { label: string; input: Omit<DriftInput, 'served'> }[] {
  const plain: { cert?: Source; chain?: Source; key?: Source } = {};
  const out: { label: string; input: Omit<DriftInput, 'served'> }[] = [];
  for (const f of files) {
    const bytes = io.readFile(f);
    const text = new TextDecoder().decode(bytes);
    const refs = findConfigRefs(text, f);
    if (refs.length) {
      const groups = new Map<string, ConfigRef[]>();
      for (const r of refs) groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
      for (const [group, rs] of groups) {
        const load = (r: ConfigRef | undefined): Source | undefined => r && (r.inline ? { name: `${f}:${r.line + 1} (${r.directive})`, bytes: r.inline } : { name: path.resolve(path.dirname(f), r.path!), bytes: io.readFile(path.resolve(path.dirname(f), r.path!)) });
        const cert = load(rs.find((r) => r.role === 'certificate' || r.role === 'certificate+key'));
        if (!cert) continue;
        const chain = load(rs.find((r) => r.role === 'chain' && r.directive !== 'ca.crt'));
        const key = load(rs.find((r) => r.role === 'key'));
        out.push({ label: `${f} ${group}`, input: { certificate: cert, ...(chain ? { chain } : {}), ...(key ? { key } : {}) } });
      }
      continue;
    }
    const items = decodeBytes(bytes).items;
    const hasCert = items.some((i) => i.object?.kind === 'certificate');
    const hasKey = items.some((i) => isPrivateKeyLabel(i.label));
    if (hasCert && !plain.cert) plain.cert = { name: f, bytes };
    else if (hasCert) plain.chain = { name: f, bytes };
    if (hasKey && (!hasCert || !plain.key)) plain.key = { name: f, bytes };
    if (!hasCert && !hasKey) throw new UsageError(`drift: ${f} holds no certificate or key and is not a configuration this reads (nginx, Apache, HAProxy, envoy, Kubernetes Secret)`);
  }
  if (plain.cert) out.push({ label: plain.cert.name, input: { certificate: plain.cert, ...(plain.chain ? { chain: plain.chain } : {}), ...(plain.key ? { key: plain.key } : {}) } });
  else if (plain.key) throw new UsageError('drift: a key was given but no certificate');
  return out;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(spec, argv);
  const [target, ...files] = positionals;
  if (!target || !files.length) throw new UsageError('drift: give HOST:PORT and at least one FILE');
  const { host, port } = parseHostPort(target, 443);
  let inputs;
  try {
    inputs = inputsFrom(files, io);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const err = e as NodeJS.ErrnoException;
    io.err(`drift: cannot read ${err.path ?? ''}: ${err.code ?? err.message}\n`);
    return EXIT.UNREADABLE;
  }
  if (!inputs.length) throw new UsageError('drift: the files name no certificate');
  const timeoutMs = values.timeout ? Number(values.timeout) * 1000 : 10_000;
  const served = await fetchServedChain(host, port, { ...(typeof values.servername === 'string' ? { serverName: values.servername } : {}), timeoutMs });
  if (!served.chain.length) {
    io.err(`drift: ${host}:${port} sent no certificate${served.error ? `: ${served.error}` : ''}\n`);
    return EXIT.MISMATCH_OR_PROBLEM;
  }
  const passphrase = readPassphrase(values.passin as string | undefined, io);
  const reports: { label: string; report: DriftReport }[] = [];
  for (const { label, input } of inputs) reports.push({ label, report: compareDrift({ ...input, served: served.chain, ...(passphrase !== undefined ? { passphrase } : {}) }) });
  if (values.json) io.out(JSON.stringify(reports.map((r) => ({ label: r.label, ...r.report })), null, 2) + '\n');
  else for (const r of reports) io.out(`${host}:${port} vs ${r.label}\n${driftText(r.report)}`);
  const same = reports.every((r) => r.report.sameChain && r.report.keyMatchesServed !== false);
  return same ? EXIT.OK : EXIT.MISMATCH_OR_PROBLEM;
}
