// Command and view identifiers, typed so that a typo does not compile. Keep in step with package.json.
export const COMMANDS = {
  checkKey: 'tlslens.checkKey',
  showDecoded: 'tlslens.showDecoded',
  showCertificate: 'tlslens.showCertificate',
  connectToHost: 'tlslens.connectToHost',
  serveHere: 'tlslens.serveHere',
  compareSessions: 'tlslens.compareSessions',
  verifyChain: 'tlslens.verifyChain',
} as const;

export const DECODE_SCHEME = 'tlslens-decode';
export const LANGUAGE_ID = 'pem';
