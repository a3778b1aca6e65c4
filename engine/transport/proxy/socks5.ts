// SOCKS5 (RFC 1928): method negotiation, user name and password when the proxy asks for it (RFC 1929), then
// CONNECT to the target by name (socks5h) or by address (socks5). The password shows as asterisks in the trace.
import dns from 'node:dns';
import net from 'node:net';
import { shown, type PlainChannel } from '../channel';
import { authority, type ProxyConfig } from './url';

export const METHOD_NO_AUTH = 0x00;
export const METHOD_USER_PASS = 0x02;
export const METHOD_NONE_ACCEPTABLE = 0xff;

/** RFC 1928 section 6: the REP field. */
export const SOCKS5_REPLIES: Record<number, string> = {
  0: 'succeeded', 1: 'general SOCKS server failure', 2: 'connection not allowed by ruleset', 3: 'network unreachable',
  4: 'host unreachable', 5: 'connection refused', 6: 'TTL expired', 7: 'command not supported', 8: 'address type not supported',
};

export function encodeGreeting(withCredentials: boolean): Uint8Array {
  return withCredentials ? Uint8Array.of(5, 2, METHOD_NO_AUTH, METHOD_USER_PASS) : Uint8Array.of(5, 1, METHOD_NO_AUTH);
}

/** RFC 1929 section 2: VER 1, ULEN, UNAME, PLEN, PASSWD. */
export function encodeUserPass(user: string, pass: string): Uint8Array {
  const u = new TextEncoder().encode(user);
  const p = new TextEncoder().encode(pass);
  if (u.length > 255 || p.length > 255) throw new RangeError('SOCKS5 user name and password are at most 255 bytes each (RFC 1929)');
  return Uint8Array.from([1, u.length, ...u, p.length, ...p]);
}

/** CONNECT request (RFC 1928 section 4): ATYP 1 (IPv4), 3 (domain name) or 4 (IPv6). */
export function encodeConnect(host: string, port: number): Uint8Array {
  let addr: number[];
  if (net.isIPv4(host)) addr = [1, ...host.split('.').map(Number)];
  else if (net.isIPv6(host)) addr = [4, ...ipv6Bytes(host)];
  else {
    const name = new TextEncoder().encode(host);
    if (name.length > 255) throw new RangeError(`SOCKS5: the host name is ${name.length} bytes (at most 255)`);
    addr = [3, name.length, ...name];
  }
  return Uint8Array.from([5, 1, 0, ...addr, port >> 8, port & 0xff]);
}

function ipv6Bytes(ip: string): number[] {
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

/** The length of a CONNECT reply at the front of `b` (its size depends on ATYP), or undefined while incomplete. */
export function connectReplyLength(b: Uint8Array): number | undefined {
  if (b.length < 5) return undefined;
  const atyp = b[3];
  const addr = atyp === 1 ? 4 : atyp === 4 ? 16 : atyp === 3 ? 1 + b[4]! : -1;
  if (addr < 0) throw new Error(`ATYP ${atyp} is not 1, 3 or 4`);
  return 4 + addr + 2;
}

export async function socks5Connect(ch: PlainChannel, proxy: ProxyConfig, host: string, port: number): Promise<void> {
  const creds = proxy.username !== undefined;
  ch.send('greeting', encodeGreeting(creds), `version 5, methods: no authentication${creds ? ', user name/password (RFC 1929)' : ''}`);
  const method = await ch.bytes('greeting', 2, (b) => `version ${b[0]}, method ${b[1] === 0 ? 'no authentication' : b[1] === 2 ? 'user name/password' : b[1] === 0xff ? 'none acceptable' : `0x${b[1]!.toString(16)}`}`);
  if (method[0] !== 5) ch.fail('greeting', 'garbage', `the proxy answered ${shown(method)}, not SOCKS version 5`);
  if (method[1] === METHOD_NONE_ACCEPTABLE) ch.fail('greeting', 'refused', creds ? 'the proxy accepts none of our methods (no authentication, user name/password)' : 'the proxy wants authentication: give it as socks5://user:pass@host:port');
  if (method[1] === METHOD_USER_PASS) {
    if (!creds) ch.fail('greeting', 'garbage', 'the proxy chose user name/password, which we did not offer');
    const real = encodeUserPass(proxy.username!, proxy.password ?? '');
    const hidden = encodeUserPass(proxy.username!, '*'.repeat(new TextEncoder().encode(proxy.password ?? '').length));
    ch.send('authentication', real, undefined, { raw: hidden, text: `user "${proxy.username}", password hidden (RFC 1929)` });
    const st = await ch.bytes('authentication', 2, (b) => `version ${b[0]}, status ${b[1]}${b[1] === 0 ? ' (success)' : ' (failure)'}`);
    if (st[1] !== 0) ch.fail('authentication', 'refused', `the proxy refused the user name and password of "${proxy.username}" (status ${st[1]})`);
  } else if (method[1] !== METHOD_NO_AUTH) ch.fail('greeting', 'garbage', `the proxy chose method 0x${method[1]!.toString(16)}, which we did not offer`);
  let dest = host;
  if (!proxy.remoteDns && !net.isIP(host)) {
    try {
      dest = (await dns.promises.lookup(host)).address;
    } catch (e) {
      ch.fail('CONNECT', 'usage', `cannot resolve ${host}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (with socks5h:// the proxy resolves it)`);
    }
  }
  ch.send('CONNECT', encodeConnect(dest, port), `CONNECT ${authority(dest, port)}${dest !== host ? ` (${host})` : ''}`);
  const reply = await ch.receive('CONNECT', (b) => {
    if (b[0] !== 5) ch.fail('CONNECT', 'garbage', `the proxy answered ${shown(b)}, not a SOCKS5 reply`);
    let len: number | undefined;
    try {
      len = connectReplyLength(b);
    } catch (e) {
      ch.fail('CONNECT', 'garbage', `${(e as Error).message}: ${shown(b)}`);
    }
    if (len === undefined || b.length < len) return undefined;
    return { length: len, text: `reply ${b[1]}: ${SOCKS5_REPLIES[b[1]!] ?? 'unassigned'}`, value: b[1]! };
  });
  if (reply !== 0) ch.fail('CONNECT', 'refused', `the proxy could not connect to ${authority(host, port)}: ${SOCKS5_REPLIES[reply] ?? `reply ${reply}`} (RFC 1928 section 6)`);
}
