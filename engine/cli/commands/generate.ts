// `tlslens generate`: a self-signed ECDSA P-256 certificate and key for localhost, like
// `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost`.
import fs from 'node:fs';
import { generateSelfSigned } from '../../x509/generate';
import { EXIT, type CliIO } from '../io';
import { parse, type CommandSpec } from '../options';

export const spec: CommandSpec = {
  name: 'generate',
  synopsis: 'generate [--subj CN] [--days N] --out CERT --keyout KEY',
  summary: 'Make a self-signed ECDSA P-256 certificate and its key (SANs: localhost and 127.0.0.1 unless --san is given).',
  options: [
    { name: 'subj', kind: 'string', arg: 'CN', help: 'the common name (default localhost)' },
    { name: 'san', kind: 'string', arg: 'NAMES', help: 'comma-separated DNS names and IPv4 addresses' },
    { name: 'days', kind: 'string', arg: 'N', help: 'validity in days (default 30)' },
    { name: 'out', kind: 'string', arg: 'FILE', help: 'certificate output (default: stdout)' },
    { name: 'keyout', kind: 'string', arg: 'FILE', help: 'private key output, mode 0600 (default: stdout)' },
    { name: 'help', kind: 'flag', short: 'h', help: 'this help' },
  ],
};

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(spec, argv);
  const names = (values.san as string | undefined)?.split(',').map((s) => s.trim()).filter(Boolean);
  const ips = names?.filter((n) => /^\d+\.\d+\.\d+\.\d+$/.test(n));
  const dns = names?.filter((n) => !/^\d+\.\d+\.\d+\.\d+$/.test(n));
  const id = await generateSelfSigned({
    ...(values.subj ? { commonName: String(values.subj) } : {}),
    ...(values.days ? { days: Number(values.days) } : {}),
    ...(dns ? { dnsNames: dns } : {}),
    ...(ips ? { ipAddresses: ips } : {}),
  });
  if (values.out) fs.writeFileSync(String(values.out), id.certPem);
  else io.out(id.certPem);
  if (values.keyout) fs.writeFileSync(String(values.keyout), id.keyPem, { mode: 0o600 });
  else io.out(id.keyPem);
  return EXIT.OK;
}
