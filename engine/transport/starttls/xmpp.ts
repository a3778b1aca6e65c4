// XMPP STARTTLS (RFC 6120 section 5.4): open a stream (jabber:client, or jabber:server between servers), read
// the stream header and <stream:features> (which should hold <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>),
// send <starttls/>, and get <proceed/> (or <failure/>, after which the server closes the stream).
import { shown, type Framer, type PlainChannel } from '../channel';
import type { StartTlsContext, StartTlsProtocol } from './types';

const TLS_NS = 'urn:ietf:params:xml:ns:xmpp-tls';

/** Bytes as latin1 so that string offsets are byte offsets; the trace gets the UTF-8 text. */
const latin1 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
const utf8 = (b: Uint8Array) => new TextDecoder().decode(b);

/** XML up to the end of what `done` finds; a stream error or an early close of the stream ends it as a refusal. */
function xmlUntil(ch: PlainChannel, step: string, done: RegExp): Framer<{ text: string; error?: string }> {
  return (buf) => {
    const s = latin1(buf);
    const first = s.trimStart()[0];
    if (first !== undefined && first !== '<') ch.fail(step, 'garbage', `the server sent ${shown(buf)}, not XML`);
    const err = /<(?:[\w-]+:)?error\b[\s\S]*?<\/(?:[\w-]+:)?error\s*>/.exec(s) ?? /<\/(?:[\w-]+:)?stream\s*>/.exec(s);
    const m = done.exec(s);
    // What came first counts: a <failure/> followed by the stream's end is a failure, not only a closed stream.
    if (err && (!m || err.index < m.index)) {
      const end = err.index + err[0].length;
      const condition = /<([\w-]+)\s+xmlns=['"]urn:ietf:params:xml:ns:xmpp-streams['"]/.exec(err[0])?.[1];
      return { length: end, text: utf8(buf.subarray(0, end)), value: { text: s.slice(0, end), error: condition ? `stream error <${condition}/>` : 'the server closed the stream' } };
    }
    if (!m) return undefined;
    const end = m.index + m[0].length;
    return { length: end, text: utf8(buf.subarray(0, end)), value: { text: s.slice(0, end) } };
  };
}

function xmpp(server: boolean) {
  return async ({ ch, host, name }: StartTlsContext): Promise<void> => {
    const domain = name ?? host;
    const ns = server ? 'jabber:server' : 'jabber:client';
    ch.send('stream header', `<?xml version='1.0'?><stream:stream xmlns='${ns}' xmlns:stream='http://etherx.jabber.org/streams' to='${domain.replace(/[<>&'"]/g, '')}' version='1.0'>`);
    const features = await ch.receive('stream features', xmlUntil(ch, 'stream features', /<\/(?:[\w-]+:)?features\s*>|<(?:[\w-]+:)?features\b[^>]*\/>/));
    if (features.error) ch.fail('stream features', 'refused', `${features.error} (for the domain ${domain}: give the server's XMPP domain with --name)`);
    if (!new RegExp(`<starttls\\b[^>]*xmlns=['"]${TLS_NS}['"]`).test(features.text)) ch.note('stream features', '(no <starttls/> among the stream features; trying anyway)');
    ch.send('starttls', `<starttls xmlns='${TLS_NS}'/>`);
    const answer = await ch.receive('starttls', xmlUntil(ch, 'starttls', /<(proceed|failure)\b[^>]*?(?:\/>|>[\s\S]*?<\/\1\s*>)/));
    if (answer.error) ch.fail('starttls', 'refused', answer.error);
    if (!/<proceed\b/.test(answer.text)) ch.fail('starttls', 'refused', 'the server answered <failure/>: it will not start TLS');
  };
}

export const xmppClient: StartTlsProtocol = { name: 'xmpp', title: 'XMPP client-to-server (starttls)', spec: 'RFC 6120 section 5.4', ports: [5222], run: xmpp(false) };
export const xmppServer: StartTlsProtocol = { name: 'xmpp-server', title: 'XMPP server-to-server (starttls)', spec: 'RFC 6120 section 5.4', ports: [5269], run: xmpp(true) };
