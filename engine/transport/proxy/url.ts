// A proxy as a URL, as curl and VS Code's http.proxy write it: http://[user:pass@]host:port for HTTP CONNECT,
// socks5://... (names resolved here, as curl's socks5) or socks5h://... (names resolved by the proxy).

export interface ProxyConfig {
  kind: 'http' | 'socks5';
  /** socks5h: the proxy resolves the target's name; socks5: we resolve it and send the address. */
  remoteDns: boolean;
  host: string;
  port: number;
  username?: string;
  password?: string;
}

export class ProxyUrlError extends Error {
  constructor(readonly url: string, detail: string) {
    super(`proxy ${redactUrl(url)}: ${detail}`);
    this.name = 'ProxyUrlError';
  }
}

/** The URL with its password replaced, for messages and settings shown. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z0-9+.-]+:\/\/[^:@/]*:)[^@/]*@/i, '$1****@');
}

const DEFAULT_PORT = { http: 80, socks5: 1080 } as const;

export function parseProxyUrl(text: string): ProxyConfig {
  let u: URL;
  try {
    u = new URL(/^[a-z0-9+.-]+:\/\//i.test(text.trim()) ? text.trim() : `http://${text.trim()}`);
  } catch {
    throw new ProxyUrlError(text, 'not a URL (http://[user:pass@]host:port or socks5://[user:pass@]host:port)');
  }
  const scheme = u.protocol.slice(0, -1).toLowerCase();
  if (scheme === 'https') throw new ProxyUrlError(text, 'a proxy reached over TLS (https://) is not supported; use http:// (the CONNECT tunnel still carries TLS end to end)');
  if (scheme !== 'http' && scheme !== 'socks5' && scheme !== 'socks5h') throw new ProxyUrlError(text, `the scheme ${scheme}:// is not supported (http, socks5 or socks5h)`);
  if (!u.hostname) throw new ProxyUrlError(text, 'no host');
  const kind = scheme === 'http' ? 'http' : 'socks5';
  const port = u.port ? Number(u.port) : DEFAULT_PORT[kind];
  const user = decodeURIComponent(u.username);
  const pass = decodeURIComponent(u.password);
  if (kind === 'socks5' && (user.length > 255 || pass.length > 255)) throw new ProxyUrlError(text, 'a SOCKS5 user name and password are at most 255 bytes each (RFC 1929)');
  return {
    kind, remoteDns: scheme === 'socks5h', host: u.hostname.replace(/^\[|\]$/g, ''), port,
    ...(user ? { username: user } : {}), ...(user || pass ? { password: pass } : {}),
  };
}

/** host:port as a request target: IPv6 literals in brackets. */
export function authority(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}
