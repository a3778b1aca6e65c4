// `tlslens ech`: make an Encrypted Client Hello key and ECHConfig (RFC 9849) for `tlslens serve --ech_key`, or
// show the ECHConfigList in a file or base64 string, in the spirit of the ECH branch's
// `openssl ech -public_name NAME -pemout FILE`. Prints the ECHConfigList as base64, what `connect --ech-config`
// and DNS HTTPS records (ech=) take.
import fs from 'node:fs';
import { configListBase64, describeEchConfig, echConfigSummary, echKeyToPem, EchConfigError, generateEchKey, loadEchConfigList, serverConfigOf } from '../../ech/config';
import { EXIT, UsageError, type CliIO } from '../io';
import { parse, type CommandSpec } from '../options';

export const spec: CommandSpec = {
  name: 'ech',
  synopsis: 'ech --public_name NAME [--pemout FILE] | ech --in FILE|BASE64',
  summary: 'Make an Encrypted Client Hello key and config (X25519, HKDF-SHA256, AES-128-GCM and ChaCha20-Poly1305) for tlslens serve --ech_key, or decode an ECHConfigList; prints the ECHConfigList as base64 for connect --ech-config.',
  options: [
    { name: 'public_name', kind: 'string', arg: 'NAME', help: 'the public name clients put in the outer SNI (also --public-name)' },
    { name: 'public-name', kind: 'string', arg: 'NAME', help: 'same as --public_name' },
    { name: 'max_name_length', kind: 'string', arg: 'N', help: 'maximum_name_length of the config, for clients\' padding (default 0)' },
    { name: 'config_id', kind: 'string', arg: 'N', help: 'config_id 0..255 (default random, RFC 9849 section 4.1)' },
    { name: 'pemout', kind: 'string', arg: 'FILE', help: 'write the private key and the ECHCONFIG block to FILE, mode 0600 (default: stdout)' },
    { name: 'in', kind: 'string', arg: 'FILE|BASE64', help: 'decode this ECHConfigList (a file or base64) instead of making one' },
    { name: 'json', kind: 'flag', help: 'JSON: the base64 list and each config decoded' },
    { name: 'help', kind: 'flag', short: 'h', help: 'this help' },
  ],
  notes: [
    'The key file holds a secret: anyone with it can read the ClientHellos encrypted to its config.',
    'Example: tlslens ech --public_name public.example --pemout ech.pem; tlslens serve --ech_key ech.pem; tlslens connect 127.0.0.1:4433 --servername secret.example --ech-config ech.pem',
  ],
};

function intOption(v: string | boolean | undefined, name: string, max: number): number | undefined {
  if (typeof v !== 'string') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new UsageError(`ech: --${name} ${v}: an integer 0..${max}`);
  return n;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(spec, argv);
  const json = !!values.json;
  if (typeof values.in === 'string') {
    let loaded;
    try {
      loaded = loadEchConfigList(values.in);
    } catch (e) {
      if (e instanceof EchConfigError) {
        io.err(`tlslens ech: ${e.message}\n`);
        return EXIT.UNREADABLE;
      }
      throw e;
    }
    if (json) io.out(JSON.stringify({ echConfigList: configListBase64(loaded.bytes), configs: loaded.configs.map(echConfigSummary) }) + '\n');
    else io.out([`ECHConfigList (${loaded.bytes.length} bytes, ${loaded.configs.length} config(s)): ${configListBase64(loaded.bytes)}`, ...loaded.configs.map((c, i) => `  ${i}: ${describeEchConfig(c)}`), ''].join('\n'));
    return EXIT.OK;
  }
  const publicName = (values.public_name ?? values['public-name']) as string | undefined;
  if (!publicName) throw new UsageError('ech: give --public_name NAME (or --in to decode a config list)');
  let key;
  try {
    const maximumNameLength = intOption(values.max_name_length, 'max_name_length', 255);
    const configId = intOption(values.config_id, 'config_id', 255);
    key = generateEchKey({ publicName, ...(maximumNameLength !== undefined ? { maximumNameLength } : {}), ...(configId !== undefined ? { configId } : {}) });
  } catch (e) {
    if (e instanceof EchConfigError) throw new UsageError(`ech: --public_name ${e.message}`);
    throw e;
  }
  const list = serverConfigOf([key]).retryConfigs;
  const pem = echKeyToPem(key);
  if (typeof values.pemout === 'string') fs.writeFileSync(values.pemout, pem, { mode: 0o600 });
  if (json) io.out(JSON.stringify({ echConfigList: configListBase64(list), configs: [echConfigSummary(key.config)], ...(typeof values.pemout === 'string' ? { pemout: values.pemout } : { pem }) }) + '\n');
  else {
    if (typeof values.pemout !== 'string') io.out(pem);
    io.out(`ECH: ${describeEchConfig(key.config)}\nECHConfigList (base64): ${configListBase64(list)}\n`);
  }
  return EXIT.OK;
}
