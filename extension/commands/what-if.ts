// What if…: a session run again with one thing changed (engine/tools/what-if.ts), then both side by side in the
// Compare Sessions view with the first difference highlighted. Connect to Host sessions change what the client
// offers; Serve TLS Here sessions change the chain our server sends (an intermediate dropped, the order changed),
// replayed on 127.0.0.1 with our own client judging it (extension/sessions/served-pair-runner.ts).
// Also Show Key Schedule: the session's recorded key schedule in an editor, after the user confirms (secrets).
import * as vscode from 'vscode';
import { GROUPS } from '../../engine/registry/groups';
import { SIGSCHEMES } from '../../engine/registry/sigschemes';
import { SUITES } from '../../engine/registry/suites';
import type { Signer } from '../../engine/crypto/provider';
import { decodeCertificate } from '../../engine/x509/certificate';
import { applyWhatIf, chainChanges, WhatIfError, type WhatIfChange, type WhatIfConfig } from '../../engine/tools/what-if';
import { systemAnchors } from '../../engine/x509/system-anchors';
import { runServedPair, servedAnchors } from '../sessions/served-pair-runner';
import { openComparison } from '../panels/compare-panel';
import type { SessionPanel } from '../panels/session-panel';
import type { SessionSnapshot } from '../../webview/shared/protocol';
import { allowNetwork } from '../workspace-trust';
import { keyFailureFromTrace } from '../../engine/tools/key-failure';
import { failureLines } from '../../engine/tools/key-schedule-text';
import { errorText } from '../l10n';

/** What Connect to Host ran with, as far as a what-if may change it (connect-to-host.ts's ConnectRequest fits). */
export type WhatIfRequest = WhatIfConfig & { host: string; port?: number; protocol?: 'TLS' | 'DTLS'; recordKeySchedule?: boolean };

/** How long a replay may take before the comparison shows it as it stands. */
const SETTLE_MS = 20_000;

/** The change, in the display language. */
export function whatIfLabel(c: WhatIfChange): string {
  switch (c.kind) {
    case 'versions':
      return c.min === c.max ? vscode.l10n.t('only {0}', c.min) : vscode.l10n.t('{0} to {1}', c.min, c.max);
    case 'cipherSuites':
      return vscode.l10n.t('cipher suites {0}', c.list.join(', '));
    case 'groups':
      return vscode.l10n.t('groups {0}', c.list.join(', '));
    case 'signatureAlgorithms':
      return vscode.l10n.t('signature algorithms {0}', c.list.join(', '));
    case 'serverName':
      return c.value === null ? vscode.l10n.t('no SNI') : vscode.l10n.t('SNI {0}', c.value);
    case 'alpn':
      return c.list.length ? vscode.l10n.t('ALPN {0}', c.list.join(', ')) : vscode.l10n.t('no ALPN');
    case 'clientCertificate':
      return c.value === null ? vscode.l10n.t('no client certificate') : vscode.l10n.t('client certificate {0}', vscode.workspace.asRelativePath(vscode.Uri.parse(c.value)));
    case 'dropCertificate':
      return vscode.l10n.t('certificate {0} of the chain left out', c.index);
    case 'reorderChain':
      return vscode.l10n.t('chain sent in the order {0}', c.order.join(', '));
  }
}

async function pickMany(title: string, items: { label: string; description?: string }[], current: string[] | undefined): Promise<string[] | undefined> {
  const picks = await vscode.window.showQuickPick(items.map((i) => ({ ...i, picked: current?.includes(i.label) ?? false })), { title, canPickMany: true });
  return picks?.length ? picks.map((p) => p.label) : undefined;
}

/** Asks which one thing to change for a Connect to Host session, and to what. */
async function pickClientChange(req: WhatIfRequest): Promise<WhatIfChange | undefined> {
  type Kind = Exclude<WhatIfChange['kind'], 'dropCertificate' | 'reorderChain'>;
  const kinds: (vscode.QuickPickItem & { what: Kind })[] = [
    { label: vscode.l10n.t('Protocol versions'), description: `${req.minVersion ?? 'TLSv1.2'} – ${req.maxVersion ?? 'TLSv1.3'}`, what: 'versions' },
    { label: vscode.l10n.t('Cipher suites'), description: req.cipherSuites?.join(', ') ?? vscode.l10n.t('default'), what: 'cipherSuites' },
    { label: vscode.l10n.t('Groups'), description: req.groups?.join(', ') ?? vscode.l10n.t('default'), what: 'groups' },
    { label: vscode.l10n.t('Signature algorithms'), description: req.signatureAlgorithms?.join(', ') ?? vscode.l10n.t('default'), what: 'signatureAlgorithms' },
    { label: 'SNI', description: req.serverName ?? req.host, what: 'serverName' },
    { label: 'ALPN', description: req.alpn?.join(', ') ?? vscode.l10n.t('none'), what: 'alpn' },
    { label: vscode.l10n.t('Client certificate'), description: req.clientCertificate ? vscode.workspace.asRelativePath(vscode.Uri.parse(req.clientCertificate)) : vscode.l10n.t('none'), what: 'clientCertificate' },
  ];
  const kind = await vscode.window.showQuickPick(kinds, { title: vscode.l10n.t('What if… (change one thing and run the handshake again)') });
  if (!kind) return undefined;
  switch (kind.what) {
    case 'versions': {
      const items = [['TLSv1.3', 'TLSv1.3'], ['TLSv1.2', 'TLSv1.2'], ['TLSv1.2', 'TLSv1.3'], ['TLSv1', 'TLSv1.3'], ['TLSv1.1', 'TLSv1.1'], ['TLSv1', 'TLSv1'], ['SSLv3', 'SSLv3']];
      const p = await vscode.window.showQuickPick(items.map(([min, max]) => ({ label: min === max ? vscode.l10n.t('only {0}', min!) : vscode.l10n.t('{0} to {1}', min!, max!), min: min!, max: max! })), { title: vscode.l10n.t('Protocol versions to offer') });
      return p ? { kind: 'versions', min: p.min, max: p.max } : undefined;
    }
    case 'cipherSuites': {
      const list = await pickMany(vscode.l10n.t('TLS 1.3 cipher suites'), SUITES.filter((s) => s.versions === 'tls13').map((s) => ({ label: s.iana })), req.cipherSuites);
      return list && { kind: 'cipherSuites', list };
    }
    case 'groups': {
      const list = await pickMany(vscode.l10n.t('Groups (the first gets the key share)'), GROUPS.filter((g) => g.kind !== 'grease' && g.tls13 && !g.deprecated).map((g) => ({ label: g.openssl, description: g.iana })), req.groups);
      return list && { kind: 'groups', list };
    }
    case 'signatureAlgorithms': {
      const list = await pickMany(vscode.l10n.t('Signature algorithms'), SIGSCHEMES.filter((s) => s.tls13).map((s) => ({ label: s.iana })), req.signatureAlgorithms);
      return list && { kind: 'signatureAlgorithms', list };
    }
    case 'serverName': {
      const v = await vscode.window.showInputBox({ title: vscode.l10n.t('SNI (server name)'), value: req.serverName ?? req.host, prompt: vscode.l10n.t('Empty for none') });
      return v === undefined ? undefined : { kind: 'serverName', value: v.trim() || null };
    }
    case 'alpn': {
      const v = await vscode.window.showInputBox({ title: vscode.l10n.t('ALPN protocols'), value: req.alpn?.join(',') ?? '', prompt: vscode.l10n.t('Comma-separated; empty for none') });
      return v === undefined ? undefined : { kind: 'alpn', list: v.split(',').map((s) => s.trim()).filter(Boolean) };
    }
    case 'clientCertificate': {
      const docs = vscode.workspace.textDocuments.filter((d) => d.languageId === 'pem' && /PRIVATE KEY-----/.test(d.getText()) && /CERTIFICATE-----/.test(d.getText()));
      const p = await vscode.window.showQuickPick([{ label: vscode.l10n.t('No client certificate'), uri: undefined as vscode.Uri | undefined }, ...docs.map((d) => ({ label: vscode.workspace.asRelativePath(d.uri), uri: d.uri }))], { title: vscode.l10n.t('Client certificate (from open PEM editors holding a certificate and its key)') });
      return p ? { kind: 'clientCertificate', value: p.uri ? p.uri.toString() : null } : undefined;
    }
  }
}

function snapshotTitled(s: SessionSnapshot, title: string): SessionSnapshot {
  return { ...s, title };
}

/** Connect to Host: asks for the change, runs the replay in its own panel, then opens the comparison. */
export async function whatIfConnect(context: vscode.ExtensionContext, panel: SessionPanel, req: WhatIfRequest, connect: (req: WhatIfRequest) => Promise<SessionPanel | undefined>): Promise<void> {
  if (req.protocol === 'DTLS') return void vscode.window.showInformationMessage(vscode.l10n.t('TLS Lens: What if… is built for TLS sessions, not DTLS yet.'));
  const change = await pickClientChange(req);
  if (!change) return;
  let next: WhatIfRequest;
  try {
    next = { ...req, ...applyWhatIf(req, change) };
    if (change.kind === 'alpn' && !change.list.length) delete next.alpn;
    if (change.kind === 'clientCertificate' && change.value === null) delete next.clientCertificate;
  } catch (e) {
    return void vscode.window.showErrorMessage(vscode.l10n.t('TLS Lens: {0}', e instanceof WhatIfError ? errorText(e) : String(e)));
  }
  const before = panel.snapshot();
  const replay = await connect(next);
  if (!replay) return;
  await Promise.race([replay.settled, new Promise((r) => setTimeout(r, SETTLE_MS))]);
  openComparison(context, before, snapshotTitled(replay.snapshot(), vscode.l10n.t('What if: {0}', whatIfLabel(change))));
}

/** Serve TLS Here: the chain changed, replayed on 127.0.0.1 against our own client, beside the chain as served. */
export async function whatIfServe(context: vscode.ExtensionContext, served: { chain: Uint8Array[]; signer: Signer; alpn?: string[]; name: string }): Promise<void> {
  const changes = chainChanges(served.chain.length);
  if (!changes.length) return void vscode.window.showInformationMessage(vscode.l10n.t('TLS Lens: the served file holds only the leaf: there is no chain to change.'));
  const subject = (i: number) => {
    try {
      return decodeCertificate(served.chain[i]!).subject.text;
    } catch {
      return `#${i}`;
    }
  };
  const pick = await vscode.window.showQuickPick(changes.map((c) => ({
    label: whatIfLabel(c),
    description: c.kind === 'dropCertificate' ? subject(c.index) : c.kind === 'reorderChain' ? c.order.map((i) => subject(i)).join(' → ') : '',
    change: c,
  })), { title: vscode.l10n.t('What if our server sent… (replayed on 127.0.0.1 against our own client)') });
  if (!pick) return;
  // Two more servers on 127.0.0.1 (free ports), each met by our client: asked for as Serve TLS Here asks, in Restricted Mode.
  if (!(await allowNetwork({ kind: 'serve', host: '127.0.0.1', port: 0, certificate: served.name }))) return;
  const changed = applyWhatIf({ chain: served.chain }, pick.change).chain!;
  let leafName: string | undefined;
  try {
    leafName = decodeCertificate(served.chain[0]!).subjectAltNames?.find((n) => n.type === 'dns')?.value;
  } catch {
    leafName = undefined;
  }
  const anchors = servedAnchors(served.chain, systemAnchors().certs);
  const storeName = vscode.l10n.t('the system trust store and the file\'s own root');
  const describeChain = (c: Uint8Array[]) => c.map((d) => served.chain.indexOf(d)).join(', ');
  const common = { signer: served.signer, anchors, storeName, ...(leafName ? { serverName: leafName } : {}), ...(served.alpn ? { alpn: served.alpn } : {}) };
  const [before, after] = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('TLS Lens: replaying {0} on 127.0.0.1', served.name) }, () => Promise.all([
    runServedPair({ ...common, chain: served.chain, title: vscode.l10n.t('{0} as served', served.name), settings: [{ label: vscode.l10n.t('Chain'), value: describeChain(served.chain) }] }),
    runServedPair({ ...common, chain: changed, title: vscode.l10n.t('What if: {0}', pick.label), settings: [{ label: vscode.l10n.t('Chain'), value: describeChain(changed) }] }),
  ]));
  openComparison(context, before, after);
}

/**
 * Show Key Schedule: asks first (these are secrets), then opens the recorded schedule in an editor (never the
 * webview). A session that did not record one can be run again recording it.
 */
export async function showKeySchedule(panel: SessionPanel, rerunRecording?: () => Promise<SessionPanel | undefined>): Promise<void> {
  const show = vscode.l10n.t('Show Key Schedule');
  const ok = await vscode.window.showWarningMessage(
    vscode.l10n.t('The key schedule holds this session\'s secrets: traffic secrets, keys, IVs and the master secret. Anyone who sees them can decrypt the session. Show it in an editor?'),
    { modal: true }, show);
  if (ok !== show) return;
  const text = panel.keyScheduleText();
  if (text !== undefined) {
    const doc = await vscode.workspace.openTextDocument({ content: text, language: 'plaintext' });
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    return;
  }
  if (!rerunRecording) return void vscode.window.showInformationMessage(vscode.l10n.t('TLS Lens: the key schedule is recorded for Connect to Host sessions only.'));
  const again = vscode.l10n.t('Reconnect and Record');
  // Which values a bad_record_mac or decrypt_error implicates needs no secret: it is read from the trace.
  const failure = keyFailureFromTrace(panel.snapshot().events);
  const choice = await vscode.window.showInformationMessage(vscode.l10n.t('This session did not record its key schedule: secrets are kept only when asked. Connect again, recording it?'), { modal: true, ...(failure ? { detail: failureLines(failure).join('\n') } : {}) }, again);
  if (choice !== again) return;
  const replay = await rerunRecording();
  if (!replay) return;
  await Promise.race([replay.settled, new Promise((r) => setTimeout(r, SETTLE_MS))]);
  const recorded = replay.keyScheduleText();
  if (recorded === undefined) return;
  const doc = await vscode.workspace.openTextDocument({ content: recorded, language: 'plaintext' });
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
}
