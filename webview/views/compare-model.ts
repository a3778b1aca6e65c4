// Two sessions side by side: what was negotiated, the chain, the verdict and the timings as rows marked
// where they differ, and the two handshakes' messages aligned (longest common subsequence of their names),
// so "what changed between these two connections" reads off one table. Pure: no DOM, unit-tested.
import type { SessionSnapshot, TraceEventJson } from '../shared/protocol';
import { describeEvent, lineText } from './session-format';

export interface CompareRow {
  label: string;
  left: string;
  right: string;
  same: boolean;
}

export interface MessagePair {
  left?: string;
  right?: string;
  /** Both sides have this message, with the same one-line description. */
  same: boolean;
}

export interface Comparison {
  rows: CompareRow[];
  messages: MessagePair[];
  differences: number;
  /** The first difference, to highlight: a summary row (the target aside) or else an aligned message. */
  first?: { section: 'rows' | 'messages'; index: number };
}

const dash = '–';

function summaryRows(s: SessionSnapshot): Record<string, string> {
  const m = s.summary;
  const chain = m?.chain ?? [];
  return {
    Target: `${s.target.host}:${s.target.port}`,
    Outcome: !m ? 'running' : m.ok ? 'handshake completed' : `failed: ${m.error?.message ?? 'unknown'}`,
    Protocol: m?.version ?? dash,
    'Cipher suite': m?.suite ?? dash,
    Group: m?.group ?? dash,
    'Signature scheme': m?.signatureScheme ?? dash,
    ALPN: m?.alpn ?? dash,
    HelloRetryRequest: m?.helloRetry === undefined ? dash : m.helloRetry ? 'yes' : 'no',
    Resumed: m?.resumed === undefined ? dash : m.resumed ? 'yes' : 'no',
    Alert: m?.error?.alert ?? dash,
    Verification: m ? `${m.verification.state}${m.verification.code !== undefined ? ` (X509_V_ERR ${m.verification.code})` : ''}` : dash,
    // Each link of the verified path with its verdict, so a failure shows at the certificate it is about.
    ...Object.fromEntries((m?.verification.links ?? []).map((l, i) => [`Path ${i}`, `${l.subject} · ${l.verdict}${l.findings.length ? `: ${l.findings.map((f) => f.name).join(', ')}` : ''}`])),
    'Chain length': String(chain.length),
    ...Object.fromEntries(chain.map((c, i) => [`Certificate ${i}`, `${c.subject.text} · SHA-256 ${c.fingerprints.sha256.slice(0, 23)}…`])),
    ...Object.fromEntries(s.target.settings.map((x) => [`Option: ${x.label}`, x.value])),
  };
}

/** Handshake messages and alerts, one line each, in order. */
function messageLines(events: readonly TraceEventJson[]): { key: string; text: string }[] {
  return events
    .filter((e) => e.kind === 'handshake' || e.kind === 'alert')
    .map((e) => {
      const l = describeEvent(e);
      const text = `${l.side} ${l.arrow} ${lineText(l)}`;
      return { key: `${l.side}${l.arrow}${l.title}`, text };
    });
}

/** Longest common subsequence alignment on the message keys (direction and name). */
function align(a: { key: string; text: string }[], b: { key: string; text: string }[]): MessagePair[] {
  const n = a.length;
  const m = b.length;
  const L: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) L[i]![j] = a[i]!.key === b[j]!.key ? L[i + 1]![j + 1]! + 1 : Math.max(L[i + 1]![j]!, L[i]![j + 1]!);
  const out: MessagePair[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i]!.key === b[j]!.key) {
      out.push({ left: a[i]!.text, right: b[j]!.text, same: a[i]!.text === b[j]!.text });
      i++;
      j++;
    } else if (L[i + 1]![j]! >= L[i]![j + 1]!) out.push({ left: a[i++]!.text, same: false });
    else out.push({ right: b[j++]!.text, same: false });
  }
  while (i < n) out.push({ left: a[i++]!.text, same: false });
  while (j < m) out.push({ right: b[j++]!.text, same: false });
  return out;
}

/** At most this many messages a side are aligned (the LCS table is n×m). */
const MAX_MESSAGES = 400;

export function compareSessions(left: SessionSnapshot, right: SessionSnapshot): Comparison {
  const l = summaryRows(left);
  const r = summaryRows(right);
  const labels = [...new Set([...Object.keys(l), ...Object.keys(r)])];
  const rows = labels.map((label) => {
    const a = l[label] ?? dash;
    const b = r[label] ?? dash;
    return { label, left: a, right: b, same: a === b };
  });
  const messages = align(messageLines(left.events).slice(0, MAX_MESSAGES), messageLines(right.events).slice(0, MAX_MESSAGES));
  const differences = rows.filter((x) => !x.same && x.label !== 'Target').length + messages.filter((x) => !x.same).length;
  const row = rows.findIndex((x) => !x.same && x.label !== 'Target');
  const msg = messages.findIndex((x) => !x.same);
  const first = row >= 0 ? { section: 'rows' as const, index: row } : msg >= 0 ? { section: 'messages' as const, index: msg } : undefined;
  return { rows, messages, differences, ...(first ? { first } : {}) };
}
