// `connect --starttls PROTO`, `--proxy URL` and `--name`/`--xmpphost`: the options of s_client that put a
// plaintext exchange before TLS, read into engine/transport's options.
import { STARTTLS_NAMES, startTlsProtocol } from '../transport/starttls/index';
import { parseProxyUrl, ProxyUrlError, type ProxyConfig } from '../transport/proxy/url';
import { readPassphrase, UsageError, type CliIO } from './io';
import type { Option } from './options';

export const TRANSPORT_OPTIONS: Option[] = [
  { name: 'starttls', kind: 'string', arg: 'PROTO', help: `upgrade a plaintext connection first, as s_client -starttls: ${STARTTLS_NAMES.join(', ')} (postgres-direct: PostgreSQL 17's direct TLS with ALPN postgresql)` },
  { name: 'name', kind: 'string', arg: 'NAME', help: 'with --starttls smtp/lmtp: the EHLO/LHLO name (default mail.example.com); xmpp/xmpp-server: the XMPP domain (default the host), as s_client -name' },
  { name: 'xmpphost', kind: 'string', arg: 'NAME', help: 'the XMPP domain for --starttls xmpp/xmpp-server (as s_client -xmpphost)' },
  { name: 'proxy', kind: 'string', arg: 'URL', help: 'connect through a proxy: http://[user:pass@]host:port (HTTP CONNECT, Basic auth; host:port alone as s_client -proxy) or socks5://[user:pass@]host:port (socks5h:// lets the proxy resolve the name)' },
  { name: 'proxy_user', kind: 'string', arg: 'USER', help: 'the proxy user name (as s_client -proxy_user)' },
  { name: 'proxy_pass', kind: 'string', arg: 'ARG', help: 'the proxy password: pass:TEXT, env:VAR, file:PATH or stdin (as s_client -proxy_pass)' },
];

export interface TransportChoice {
  starttls?: string;
  name?: string;
  proxy?: ProxyConfig;
}

/** The transport options given, checked; undefined when none was. */
export function transportFromOptions(values: Record<string, string | boolean | undefined>, dtls: boolean, io?: CliIO): TransportChoice | undefined {
  const starttls = values.starttls as string | undefined;
  const proxyUrl = values.proxy as string | undefined;
  const name = (values.xmpphost ?? values.name) as string | undefined;
  if (starttls === undefined && proxyUrl === undefined) {
    if (values.proxy_user !== undefined || values.proxy_pass !== undefined) throw new UsageError('--proxy_user and --proxy_pass need --proxy');
    if (name !== undefined) throw new UsageError(`--${values.xmpphost !== undefined ? 'xmpphost' : 'name'} needs --starttls`);
    return undefined;
  }
  if (dtls) throw new UsageError('--starttls and --proxy are for TLS over TCP, not DTLS');
  if (values.reconnect) throw new UsageError('--reconnect is not built with --starttls or --proxy yet');
  if (starttls !== undefined && !startTlsProtocol(starttls)) throw new UsageError(`--starttls ${starttls}: not a protocol (one of ${STARTTLS_NAMES.join(', ')})`);
  if (values.xmpphost !== undefined && !/^xmpp/.test(starttls ?? '')) throw new UsageError('--xmpphost is for --starttls xmpp or xmpp-server');
  let proxy: ProxyConfig | undefined;
  if (proxyUrl !== undefined) {
    try {
      proxy = parseProxyUrl(proxyUrl);
    } catch (e) {
      if (e instanceof ProxyUrlError) throw new UsageError(`--proxy: ${e.message}`);
      throw e;
    }
    if (typeof values.proxy_user === 'string') proxy.username = values.proxy_user;
    if (typeof values.proxy_pass === 'string') {
      if (proxy.username === undefined) throw new UsageError('--proxy_pass needs --proxy_user (or user:pass in the --proxy URL)');
      proxy.password = io ? readPassphrase(values.proxy_pass, io) : values.proxy_pass.replace(/^pass:/, '');
    }
  } else if (values.proxy_user !== undefined || values.proxy_pass !== undefined) {
    throw new UsageError('--proxy_user and --proxy_pass need --proxy');
  }
  return { ...(starttls ? { starttls: starttls.toLowerCase() } : {}), ...(name ? { name } : {}), ...(proxy ? { proxy } : {}) };
}
