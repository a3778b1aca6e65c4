// "self signed certificate in certificate chain" from VS Code's extension host, explained: which CA signed the chain
// the host receives for a URL (Node's view, tools/node-tls-probe.ts), whether that CA is one of Node's public roots,
// in the operating system's store, or neither, whether our engine's direct connection got the same chain (when not,
// something in between, an intercepting proxy, re-signs it), and what to set: NODE_EXTRA_CA_CERTS, VS Code's
// http.systemCertificates, or, as a last resort that turns checking off, http.proxyStrictSSL. Pure: chains in, words out.
import { loadCert, verifyChain, type VCert } from '../x509/verify';

export interface CertErrorInput {
  url: string;
  /** What Node's TLS in the extension host received and made of it. */
  node: { chain: Uint8Array[]; authorized: boolean; error?: string };
  /** What our engine received connecting straight to the host (no proxy), when it could. */
  engine?: { chain: Uint8Array[]; error?: string };
  /** Node's bundled roots (tls.rootCertificates), as certificates. */
  publicRoots: VCert[];
  /** The operating system's trust store (engine/x509/system-anchors.ts). */
  systemRoots: VCert[];
  /** The extension host's environment and VS Code settings that bear on it. */
  env: { NODE_EXTRA_CA_CERTS?: string; HTTPS_PROXY?: string; https_proxy?: string };
  settings: { systemCertificates?: boolean; proxyStrictSSL?: boolean; proxy?: string };
}

export interface CertErrorFix {
  /** The setting or variable. */
  name: 'NODE_EXTRA_CA_CERTS' | 'http.systemCertificates' | 'http.proxyStrictSSL' | 'chain';
  value: string;
  why: string;
}

export interface CertErrorExplanation {
  verdict: 'trusted' | 'private-ca' | 'intercepted' | 'self-signed-leaf' | 'incomplete-chain' | 'other';
  /** The CA at the top of the chain the extension host received (its self-signed root, or the issuer it names). */
  signer?: { subject: string; sha256?: string; sentByServer: boolean; publicRoot: boolean; inSystemStore: boolean };
  /** Whether our engine's direct connection received the same leaf. */
  sameAsDirect?: boolean;
  lines: string[];
  fixes: CertErrorFix[];
}

function safeLoad(der: Uint8Array): VCert | undefined {
  try {
    return loadCert(der);
  } catch {
    return undefined;
  }
}

const selfSigned = (c: VCert) => c.info.subject.text === c.info.issuer.text;

export function explainCertificateError(input: CertErrorInput): CertErrorExplanation {
  const chain = input.node.chain.map(safeLoad).filter((c): c is VCert => !!c);
  const lines: string[] = [];
  const fixes: CertErrorFix[] = [];
  if (!chain.length) return { verdict: 'other', lines: [`The extension host received no certificate from ${input.url}${input.node.error ? ` (${input.node.error})` : ''}.`], fixes };
  const [leaf, ...rest] = chain as [VCert, ...VCert[]];
  const top = chain[chain.length - 1]!;
  const inSet = (set: VCert[], c: VCert) => set.some((r) => r.id === c.id || (r.info.subject.text === c.info.issuer.text && selfSigned(r) && !selfSigned(c)));
  const topIsRoot = selfSigned(top);
  const signerName = topIsRoot ? top.info.subject.text : top.info.issuer.text;
  const publicRoot = inSet(input.publicRoots, top);
  const inSystemStore = inSet(input.systemRoots, top);
  const signer = { subject: signerName, ...(topIsRoot ? { sha256: top.info.fingerprints.sha256 } : {}), sentByServer: topIsRoot, publicRoot, inSystemStore };
  const withPublic = verifyChain({ target: leaf, untrusted: rest, trusted: input.publicRoots }, { purpose: 'sslserver' });
  const withSystem = verifyChain({ target: leaf, untrusted: rest, trusted: input.systemRoots }, { purpose: 'sslserver' });
  const direct = input.engine?.chain.length ? safeLoad(input.engine.chain[0]!) : undefined;
  const sameAsDirect = direct ? direct.id === leaf.id : undefined;
  const proxy = input.settings.proxy || input.env.HTTPS_PROXY || input.env.https_proxy;

  lines.push(`The extension host received ${chain.length} certificate(s) for ${input.url}: "${leaf.info.subject.text}", signed by "${leaf.info.issuer.text}".`);
  lines.push(`At the top of the chain: "${signerName}"${topIsRoot ? ' (a self-signed root the server sent along)' : ' (named as issuer; the server did not send it)'}; ${publicRoot ? 'it is one of Node\'s public roots' : 'it is NOT one of Node\'s public roots'}, and ${inSystemStore ? 'it IS in the operating system\'s trust store' : 'it is not in the operating system\'s trust store'}.`);
  if (input.node.error) lines.push(`Node's verdict: ${input.node.error}${input.node.error === 'SELF_SIGNED_CERT_IN_CHAIN' ? ' ("self signed certificate in certificate chain": the chain ends in a root Node does not trust)' : ''}.`);
  if (sameAsDirect === false)
    lines.push(`Our engine, connecting straight to the host${proxy ? ' (without the proxy)' : ''}, received a different certificate ("${direct!.info.subject.text}", signed by "${direct!.info.issuer.text}"): something between the extension host and the server${proxy ? ` (the proxy ${proxy})` : ''} re-signs the connection: TLS interception by "${signerName}".`);
  else if (sameAsDirect === true) lines.push(`Our engine, connecting straight to the host, received the same certificate${publicRoot ? '' : ': the host (or a transparent TLS inspection device on this network) presents this CA'}.`);
  if (proxy) lines.push(`VS Code is set to use a proxy (${proxy}); this check connected directly. Requests through the proxy may be re-signed by it: if the proxy inspects TLS, its CA is the one to trust.`);

  let verdict: CertErrorExplanation['verdict'];
  if (withPublic.ok) {
    verdict = 'trusted';
    lines.push('With Node\'s public roots the chain verifies: the error, if you see one, is not about this chain (try the exact URL the failing extension uses).');
  } else if (chain.length === 1 && selfSigned(leaf)) {
    verdict = 'self-signed-leaf';
    lines.push('The server sends a self-signed certificate: no CA vouches for it.');
  } else if (!topIsRoot && !inSystemStore && !publicRoot && withPublic.code === 20) {
    verdict = 'incomplete-chain';
    lines.push(`The server does not send the certificate of "${signerName}", and neither Node nor the system has it: the server's chain is incomplete.`);
    fixes.push({ name: 'chain', value: 'send the intermediate', why: 'configure the server to send its intermediate certificates (a full chain file)' });
  } else {
    verdict = sameAsDirect === false ? 'intercepted' : 'private-ca';
    lines.push(verdict === 'intercepted'
      ? `"${signerName}" is an interception CA (a corporate proxy or security product), not a public root: the extension host must be told to trust it.`
      : `"${signerName}" is a private CA, not a public root: the extension host must be told to trust it.`);
  }
  if (verdict === 'intercepted' || verdict === 'private-ca' || verdict === 'self-signed-leaf') {
    if (inSystemStore || withSystem.ok) {
      fixes.push({ name: 'http.systemCertificates', value: 'true', why: input.settings.systemCertificates === false ? 'it is off: turn it on so VS Code loads the operating system\'s certificates (where this CA already is) into the extension host' : 'it loads the operating system\'s certificates (where this CA is) into the extension host; if it is already on, the extension may be making its connection without VS Code\'s patched https (then use NODE_EXTRA_CA_CERTS)' });
    } else fixes.push({ name: 'http.systemCertificates', value: 'true', why: 'only helps once the CA is in the operating system\'s store: add it there (your IT department\'s root certificate), or use NODE_EXTRA_CA_CERTS' });
    fixes.push({ name: 'NODE_EXTRA_CA_CERTS', value: input.env.NODE_EXTRA_CA_CERTS ?? '/path/to/root-ca.pem', why: `${input.env.NODE_EXTRA_CA_CERTS ? `it is set to ${input.env.NODE_EXTRA_CA_CERTS}, but that file does not hold "${signerName}": add this root to it` : `a PEM file holding "${signerName}" (Save the CA below), set in the environment VS Code is started from`}; Node reads it once at start, so restart VS Code` });
    fixes.push({ name: 'http.proxyStrictSSL', value: 'false', why: 'a last resort: VS Code\'s requests then accept any certificate, so anyone in between can read them. Prefer the two above' });
  }
  return { verdict, signer, ...(sameAsDirect !== undefined ? { sameAsDirect } : {}), lines, fixes };
}

/** The explanation as text for an editor or a terminal. */
export function certErrorText(e: CertErrorExplanation): string {
  return [...e.lines, '', ...(e.fixes.length ? ['What to set:', ...e.fixes.map((f) => `  ${f.name} = ${f.value}: ${f.why}`)] : [])].join('\n') + '\n';
}
