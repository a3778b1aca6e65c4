// HTTP CONNECT (RFC 9110 section 9.3.6): ask the proxy for a tunnel to host:port; a 2xx status opens it, and what
// follows the header block is the target's. Basic credentials (RFC 7617) in Proxy-Authorization (RFC 9110
// section 11.7.2); the trace shows them as asterisks.
import { shown, type PlainChannel } from '../channel';
import { authority, type ProxyConfig } from './url';

export interface HttpResponseHead {
  status: number;
  reason: string;
  headers: [string, string][];
}

/** The status line and header fields of a response whose head is complete in `b` (ends with an empty line). */
export function parseResponseHead(text: string): HttpResponseHead | undefined {
  const lines = text.split(/\r?\n/);
  const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (!m) return undefined;
  const headers: [string, string][] = [];
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) headers.push([l.slice(0, i).trim(), l.slice(i + 1).trim()]);
  }
  return { status: Number(m[1]), reason: m[2] ?? '', headers };
}

export async function httpConnect(ch: PlainChannel, proxy: ProxyConfig, host: string, port: number): Promise<void> {
  const target = authority(host, port);
  const lines = [`CONNECT ${target} HTTP/1.1`, `Host: ${target}`];
  let shownAs: { raw: Uint8Array; text: string } | undefined;
  if (proxy.username !== undefined) {
    const basic = Buffer.from(`${proxy.username}:${proxy.password ?? ''}`, 'utf8').toString('base64');
    const hidden = [...lines, `Proxy-Authorization: Basic ${'*'.repeat(basic.length)}`, '', ''].join('\r\n');
    shownAs = { raw: new TextEncoder().encode(hidden), text: hidden.replace(/\r\n\r\n$/, '').replace(/\*+$/, `(user "${proxy.username}", password hidden)`) };
    lines.push(`Proxy-Authorization: Basic ${basic}`);
  }
  const request = [...lines, '', ''].join('\r\n');
  ch.send('CONNECT', request, request.replace(/\r\n\r\n$/, ''), shownAs);
  const head = await ch.receive('CONNECT', (b) => {
    const end = Buffer.from(b.buffer, b.byteOffset, b.byteLength).indexOf('\r\n\r\n');
    const lfEnd = end < 0 ? Buffer.from(b.buffer, b.byteOffset, b.byteLength).indexOf('\n\n') : -1;
    if (!/^HTTP\/1\.[01] /.test(new TextDecoder().decode(b.subarray(0, Math.min(b.length, 9)))) && b.length >= 9) ch.fail('CONNECT', 'garbage', `the proxy answered ${shown(b)}, not an HTTP/1.1 response`);
    if (end < 0 && lfEnd < 0) return undefined;
    const length = end >= 0 ? end + 4 : lfEnd + 2;
    const text = new TextDecoder().decode(b.subarray(0, length)).replace(/\r?\n\r?\n$/, '');
    const parsed = parseResponseHead(text);
    if (!parsed) ch.fail('CONNECT', 'garbage', `the proxy answered ${shown(b)}, not an HTTP/1.1 status line`);
    return { length, text, value: parsed };
  });
  if (head.status >= 200 && head.status < 300) return;
  const header = (name: string) => head.headers.find(([k]) => k.toLowerCase() === name)?.[1];
  // 407 is the proxy's "credentials, please" (RFC 9110 section 15.5.8); some proxies (tinyproxy 1.11) answer 401.
  if (head.status === 407 || head.status === 401) {
    const asks = header('proxy-authenticate') ?? header('www-authenticate');
    ch.fail('CONNECT', 'refused', `the proxy wants credentials (${head.status} ${head.reason}${asks ? `, asking for ${asks}` : ''})${proxy.username !== undefined ? `: it did not accept those of "${proxy.username}"` : ': give them as http://user:pass@host:port'}`);
  }
  ch.fail('CONNECT', 'refused', `the proxy would not open a tunnel to ${target}: ${head.status} ${head.reason}`);
}
