// The way to the TLS server: TCP to the server or to a proxy, the proxy's exchange (HTTP CONNECT or SOCKS5), then
// a STARTTLS protocol's exchange; the socket is then handed, paused and with nothing unread, to the TLS client.
// All of it must finish within the connect timeout.
import net from 'node:net';
import { DEFAULT_LIMITS } from '../conn/limits';
import { TlsSession, type ConnectOptions } from '../net/session';
import { PlainChannel, TransportError, type PreambleEvent } from './channel';
import { httpConnect } from './proxy/http-connect';
import { socks5Connect } from './proxy/socks5';
import { authority, parseProxyUrl, type ProxyConfig } from './proxy/url';
import { startTlsProtocol, STARTTLS_NAMES } from './starttls/index';

export interface TransportOptions {
  host: string;
  port: number;
  /** A proxy URL (http://, socks5://, socks5h://) or one already parsed. */
  proxy?: string | ProxyConfig;
  /** A STARTTLS protocol, as `openssl s_client -starttls` names it. */
  starttls?: string;
  /** s_client -name / -xmpphost: the EHLO/LHLO name or the XMPP domain. */
  name?: string;
  /** For TCP, the proxy and STARTTLS together (default: limits' connectTimeoutMs, 10 s). */
  connectTimeoutMs?: number;
  /** Each step of the plaintext exchanges, as it happens. */
  onTrace?: (e: PreambleEvent) => void;
  /** The TCP connection is up (to the proxy, or to the server), before any exchange: for captures. */
  onConnected?: (socket: net.Socket) => void;
}

export interface Transport {
  socket: net.Socket;
  /** ALPN the protocol requires (PostgreSQL's direct TLS). */
  alpn?: string[];
}

function tcp(host: string, port: number, deadline: number, via: 'proxy' | 'server'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const ms = Math.max(0, deadline - Date.now());
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TransportError('tcp', 'TCP', 'connect', 'timeout', `connect to ${via === 'proxy' ? 'the proxy' : 'the server'} ${authority(host, port)} timed out (limit connectTimeoutMs)`));
    }, ms);
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new TransportError('tcp', 'TCP', 'connect', 'socket', `cannot connect to ${via === 'proxy' ? 'the proxy' : 'the server'} ${authority(host, port)}: ${e.code ?? e.message}`));
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

/** Opens the way to host:port through the proxy and the STARTTLS exchange asked for. */
export async function openTransport(opts: TransportOptions): Promise<Transport> {
  const protocol = opts.starttls ? startTlsProtocol(opts.starttls) : undefined;
  if (opts.starttls && !protocol) throw new TransportError('starttls', opts.starttls, 'options', 'usage', `not a STARTTLS protocol (one of ${STARTTLS_NAMES.join(', ')})`);
  const proxy = typeof opts.proxy === 'string' ? parseProxyUrl(opts.proxy) : opts.proxy;
  const t0 = Date.now();
  const deadline = t0 + (opts.connectTimeoutMs ?? DEFAULT_LIMITS.connectTimeoutMs);
  const socket = proxy ? await tcp(proxy.host, proxy.port, deadline, 'proxy') : await tcp(opts.host, opts.port, deadline, 'server');
  opts.onConnected?.(socket);
  const ch = new PlainChannel(socket, deadline, (e) => opts.onTrace?.(e), t0);
  try {
    if (proxy) {
      ch.layer = 'proxy';
      ch.protocol = proxy.kind === 'http' ? 'HTTP CONNECT' : 'SOCKS5';
      if (proxy.kind === 'http') await httpConnect(ch, proxy, opts.host, opts.port);
      else await socks5Connect(ch, proxy, opts.host, opts.port);
    }
    if (protocol) {
      ch.layer = 'starttls';
      ch.protocol = protocol.name;
      await protocol.run({ ch, host: opts.host, ...(opts.name ? { name: opts.name } : {}) });
    }
    const released = ch.release(protocol ? 'before the TLS handshake' : 'tunnel');
    return { socket: released, ...(protocol?.alpn ? { alpn: protocol.alpn } : {}) };
  } catch (e) {
    ch.dispose();
    socket.destroy();
    throw e;
  }
}

/**
 * connect() of engine/net/session.ts through a proxy and/or STARTTLS: resolves with the TLS client on the socket
 * once the plaintext part is done (call begin() to send the ClientHello). The SNI defaults to the target host.
 */
export async function connectVia(opts: ConnectOptions & Omit<TransportOptions, 'host' | 'port' | 'connectTimeoutMs'>): Promise<TlsSession> {
  const { host, port, connectTimeoutMs, proxy, starttls, name, onTrace, onConnected, ...rest } = opts;
  const t = await openTransport({
    host, port, ...(proxy ? { proxy } : {}), ...(starttls ? { starttls } : {}), ...(name ? { name } : {}), ...(onTrace ? { onTrace } : {}), ...(onConnected ? { onConnected } : {}),
    ...(connectTimeoutMs ?? rest.limits?.connectTimeoutMs ? { connectTimeoutMs: connectTimeoutMs ?? rest.limits?.connectTimeoutMs } : {}),
  });
  const session = new TlsSession(t.socket, 'client', {
    ...(rest.serverName === undefined ? { serverName: host } : {}),
    ...rest,
    ...(t.alpn && !rest.alpn?.length ? { alpn: t.alpn } : {}),
  });
  t.socket.resume(); // paused at the hand-over; the session reads it from now on
  return session;
}
