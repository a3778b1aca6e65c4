// `tlslens scan HOST:PORT`: what a server accepts (versions, suites in its order, groups, signature schemes,
// chains per key type, ALPN, resumption, renegotiation, EMS, EtM, fallback SCSV, compression, heartbeat,
// stapling) and the weaknesses that follow, found with our own client; progress on stderr, Ctrl-C cancels.
import { providerByName } from '../../crypto/node-provider';
import { versionName } from '../../registry/versions';
import { DEFAULT_CONCURRENCY, DEFAULT_PROBE_TIMEOUT_MS, SCAN_VERSIONS, scanServer } from '../../scan/scan';
import { ScanCancelled } from '../../scan/probe';
import { formatScanText } from '../../scan/format-text';
import { loadDirectory, loadFile, loadSystemStore, mergeCerts } from '../../x509/verify';
import { EXIT, UsageError, type CliIO } from '../io';
import { parse, type CommandSpec } from '../options';
import { parseHostPort } from '../tls-options';

/** s_client's version flags, one per scannable version: --tls1_2 scans only the ones named, --no_tls1_2 leaves one out. */
const VERSION_FLAGS: [string, number][] = [['ssl3', 0x0300], ['tls1', 0x0301], ['tls1_1', 0x0302], ['tls1_2', 0x0303], ['tls1_3', 0x0304]];

export const spec: CommandSpec = {
  name: 'scan',
  synopsis: 'scan [options] HOST:PORT',
  summary: 'Scan a TLS server: the versions, cipher suites (in the server\'s order), groups, signature schemes, certificate chains, ALPN, resumption, renegotiation and other features it accepts, and the weaknesses that follow, each explained.',
  options: [
    { name: 'servername', kind: 'string', arg: 'NAME', help: 'SNI (default: the host, unless it is an IP address)' },
    ...VERSION_FLAGS.map(([f, v]) => ({ name: f, kind: 'flag' as const, help: `scan ${versionName(v)} (with several such flags, only those; default all)` })),
    ...VERSION_FLAGS.map(([f, v]) => ({ name: `no_${f}`, kind: 'flag' as const, help: `do not scan ${versionName(v)}` })),
    { name: 'concurrency', kind: 'string', arg: 'N', help: `probes at once (default ${DEFAULT_CONCURRENCY})` },
    { name: 'timeout', kind: 'string', arg: 'MS', help: `milliseconds each probe may take to connect and to finish its handshake (default ${DEFAULT_PROBE_TIMEOUT_MS})` },
    { name: 'CAfile', kind: 'string', arg: 'FILE', help: 'trust anchors (PEM) for the chain verdicts (default: the system store)' },
    { name: 'CApath', kind: 'string', arg: 'DIR', help: 'a folder of trust anchors' },
    { name: 'crypto', kind: 'string', arg: 'NAME', help: 'crypto provider: node (node:crypto, the default for scans: faster) or noble' },
    { name: 'json', kind: 'flag', help: 'the report as JSON on stdout' },
    { name: 'quiet', kind: 'flag', short: 'q', help: 'no progress on stderr' },
    { name: 'help', kind: 'flag', short: 'h', help: 'this help' },
  ],
  notes: [
    'Suites the engine does not implement (export, anonymous, CAMELLIA, ARIA ...) are listed as not tested, never guessed.',
    'Exit status: 0 the scan finished, 1 the server accepted no scanned version, 2 an input could not be read, 130 cancelled (Ctrl-C).',
    'Example: tlslens scan example.com:443 --json > scan.json   (like sslscan or testssl.sh, with our own engine)',
  ],
};

export async function run(argv: string[], io: CliIO, signal?: AbortSignal): Promise<number> {
  const { values, positionals } = parse(spec, argv);
  const targetText = positionals[0];
  if (!targetText) throw new UsageError('scan: give HOST:PORT');
  if (positionals.length > 1) throw new UsageError(`scan: one target only (got ${positionals.join(' ')})`);
  const { host, port } = parseHostPort(targetText, 443);
  const only = VERSION_FLAGS.filter(([f]) => values[f]).map(([, v]) => v);
  const versions = (only.length ? only : SCAN_VERSIONS).filter((v) => !VERSION_FLAGS.some(([f, c]) => c === v && values[`no_${f}`]));
  if (!versions.length) throw new UsageError('scan: the version flags leave no version to scan');
  const concurrency = positiveInt(values.concurrency, 'concurrency', DEFAULT_CONCURRENCY);
  const timeoutMs = positiveInt(values.timeout, 'timeout', DEFAULT_PROBE_TIMEOUT_MS);
  let provider;
  try {
    provider = providerByName(typeof values.crypto === 'string' ? values.crypto : 'node');
  } catch (e) {
    throw new UsageError(`--crypto: ${(e as Error).message}`);
  }
  const stores = [];
  if (typeof values.CAfile === 'string') stores.push(loadFile(values.CAfile));
  if (typeof values.CApath === 'string') stores.push(loadDirectory(values.CApath));
  const trusted = (stores.length ? mergeCerts(...stores) : loadSystemStore()).certs;

  // Ctrl-C ends the probes under way and the scan; a second Ctrl-C is Node's default (exit at once).
  const ctl = new AbortController();
  const onSigint = () => ctl.abort();
  process.once('SIGINT', onSigint);
  signal?.addEventListener('abort', onSigint, { once: true });
  const progress = !values.quiet;
  try {
    const report = await scanServer({
      host, port, versions, concurrency, timeoutMs, provider, trusted, signal: ctl.signal,
      ...(typeof values.servername === 'string' ? { serverName: values.servername } : {}),
      ...(progress ? { onProgress: (p) => io.err(`\r[${p.done}/${p.total}] ${p.probe}`.padEnd(60).slice(0, 79)) } : {}),
    });
    if (progress) io.err('\r'.padEnd(80) + '\r');
    io.out(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatScanText(report));
    return report.versions.some((v) => v.status === 'yes') ? EXIT.OK : EXIT.MISMATCH_OR_PROBLEM;
  } catch (e) {
    if (e instanceof ScanCancelled) {
      if (progress) io.err('\n');
      io.err('tlslens scan: cancelled\n');
      return 130;
    }
    throw e;
  } finally {
    process.removeListener('SIGINT', onSigint);
    signal?.removeEventListener('abort', onSigint);
  }
}

function positiveInt(v: string | boolean | undefined, name: string, dflt: number): number {
  if (typeof v !== 'string') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} ${v}: give a whole number of at least 1`);
  return n;
}
