// A pcapng writer for a session's bytes (draft-ietf-opsawg-pcapng): a Section Header Block, a Decryption Secrets
// Block carrying the NSS key log (so Wireshark and tshark decrypt with no set-up), one Interface Description Block
// (LINKTYPE_RAW: each packet starts with its IPv4 or IPv6 header), then one Enhanced Packet Block per packet.
//
// The TLS bytes are the exact bytes that crossed the socket (the trace's record events); the IP and TCP (or UDP)
// headers around them are synthesized for the connection's real endpoints: SYN, SYN-ACK, ACK, data segments with
// continuous sequence and acknowledgement numbers, FIN when the connection was closed. A UDP flow (DTLS) is one
// datagram per segment, exactly as it was sent or received (several DTLS records may share one). Pure: no I/O, no clock; little-endian, as the byte-order magic says.

export interface Endpoint {
  /** An IPv4 or IPv6 address as Node gives it ('127.0.0.1', '::1', '::ffff:127.0.0.1', 'fe80::1%eth0'). */
  address: string;
  port: number;
}

export type FlowSide = 'client' | 'server';

/** Bytes one side sent at a time: a TLS record, or several sent together. */
export interface FlowSegment {
  /** Milliseconds since the Unix epoch (fractions keep sub-millisecond order). */
  t: number;
  from: FlowSide;
  data: Uint8Array;
}

export interface Flow {
  transport: 'tcp' | 'udp';
  client: Endpoint;
  server: Endpoint;
  /** TCP: when the client's SYN left (default: the first segment's time). */
  openedAt?: number;
  /** TCP: when the three-way handshake completed (default: just after openedAt). */
  establishedAt?: number;
  segments: FlowSegment[];
  /** TCP: each side's FIN, if it sent one, and when. */
  fins?: Partial<Record<FlowSide, number>>;
  /** Which endpoint recorded it: sets each packet's direction flag (inbound/outbound). */
  perspective?: FlowSide;
}

export interface PcapngOptions {
  flows: Flow[];
  /** NSS key log text (SSLKEYLOGFILE lines) for the Decryption Secrets Block; none without it. */
  keyLog?: string;
  /** shb_userappl: the application that wrote the file. */
  application?: string;
  /** shb_comment. */
  comment?: string;
  /** TCP maximum segment size (default 1460 for IPv4, 1440 for IPv6): longer sends are split into segments. */
  mss?: number;
  /** TCP: join consecutive sends of one side made in the same millisecond into one send (default true; UDP never). */
  coalesce?: boolean;
}

export const BLOCK = { SHB: 0x0a0d0d0a, IDB: 0x00000001, EPB: 0x00000006, DSB: 0x0000000a } as const;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** DSB secrets type of an NSS key log ("TLSK"). */
export const SECRETS_TLS_KEYLOG = 0x544c534b;
export const LINKTYPE_RAW = 101;
export const IPPROTO = { TCP: 6, UDP: 17 } as const;
export const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

// ---- addresses ----------------------------------------------------------------------------------------------------

export type IpAddress = { v: 4 | 6; bytes: Uint8Array };

/** Parses an IPv4 or IPv6 address (a zone `%eth0` is dropped; an IPv4-mapped IPv6 address stays IPv6). */
export function parseIp(text: string): IpAddress {
  const s = text.replace(/%.*$/, '').replace(/^\[|\]$/g, '');
  const v4 = parseIpv4(s);
  if (v4) return { v: 4, bytes: v4 };
  const v6 = parseIpv6(s);
  if (v6) return { v: 6, bytes: v6 };
  throw new Error(`"${text}" is not an IP address`);
}

function parseIpv4(s: string): Uint8Array | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const b = m.slice(1).map(Number);
  return b.every((x) => x <= 255) ? Uint8Array.from(b) : undefined;
}

function parseIpv6(s: string): Uint8Array | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.split('::').length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (!part) return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      if (i === items.length - 1 && it.includes('.')) {
        const v4 = parseIpv4(it);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(it)) out.push(parseInt(it, 16));
      else return undefined;
    }
    return out;
  };
  const [head, tail] = s.split('::') as [string, string | undefined];
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  if (!h || !t) return undefined;
  const fill = 8 - h.length - t.length;
  if (tail === undefined ? fill !== 0 : fill < 1) return undefined;
  const all = [...h, ...new Array<number>(fill).fill(0), ...t];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** The two endpoints' addresses in one family: both IPv4 if both are IPv4 or IPv4-mapped, else both IPv6. */
export function addressPair(a: string, b: string): [IpAddress, IpAddress] {
  const x = parseIp(a);
  const y = parseIp(b);
  const unmap = (p: IpAddress): IpAddress | undefined => {
    if (p.v === 4) return p;
    const mapped = p.bytes.subarray(0, 10).every((z) => z === 0) && p.bytes[10] === 0xff && p.bytes[11] === 0xff;
    return mapped ? { v: 4, bytes: p.bytes.slice(12) } : undefined;
  };
  const ux = unmap(x);
  const uy = unmap(y);
  if (ux && uy) return [ux, uy];
  const map = (p: IpAddress): IpAddress => (p.v === 6 ? p : { v: 6, bytes: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...p.bytes]) });
  return [map(x), map(y)];
}

// ---- checksums and headers --------------------------------------------------------------------------------------

function sum16(bytes: Uint8Array, acc = 0): number {
  for (let i = 0; i + 1 < bytes.length; i += 2) acc += (bytes[i]! << 8) | bytes[i + 1]!;
  if (bytes.length & 1) acc += bytes[bytes.length - 1]! << 8;
  return acc;
}

function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  return ~acc & 0xffff;
}

/** The Internet checksum (RFC 1071) of the given byte strings taken as one. */
export function internetChecksum(...parts: Uint8Array[]): number {
  // Each part but the last must have an even length, which holds for the pseudo-header and headers used here.
  let acc = 0;
  for (const p of parts) acc = sum16(p, acc);
  return fold(acc);
}

function pseudoHeader(src: IpAddress, dst: IpAddress, proto: number, length: number): Uint8Array {
  if (src.v === 4) {
    const p = new Uint8Array(12);
    p.set(src.bytes, 0);
    p.set(dst.bytes, 4);
    p[9] = proto;
    new DataView(p.buffer).setUint16(10, length);
    return p;
  }
  const p = new Uint8Array(40);
  p.set(src.bytes, 0);
  p.set(dst.bytes, 16);
  new DataView(p.buffer).setUint32(32, length);
  p[39] = proto;
  return p;
}

/** An IP packet (IPv4 with DF set, or IPv6) around a transport segment. `id` is the IPv4 identification. */
export function ipPacket(src: IpAddress, dst: IpAddress, proto: number, transport: Uint8Array, id = 0): Uint8Array {
  if (src.v === 4) {
    const total = 20 + transport.length;
    if (total > 0xffff) throw new Error(`an IPv4 packet of ${total} bytes does not fit its 16-bit length`);
    const p = new Uint8Array(total);
    const v = new DataView(p.buffer);
    p[0] = 0x45;
    v.setUint16(2, total);
    v.setUint16(4, id & 0xffff);
    v.setUint16(6, 0x4000); // don't fragment
    p[8] = 64; // TTL
    p[9] = proto;
    p.set(src.bytes, 12);
    p.set(dst.bytes, 16);
    v.setUint16(10, internetChecksum(p.subarray(0, 20)));
    p.set(transport, 20);
    return p;
  }
  if (transport.length > 0xffff) throw new Error(`an IPv6 payload of ${transport.length} bytes does not fit its 16-bit length`);
  const p = new Uint8Array(40 + transport.length);
  const v = new DataView(p.buffer);
  v.setUint32(0, 0x60000000);
  v.setUint16(4, transport.length);
  p[6] = proto;
  p[7] = 64; // hop limit
  p.set(src.bytes, 8);
  p.set(dst.bytes, 24);
  p.set(transport, 40);
  return p;
}

export interface TcpFields {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window?: number;
  /** The MSS option (SYN and SYN-ACK). */
  mss?: number;
}

/** A TCP segment (RFC 9293) with its checksum over the pseudo-header. */
export function tcpSegment(src: IpAddress, dst: IpAddress, f: TcpFields, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const optLen = f.mss !== undefined ? 4 : 0;
  const hl = 20 + optLen;
  const s = new Uint8Array(hl + payload.length);
  const v = new DataView(s.buffer);
  v.setUint16(0, f.srcPort);
  v.setUint16(2, f.dstPort);
  v.setUint32(4, f.seq >>> 0);
  v.setUint32(8, f.flags & TCP_FLAGS.ACK ? f.ack >>> 0 : 0);
  s[12] = (hl / 4) << 4;
  s[13] = f.flags;
  v.setUint16(14, f.window ?? 0xffff);
  if (f.mss !== undefined) {
    s[20] = 2;
    s[21] = 4;
    v.setUint16(22, f.mss);
  }
  s.set(payload, hl);
  v.setUint16(16, internetChecksum(pseudoHeader(src, dst, IPPROTO.TCP, s.length), s));
  return s;
}

/** A UDP datagram (RFC 768) with its checksum (never 0: an all-zero result is sent as 0xffff). */
export function udpDatagram(src: IpAddress, dst: IpAddress, srcPort: number, dstPort: number, payload: Uint8Array): Uint8Array {
  const d = new Uint8Array(8 + payload.length);
  const v = new DataView(d.buffer);
  v.setUint16(0, srcPort);
  v.setUint16(2, dstPort);
  v.setUint16(4, d.length);
  d.set(payload, 8);
  v.setUint16(6, internetChecksum(pseudoHeader(src, dst, IPPROTO.UDP, d.length), d) || 0xffff);
  return d;
}

// ---- flows to packets -------------------------------------------------------------------------------------------

export interface Packet {
  /** Microseconds since the Unix epoch. */
  us: number;
  data: Uint8Array;
  /** 'in' or 'out' from the flow's perspective, when it has one. */
  dir?: 'in' | 'out';
}

/** A deterministic initial sequence number per side (a hash of the endpoints and the opening time). */
function isn(flow: Flow, side: FlowSide): number {
  const s = `${side}|${flow.client.address}|${flow.client.port}|${flow.server.address}|${flow.server.port}|${flow.openedAt ?? flow.segments[0]?.t ?? 0}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Consecutive sends of one side in the same millisecond joined (one socket write of several records). */
function coalesced(segments: FlowSegment[]): FlowSegment[] {
  const out: FlowSegment[] = [];
  for (const s of segments) {
    const last = out[out.length - 1];
    if (last && last.from === s.from && Math.floor(last.t) === Math.floor(s.t)) {
      const joined = new Uint8Array(last.data.length + s.data.length);
      joined.set(last.data);
      joined.set(s.data, last.data.length);
      out[out.length - 1] = { ...last, data: joined };
    } else out.push(s);
  }
  return out;
}

/** One flow's packets in order, with timestamps that never go back (1 µs apart at least). */
export function flowPackets(flow: Flow, opts: { mss?: number; coalesce?: boolean } = {}): Packet[] {
  const [ca, sa] = addressPair(flow.client.address, flow.server.address);
  const addr: Record<FlowSide, IpAddress> = { client: ca, server: sa };
  const port: Record<FlowSide, number> = { client: flow.client.port, server: flow.server.port };
  const other = (s: FlowSide): FlowSide => (s === 'client' ? 'server' : 'client');
  // A UDP segment is one datagram: never joined with the next, whatever their times.
  const segments = opts.coalesce === false || flow.transport === 'udp' ? flow.segments : coalesced(flow.segments);
  const out: Packet[] = [];
  let last = -1;
  const ipId: Record<FlowSide, number> = { client: isn(flow, 'client') & 0xffff, server: isn(flow, 'server') & 0xffff };
  const push = (tMs: number, from: FlowSide, transport: Uint8Array, proto: number) => {
    let us = Math.round(tMs * 1000);
    if (us <= last) us = last + 1;
    last = us;
    const data = ipPacket(addr[from], addr[other(from)], proto, transport, ipId[from]++);
    out.push({ us, data, ...(flow.perspective ? { dir: from === flow.perspective ? 'out' as const : 'in' as const } : {}) });
  };

  if (flow.transport === 'udp') {
    for (const s of segments) push(s.t, s.from, udpDatagram(addr[s.from], addr[other(s.from)], port[s.from], port[other(s.from)], s.data), IPPROTO.UDP);
    return out;
  }

  const mss = opts.mss ?? (ca.v === 4 ? 1460 : 1440);
  const seq: Record<FlowSide, number> = { client: isn(flow, 'client'), server: isn(flow, 'server') };
  const tcp = (t: number, from: FlowSide, flags: number, payload?: Uint8Array, extra: Partial<TcpFields> = {}) => {
    const to = other(from);
    push(t, from, tcpSegment(addr[from], addr[to], { srcPort: port[from], dstPort: port[to], seq: seq[from], ack: seq[to], flags, ...extra }, payload), IPPROTO.TCP);
  };
  const t0 = flow.openedAt ?? segments[0]?.t ?? flow.fins?.client ?? flow.fins?.server ?? 0;
  const tEst = Math.max(flow.establishedAt ?? t0, t0);
  // Three-way handshake: SYN and SYN-ACK each take one sequence number.
  tcp(t0, 'client', TCP_FLAGS.SYN, undefined, { mss });
  seq.client = (seq.client + 1) >>> 0;
  tcp(tEst, 'server', TCP_FLAGS.SYN | TCP_FLAGS.ACK, undefined, { mss });
  seq.server = (seq.server + 1) >>> 0;
  tcp(tEst, 'client', TCP_FLAGS.ACK);

  // Data and FINs in time order (a FIN is sent after everything its side sent before it).
  type Ev = { t: number; from: FlowSide; data?: Uint8Array; fin?: true };
  const events: Ev[] = segments.map((s) => ({ t: s.t, from: s.from, data: s.data }));
  for (const side of ['client', 'server'] as const) {
    const at = flow.fins?.[side];
    if (at === undefined) continue;
    // After everything that happened by `at`, and after all the side's own data.
    let i = 0;
    events.forEach((e, k) => {
      if (e.t <= at || (e.from === side && !e.fin)) i = k + 1;
    });
    events.splice(i, 0, { t: Math.max(at, events[i - 1]?.t ?? at), from: side, fin: true });
  }
  const finSent: Partial<Record<FlowSide, boolean>> = {};
  for (const e of events) {
    if (finSent[e.from]) continue; // nothing follows a FIN from the same side
    if (e.fin) {
      tcp(e.t, e.from, TCP_FLAGS.FIN | TCP_FLAGS.ACK);
      seq[e.from] = (seq[e.from] + 1) >>> 0;
      finSent[e.from] = true;
      // The second FIN is acknowledged (the connection is closed); so is a FIN the other side never answers with its own.
      const o = other(e.from);
      if (finSent[o] || flow.fins?.[o] === undefined) tcp(e.t, o, TCP_FLAGS.ACK);
      continue;
    }
    const d = e.data!;
    for (let off = 0; off < d.length; off += mss) {
      const chunk = d.subarray(off, Math.min(d.length, off + mss));
      tcp(e.t, e.from, TCP_FLAGS.PSH | TCP_FLAGS.ACK, chunk);
      seq[e.from] = (seq[e.from] + chunk.length) >>> 0;
    }
  }
  return out;
}

// ---- blocks -----------------------------------------------------------------------------------------------------

const pad4 = (n: number) => (n + 3) & ~3;

type Opt = { code: number; value: Uint8Array };

const utf8 = (s: string) => new TextEncoder().encode(s);

function optionsLength(opts: Opt[]): number {
  return opts.length ? opts.reduce((n, o) => n + 4 + pad4(o.value.length), 0) + 4 : 0;
}

function writeOptions(v: DataView, at: number, opts: Opt[]): number {
  if (!opts.length) return at;
  const u8 = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  for (const o of opts) {
    v.setUint16(at, o.code, true);
    v.setUint16(at + 2, o.value.length, true);
    u8.set(o.value, at + 4);
    at += 4 + pad4(o.value.length);
  }
  return at + 4; // opt_endofopt: code 0, length 0 (already zero)
}

/** A block: type, total length, the body (padded to 4 bytes), options, total length again. */
function block(type: number, fixed: Uint8Array, opts: Opt[] = []): Uint8Array {
  const total = 12 + pad4(fixed.length) + optionsLength(opts);
  const b = new Uint8Array(total);
  const v = new DataView(b.buffer);
  v.setUint32(0, type, true);
  v.setUint32(4, total, true);
  b.set(fixed, 8);
  writeOptions(v, 8 + pad4(fixed.length), opts);
  v.setUint32(total - 4, total, true);
  return b;
}

function sectionHeader(application?: string, comment?: string): Uint8Array {
  const f = new Uint8Array(16);
  const v = new DataView(f.buffer);
  v.setUint32(0, BYTE_ORDER_MAGIC, true);
  v.setUint16(4, 1, true); // major
  v.setUint16(6, 0, true); // minor
  v.setBigInt64(8, -1n, true); // section length: not given
  const opts: Opt[] = [];
  if (comment) opts.push({ code: 1, value: utf8(comment) });
  if (application) opts.push({ code: 4, value: utf8(application) }); // shb_userappl
  return block(BLOCK.SHB, f, opts);
}

function decryptionSecrets(keyLog: string): Uint8Array {
  const data = utf8(keyLog);
  const f = new Uint8Array(8 + data.length);
  const v = new DataView(f.buffer);
  v.setUint32(0, SECRETS_TLS_KEYLOG, true);
  v.setUint32(4, data.length, true);
  f.set(data, 8);
  return block(BLOCK.DSB, f);
}

function interfaceDescription(transports: ReadonlySet<Flow['transport']>): Uint8Array {
  const headers = transports.has('udp') ? (transports.has('tcp') ? 'TCP or UDP' : 'UDP') : 'TCP';
  const payload = transports.has('udp') ? (transports.has('tcp') ? 'TLS and DTLS' : 'DTLS') : 'TLS';
  const f = new Uint8Array(8);
  const v = new DataView(f.buffer);
  v.setUint16(0, LINKTYPE_RAW, true);
  v.setUint32(4, 0, true); // snaplen: no limit
  return block(BLOCK.IDB, f, [
    { code: 2, value: utf8('tlslens') }, // if_name
    { code: 3, value: utf8(`TLS Lens session (IP and ${headers} headers synthesized; ${payload} bytes as sent and received)`) }, // if_description
    { code: 9, value: Uint8Array.of(6) }, // if_tsresol: microseconds
  ]);
}

function enhancedPacket(p: Packet): Uint8Array {
  const f = new Uint8Array(20 + p.data.length);
  const v = new DataView(f.buffer);
  v.setUint32(0, 0, true); // interface 0
  v.setUint32(4, Math.floor(p.us / 0x100000000), true);
  v.setUint32(8, p.us % 0x100000000, true);
  v.setUint32(12, p.data.length, true);
  v.setUint32(16, p.data.length, true);
  f.set(p.data, 20);
  const opts: Opt[] = [];
  if (p.dir) {
    const flags = new Uint8Array(4);
    new DataView(flags.buffer).setUint32(0, p.dir === 'in' ? 1 : 2, true); // epb_flags: direction
    opts.push({ code: 2, value: flags });
  }
  return block(BLOCK.EPB, f, opts);
}

/** The whole file: SHB, DSB (when there is a key log), IDB, then every flow's packets merged in time order. */
export function buildPcapng(o: PcapngOptions): Uint8Array {
  const packets = o.flows.flatMap((f) => flowPackets(f, { ...(o.mss ? { mss: o.mss } : {}), ...(o.coalesce === false ? { coalesce: false } : {}) }));
  packets.sort((a, b) => a.us - b.us); // stable: a flow's own order is kept
  const blocks = [sectionHeader(o.application ?? 'TLS Lens', o.comment)];
  if (o.keyLog && o.keyLog.trim()) blocks.push(decryptionSecrets(o.keyLog.endsWith('\n') ? o.keyLog : `${o.keyLog}\n`));
  blocks.push(interfaceDescription(new Set(o.flows.map((f) => f.transport))));
  for (const p of packets) blocks.push(enhancedPacket(p));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

// ---- reading back (for tests and tools) ---------------------------------------------------------------------------

export interface ParsedBlock {
  type: number;
  offset: number;
  length: number;
  body: Uint8Array;
}

/** Splits a little-endian pcapng section into blocks, checking each block's two length fields agree. */
export function parsePcapngBlocks(bytes: Uint8Array): ParsedBlock[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: ParsedBlock[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 12 > bytes.length) throw new Error(`truncated block at offset ${at}`);
    const type = v.getUint32(at, true);
    const length = v.getUint32(at + 4, true);
    if (length < 12 || length % 4 || at + length > bytes.length) throw new Error(`bad block length ${length} at offset ${at}`);
    const trailer = v.getUint32(at + length - 4, true);
    if (trailer !== length) throw new Error(`block at offset ${at}: leading length ${length}, trailing ${trailer}`);
    if (type === BLOCK.SHB && v.getUint32(at + 8, true) !== BYTE_ORDER_MAGIC) throw new Error(`SHB at offset ${at}: byte-order magic is not 0x1a2b3c4d little-endian`);
    out.push({ type, offset: at, length, body: bytes.subarray(at + 8, at + length - 4) });
    at += length;
  }
  return out;
}
