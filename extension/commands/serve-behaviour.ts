// Serve TLS Here's options for testing a client, as `tlslens serve` has them in s_server's dialect: ask for or
// require a client certificate naming the CAs of a file (and verify client chains against them), accept only
// given groups or TLS 1.3 suites, force a HelloRetryRequest, staple an OCSP response. They come with the command's
// argument (a task, a keybinding's args, another extension), e.g. { "clientAuth": "require", "clientCAs": "ca.pem" }.
import * as vscode from 'vscode';
import type { SessionOptions } from '../../engine/net/session';
import { groupByName } from '../../engine/registry/groups';
import { suiteByName } from '../../engine/registry/suites';
import { clientCaOptions } from '../../engine/tools/client-auth';

export interface ServeBehaviour {
  /** 'request' asks each client for a certificate (s_server -verify), 'require' refuses a client without one (-Verify). */
  clientAuth?: 'request' | 'require';
  /** A CA file (path or URI): the CA names of the CertificateRequest, and the anchors client chains are verified against (-CAfile). */
  clientCAs?: string;
  /** Groups the server accepts, OpenSSL or IANA names, preferred first (-groups). */
  groups?: string[];
  /** TLS 1.3 suites the server accepts (-ciphersuites). */
  cipherSuites?: string[];
  /** Answer every first ClientHello with a HelloRetryRequest (tlslens serve --hrr). */
  helloRetry?: boolean;
  /** A DER OCSP response stapled for clients that ask (-status_file). */
  ocspResponse?: string;
}

const uriOf = (s: string) => (/^[a-z][a-z0-9+.-]+:/i.test(s) && !/^[a-z]:[\\/]/i.test(s) ? vscode.Uri.parse(s) : vscode.Uri.file(s));

/** The session options and the settings rows the panel shows; throws an Error naming the option that is wrong. */
export async function serveBehaviourOptions(b: ServeBehaviour): Promise<{ options: Partial<SessionOptions>; settings: { label: string; value: string }[] }> {
  const options: Partial<SessionOptions> = {};
  const settings: { label: string; value: string }[] = [];
  if (b.clientAuth) {
    options.clientAuth = b.clientAuth;
    settings.push({ label: vscode.l10n.t('Client certificate'), value: b.clientAuth === 'require' ? vscode.l10n.t('required (-Verify)') : vscode.l10n.t('requested (-verify)') });
  }
  if (b.clientCAs) {
    const ca = clientCaOptions(await vscode.workspace.fs.readFile(uriOf(b.clientCAs)), b.clientCAs);
    options.certificateAuthorities = ca.certificateAuthorities;
    options.verifyPeer = ca.verifyPeer;
    settings.push({ label: 'CAfile', value: b.clientCAs });
  }
  if (b.groups?.length) {
    options.groups = b.groups.map((n) => {
      const g = groupByName(n);
      if (!g) throw new Error(vscode.l10n.t('groups: unknown group "{0}"', n));
      return g.code;
    });
    settings.push({ label: vscode.l10n.t('Groups'), value: b.groups.join(', ') });
  }
  if (b.cipherSuites?.length) {
    options.cipherSuites = b.cipherSuites.map((n) => {
      const s = suiteByName(n);
      if (!s || !('versions' in s) || s.versions !== 'tls13') throw new Error(vscode.l10n.t('cipherSuites: "{0}" is not a TLS 1.3 cipher suite', n));
      return s.code;
    });
    settings.push({ label: vscode.l10n.t('TLS 1.3 cipher suites'), value: b.cipherSuites.join(', ') });
  }
  if (b.helloRetry) {
    options.forceHelloRetry = true;
    settings.push({ label: 'HelloRetryRequest', value: vscode.l10n.t('always (--hrr)') });
  }
  if (b.ocspResponse) {
    options.ocspResponse = await vscode.workspace.fs.readFile(uriOf(b.ocspResponse));
    settings.push({ label: 'status_file', value: b.ocspResponse });
  }
  return { options, settings };
}
