// Encrypted Client Hello on the command line (RFC 9849), in the spelling of OpenSSL's ECH branch where it has one:
// connect --ech-config FILE|BASE64 (s_client -ech_config_list), --ech-grease (s_client -ech_grease); serve
// --ech_key FILE (s_server -ech_key) or --ech-public-name NAME (a key made for the run). The outcome line:
// "ECH: accepted", "ECH: rejected, retry_configs BASE64", "ECH: GREASE sent".
import fs from 'node:fs';
import { configListBase64, describeEchConfig, echKeyFromPem, EchConfigError, generateEchKey, loadEchConfigList, serverConfigOf, type EchServerKey } from '../ech/config';
import type { SessionOptions } from '../net/session';
import type { TraceEvent } from '../trace/events';
import { UsageError } from './io';
import type { Option } from './options';

export const ECH_CONNECT_OPTIONS: Option[] = [
  { name: 'ech-config', kind: 'string', arg: 'FILE|BASE64', help: 'offer Encrypted Client Hello (RFC 9849) with this ECHConfigList: a file (binary, base64, or the PEM of openssl ech / tlslens ech) or base64 as in a DNS HTTPS record; TLS 1.3 only' },
  { name: 'ech_config_list', kind: 'string', arg: 'FILE|BASE64', help: 'same as --ech-config (OpenSSL ECH branch spelling)' },
  { name: 'ech-grease', kind: 'flag', help: 'send a GREASE encrypted_client_hello (RFC 9849 section 6.2; also --ech_grease)' },
  { name: 'ech_grease', kind: 'flag', help: 'same as --ech-grease' },
];

export const ECH_SERVE_OPTIONS: Option[] = [
  { name: 'ech_key', kind: 'string', arg: 'FILE', help: 'accept Encrypted Client Hello with the key and ECHConfig in FILE (PRIVATE KEY and ECHCONFIG PEM blocks, as openssl ech -pemout and tlslens ech write; as s_server -ech_key; also --ech-key)' },
  { name: 'ech-key', kind: 'string', arg: 'FILE', help: 'same as --ech_key' },
  { name: 'ech-public-name', kind: 'string', arg: 'NAME', help: 'accept Encrypted Client Hello with a key made for this run, public_name NAME; its ECHConfigList is printed for clients' },
];

/** connect: the ECH settings of --ech-config / --ech_config_list / --ech-grease. */
export function echClientSettings(values: Record<string, string | boolean | undefined>): Pick<SessionOptions, 'ech'> {
  const arg = (values['ech-config'] ?? values.ech_config_list) as string | undefined;
  const grease = !!(values['ech-grease'] || values.ech_grease);
  if (arg === undefined) return grease ? { ech: { grease: true } } : {};
  const maxBelow13 = typeof values['max-version'] === 'string' && !/1[._]?3$/.test(values['max-version']);
  if (maxBelow13 || values.tls1_2 || values['tls1.2'] || values.tls1_1 || values['tls1.1'] || values.tls1 || values.ssl3 || values.no_tls1_3 || values.dtls || values.dtls1 || values.dtls1_2 || values['dtls1.2'])
    throw new UsageError('--ech-config: Encrypted Client Hello needs TLS 1.3 (RFC 9849 section 6.1)');
  try {
    return { ech: { configs: loadEchConfigList(arg).configs, grease } };
  } catch (e) {
    if (e instanceof EchConfigError) throw new UsageError(`--ech-config: ${e.message}`);
    throw e;
  }
}

/** serve: the server's ECH key from --ech_key or --ech-public-name, or undefined. */
export function echServerKey(values: Record<string, string | boolean | undefined>): EchServerKey | undefined {
  const file = (values.ech_key ?? values['ech-key']) as string | undefined;
  const name = values['ech-public-name'] as string | undefined;
  if (file && name) throw new UsageError('--ech_key and --ech-public-name: choose one');
  try {
    if (file) return echKeyFromPem(fs.readFileSync(file, 'utf8'), file);
    if (name) return generateEchKey({ publicName: name });
  } catch (e) {
    if (e instanceof EchConfigError) throw new UsageError(`${file ? '--ech_key' : '--ech-public-name'}: ${e.message}`);
    if ((e as NodeJS.ErrnoException).code) throw new UsageError(`--ech_key ${file}: ${(e as NodeJS.ErrnoException).code}`);
    throw e;
  }
  return undefined;
}

export function echServerSettings(key: EchServerKey): Pick<SessionOptions, 'echServer'> {
  return { echServer: serverConfigOf([key]) };
}

/** The lines serve prints about its ECH key: what it is, and the ECHConfigList a client passes to --ech-config. */
export function echServerBanner(key: EchServerKey): string {
  const cfg = serverConfigOf([key]);
  return `ECH: ${describeEchConfig(key.config)}\nECH config list (base64, for connect --ech-config): ${configListBase64(cfg.retryConfigs)}\n`;
}

/** What a connection's ECH came to, gathered from its 'ech' trace events. */
export class EchOutcome {
  status?: 'offered' | 'grease' | 'accepted' | 'rejected';
  retryConfigs?: NonNullable<Extract<TraceEvent, { kind: 'ech' }>['retryConfigs']>;

  readonly listener = (e: TraceEvent): void => {
    if (e.kind !== 'ech') return;
    if (e.status === 'retry_configs') this.retryConfigs = e.retryConfigs;
    else if (!(this.status === 'grease' && e.status === 'rejected')) this.status = e.status === 'offered' && this.status === 'accepted' ? 'accepted' : e.status;
  };

  /** "ECH: accepted" and the like, or nothing when ECH was not offered. */
  line(): string | undefined {
    switch (this.status) {
      case undefined: return undefined;
      case 'accepted': return 'ECH: accepted';
      case 'grease': return 'ECH: GREASE sent (no ECH negotiated)';
      case 'rejected': return this.retryConfigs
        ? `ECH: rejected, retry_configs ${this.retryConfigs.base64} (${this.retryConfigs.configs.map((c) => (c.configId !== undefined ? `config_id ${c.configId}, public_name ${c.publicName}` : `version 0x${c.version.toString(16)}`)).join('; ')})`
        : 'ECH: rejected, no retry_configs (the server has ECH disabled)';
      default: return `ECH: ${this.status} (the handshake did not get as far as the server's answer)`;
    }
  }

  json(): Record<string, unknown> {
    if (!this.status) return {};
    return { ech: { status: this.status, ...(this.retryConfigs ? { retryConfigs: this.retryConfigs.base64, retryConfigsDecoded: this.retryConfigs.configs } : {}) } };
  }
}
