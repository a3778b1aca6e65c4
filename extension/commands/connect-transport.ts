// What Connect to Host adds before TLS: a STARTTLS protocol (offered first when the port is a well-known one)
// and a proxy (VS Code's http.proxy unless the request says otherwise), for engine/transport.
import * as vscode from 'vscode';
import { guessStartTls, STARTTLS_PROTOCOLS, startTlsProtocol } from '../../engine/transport/starttls/index';
import { parseProxyUrl, redactUrl } from '../../engine/transport/proxy/url';
import type { TransportOptions } from '../../engine/transport/open';
import { errorText } from '../l10n';

/** The parts of a Connect to Host request this module reads and fills. */
export interface TransportRequest {
  host: string;
  port?: number;
  /** A STARTTLS protocol as s_client -starttls names it; empty or absent: TLS from the first byte. */
  starttls?: string;
  /** The EHLO/LHLO name or XMPP domain (s_client -name); default: s_client's for SMTP, the host for XMPP. */
  starttlsName?: string;
  /** A proxy URL (http://[user:pass@]host:port, socks5://...); "" or "none": connect directly; absent: VS Code's http.proxy. */
  proxy?: string;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|::1|\[::1\])$/i;

/** Whether http.noProxy (hosts, ".suffix" or "*.suffix" patterns, "*") lists the host. */
function bypassed(host: string, patterns: readonly string[]): boolean {
  const h = host.toLowerCase();
  return patterns.some((p) => {
    const q = p.trim().toLowerCase().replace(/:\d+$/, '');
    if (!q) return false;
    if (q === '*') return true;
    const suffix = q.replace(/^\*/, '');
    return h === q || (suffix.startsWith('.') && (h.endsWith(suffix) || h === suffix.slice(1)));
  });
}

/**
 * The proxy this request goes through: its own `proxy` if it has one, else VS Code's `http.proxy` (unless
 * `http.proxySupport` is off, or the host is loopback or in `http.noProxy`).
 */
export function effectiveProxy(req: TransportRequest): string | undefined {
  if (req.proxy !== undefined) return req.proxy.trim() && req.proxy.trim() !== 'none' ? req.proxy.trim() : undefined;
  const http = vscode.workspace.getConfiguration('http');
  const url = http.get<string>('proxy')?.trim();
  if (!url || http.get<string>('proxySupport') === 'off') return undefined;
  if (LOOPBACK.test(req.host) || bypassed(req.host, http.get<string[]>('noProxy') ?? [])) return undefined;
  return url;
}

/** The options for the runner, checked: throws a message naming what is wrong (the password never in it). */
export function transportOption(req: TransportRequest): { transport?: Pick<TransportOptions, 'proxy' | 'starttls' | 'name'>; alpn?: string[] } {
  const proto = req.starttls ? startTlsProtocol(req.starttls) : undefined;
  if (req.starttls && !proto) throw new Error(vscode.l10n.t('"{0}" is not a STARTTLS protocol (one of {1})', req.starttls, STARTTLS_PROTOCOLS.map((p) => p.name).join(', ')));
  const url = effectiveProxy(req);
  let proxy: ReturnType<typeof parseProxyUrl> | undefined;
  if (url) {
    try {
      proxy = parseProxyUrl(url);
    } catch (e) {
      throw new Error(vscode.l10n.t('proxy {0}: not usable ({1})', redactUrl(url), errorText(e)));
    }
  }
  if (!proto && !proxy) return {};
  return {
    transport: { ...(proto ? { starttls: proto.name } : {}), ...(proxy ? { proxy } : {}), ...(req.starttlsName ? { name: req.starttlsName } : {}) },
    ...(proto?.alpn ? { alpn: proto.alpn } : {}),
  };
}

/** Rows for the panel's settings list. */
export function transportRows(req: TransportRequest): { label: string; value: string }[] {
  const proto = req.starttls ? startTlsProtocol(req.starttls) : undefined;
  const url = effectiveProxy(req);
  return [
    ...(proto ? [{ label: 'STARTTLS', value: `${proto.name}: ${proto.title}${req.starttlsName ? ` (${req.starttlsName})` : ''}` }] : []),
    ...(url ? [{ label: vscode.l10n.t('Proxy'), value: `${redactUrl(url)}${req.proxy === undefined ? ` ${vscode.l10n.t('(from http.proxy)')}` : ''}` }] : []),
  ];
}

/** Items for the first "how" pick: Connect with the STARTTLS protocol the port usually speaks, if any. */
export function startTlsConnectItems(port: number): (vscode.QuickPickItem & { customize: false; starttls: string })[] {
  const p = guessStartTls(port);
  if (!p) return [];
  return [{ label: vscode.l10n.t('Connect with STARTTLS ({0})', p.name), description: vscode.l10n.t('port {0} usually upgrades with {1}', port, p.title), customize: false, starttls: p.name }];
}

/** Customize: the STARTTLS protocol (the port's guess first), the XMPP domain when needed, then the proxy. False when cancelled. */
export async function pickTransport(req: TransportRequest): Promise<boolean> {
  const guess = guessStartTls(req.port ?? 443);
  type Item = vscode.QuickPickItem & { name: string };
  const none: Item = { label: vscode.l10n.t('None'), description: vscode.l10n.t('TLS from the first byte'), name: '' };
  const protos: Item[] = STARTTLS_PROTOCOLS.map((p) => ({ label: p.name, description: p.title, detail: p.name === guess?.name ? vscode.l10n.t('usual on port {0}', req.port ?? 443) : p.spec, name: p.name }));
  const ordered = guess ? [protos.find((i) => i.name === guess.name)!, none, ...protos.filter((i) => i.name !== guess.name)] : [none, ...protos];
  const pick = await vscode.window.showQuickPick(ordered, { title: vscode.l10n.t('STARTTLS: upgrade a plaintext protocol first'), matchOnDescription: true });
  if (!pick) return false;
  req.starttls = pick.name || undefined;
  if (pick.name.startsWith('xmpp')) {
    const domain = await vscode.window.showInputBox({ title: vscode.l10n.t('XMPP domain'), value: req.starttlsName ?? req.host, prompt: vscode.l10n.t('The domain the stream is opened to (as s_client -xmpphost)') });
    if (domain === undefined) return false;
    req.starttlsName = domain.trim() || undefined;
  }
  const current = effectiveProxy(req) ?? '';
  const proxy = await vscode.window.showInputBox({
    title: vscode.l10n.t('Proxy'), value: current, placeHolder: 'http://user:pass@proxy:3128, socks5://127.0.0.1:1080',
    prompt: vscode.l10n.t('HTTP CONNECT or SOCKS5 proxy; empty to connect directly'),
    validateInput: (v) => {
      if (!v.trim()) return undefined;
      try {
        parseProxyUrl(v);
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    },
  });
  if (proxy === undefined) return false;
  req.proxy = proxy.trim();
  return true;
}
