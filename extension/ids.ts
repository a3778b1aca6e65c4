// Command and view identifiers, typed so that a typo does not compile. Keep in step with package.json.
export const COMMANDS = {
  checkKey: 'tlslens.checkKey',
  showDecoded: 'tlslens.showDecoded',
  showCertificate: 'tlslens.showCertificate',
  connectToHost: 'tlslens.connectToHost',
  serveHere: 'tlslens.serveHere',
  compareSessions: 'tlslens.compareSessions',
  verifyChain: 'tlslens.verifyChain',
  compareWithServer: 'tlslens.compareWithServer',
  explainCertificateError: 'tlslens.explainCertificateError',
  scanServer: 'tlslens.scanServer',
  /** The status bar item's click: show a session panel or stop a server (not in the Command Palette). */
  statusBarActions: 'tlslens.statusBarActions',
} as const;
export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

/** Set once a PEM hover has been shown: completes the walkthrough's first step (package.json walkthroughs). */
export const HOVERED_CONTEXT = 'tlsLens.hoveredPem';

export const DECODE_SCHEME = 'tlslens-decode';
export const LANGUAGE_ID = 'pem';
