// Weaknesses that follow from the scan's facts, each explained: what it is, why it matters, what to change.
// Nothing here probes: a weakness is only claimed from a fact found (or its absence where the probe ran).
import { V } from '../registry/x509-verify-errors';
import type { ScanReport, Severity, Weakness } from './types';

const SHA1_SIG = /sha1|SHA1/;
const MD5_SIG = /md5|MD5/;

export function findWeaknesses(r: ScanReport): Weakness[] {
  const out: Weakness[] = [];
  const add = (id: string, severity: Severity, title: string, explanation: string) => out.push({ id, severity, title, explanation });
  const has = (name: string) => r.versions.some((v) => v.name === name && v.status === 'yes');
  const feature = (id: string) => r.features.find((f) => f.id === id);

  if (has('SSLv3'))
    add('ssl3', 'high', 'SSL 3.0 is accepted', 'SSL 3.0 is broken (POODLE, RFC 7568 forbids it): an attacker who can make a client fall back can decrypt CBC records. Turn it off.');
  for (const v of ['TLSv1', 'TLSv1.1'])
    if (has(v)) add(`old-version-${v}`, 'medium', `${v === 'TLSv1' ? 'TLS 1.0' : 'TLS 1.1'} is accepted`, 'RFC 8996 deprecates TLS 1.0 and 1.1: they rest on SHA-1 and MD5 and lack AEAD suites. Keep TLS 1.2 and 1.3 only unless very old clients must connect.');
  if (!has('TLSv1.2') && !has('TLSv1.3') && r.versions.some((v) => v.status === 'yes'))
    add('no-modern-version', 'high', 'Neither TLS 1.2 nor TLS 1.3', 'Current clients refuse anything older; enable TLS 1.2 and 1.3.');

  const all = r.suites.flatMap((s) => s.accepted.map((a) => ({ ...a, version: s.version })));
  const listOf = (pred: (a: (typeof all)[number]) => boolean) => [...new Set(all.filter(pred).map((a) => a.openssl))];
  const nulls = listOf((a) => /NULL/.test(a.openssl));
  if (nulls.length) add('null-suites', 'high', 'Suites without encryption', `${nulls.join(', ')}: records are sent in clear, only authenticated. Remove them from the cipher list.`);
  const rc4 = listOf((a) => /RC4/.test(a.openssl));
  if (rc4.length) add('rc4', 'high', 'RC4 suites', `${rc4.join(', ')}: RC4's keystream biases let repeated secrets (cookies) be recovered; RFC 7465 prohibits RC4 in TLS. Remove them.`);
  const des3 = listOf((a) => /DES-CBC3/.test(a.openssl));
  if (des3.length) add('3des', 'medium', '3DES suites', `${des3.join(', ')}: a 64-bit block cipher; after some gigabytes on one connection blocks collide and leak plaintext (Sweet32, CVE-2016-2183). Remove them.`);
  const cbc10 = [...new Set(all.filter((a) => (a.version === 'TLSv1' || a.version === 'SSLv3') && !/GCM|CCM|CHACHA|RC4|NULL/.test(a.openssl)).map((a) => `${a.openssl} (${a.version})`))];
  if (cbc10.length) add('cbc-tls10', 'medium', 'CBC suites in TLS 1.0 or SSL 3.0', `${cbc10.join(', ')}: the IV of each record is the last block of the one before, which lets a chosen-plaintext attacker guess secrets block by block (BEAST). Drop TLS 1.0 or these suites.`);
  const noFs = listOf((a) => a.kx === 'RSA');
  if (noFs.length) add('no-forward-secrecy', 'medium', 'Suites without forward secrecy', `${noFs.join(', ')}: with RSA key exchange, whoever gets the server's private key later can decrypt every recorded session. Prefer ECDHE or DHE suites and remove these.`);
  for (const s of r.suites) {
    const top = s.accepted[0];
    if (s.serverPreference && top && top.kx === 'RSA') add(`prefers-no-fs-${s.version}`, 'medium', `The server's first choice in ${s.version} has no forward secrecy`, `${top.openssl} comes first in the server's order; clients that offer it get no forward secrecy. Put ECDHE suites first.`);
  }
  if (r.groups.dheBits !== undefined && r.groups.dheBits < 2048)
    add('weak-dh', r.groups.dheBits < 1024 ? 'high' : 'medium', `Weak Diffie-Hellman group (${r.groups.dheBits} bits)`, `The server's DHE prime has ${r.groups.dheBits} bits; below 2048 bits a well-funded attacker can break the key exchange (Logjam showed 512-bit and 1024-bit groups within reach). Use ffdhe2048 or larger (RFC 7919), or ECDHE only.`);

  const reneg = feature('secure-renegotiation');
  if (reneg?.status === 'no') add('no-secure-renegotiation', 'high', 'No secure renegotiation (RFC 5746)', 'Without renegotiation_info an attacker can splice his own request in front of a client\'s session (the 2009 renegotiation attack). Update the TLS library.');
  if (feature('client-renegotiation')?.status === 'yes') add('client-renegotiation', 'low', 'Clients may renegotiate', 'Each renegotiation costs the server a full handshake: a client can make it work hard cheaply. Disable client-initiated renegotiation unless needed.');
  if (feature('extended-master-secret')?.status === 'no') add('no-ems', 'low', 'No extended master secret (RFC 7627)', 'Without it a man in the middle can make two sessions share a master secret (triple handshake attack) in TLS 1.2 and older.');
  if (feature('compression')?.status === 'yes') add('compression', 'high', 'TLS compression', 'Compressing secrets together with attacker-chosen data leaks the secrets through the record lengths (CRIME). Disable TLS compression.');
  if (feature('fallback-scsv')?.status === 'no') add('no-fallback-scsv', 'low', 'No downgrade protection for retries (RFC 7507)', 'The server ignored TLS_FALLBACK_SCSV, so a client that retries with a lower version after a dropped connection can be pushed down by an attacker.');
  if (feature('heartbeat')?.status === 'yes') add('heartbeat', 'low', 'Heartbeat extension offered', 'The heartbeat extension is rarely needed; it was the door for Heartbleed (CVE-2014-0160) in old OpenSSL. This scan does not test Heartbleed itself.');

  for (const s of r.signatureAlgorithms) {
    const weak = s.accepted.filter((n) => /sha1|md5/.test(n));
    if (weak.length) add(`sha1-handshake-${s.version}`, 'medium', `SHA-1 or MD5 signatures in the ${s.version} handshake`, `The server signs its key exchange with ${weak.join(', ')} when a client offers only that; collisions make SHA-1 and MD5 unfit for signatures (RFC 9155). Remove them from the server's signature algorithms.`);
  }

  for (const c of r.chains) {
    c.certificates.forEach((cert, depth) => {
      const selfSigned = cert.subject === cert.issuer;
      if (!selfSigned && (SHA1_SIG.test(cert.signatureAlgorithm) || MD5_SIG.test(cert.signatureAlgorithm)))
        add(`sha1-cert-${c.keyType}-${depth}`, 'high', `${MD5_SIG.test(cert.signatureAlgorithm) ? 'MD5' : 'SHA-1'} signature in the ${c.keyType} chain (depth ${depth})`, `${cert.subject} is signed with ${cert.signatureAlgorithm}; SHA-1 collisions are practical (SHAttered), and browsers reject such certificates. Reissue it with SHA-256.`);
      const short = (cert.keyType === 'RSA' || cert.keyType === 'RSA-PSS') ? cert.keyBits < 2048 : cert.keyType === 'EC' ? cert.keyBits < 256 : false;
      if (short) add(`short-key-${c.keyType}-${depth}`, 'high', `Short key in the ${c.keyType} chain (depth ${depth}: ${cert.keyType} ${cert.keyBits} bits)`, `${cert.subject} has a ${cert.keyBits}-bit ${cert.keyType} key; the CA/Browser Forum requires RSA of at least 2048 bits and P-256 or larger. Reissue with a longer key.`);
    });
    if (c.verify.code === V.UNABLE_TO_GET_ISSUER_CERT_LOCALLY || c.verify.code === V.UNABLE_TO_GET_ISSUER_CERT)
      add(`incomplete-chain-${c.keyType}`, 'high', `Incomplete chain or unknown CA (${c.keyType})`, `No issuer was found for a certificate of the ${c.keyType} chain among those served and the trust store (X509_V_ERR ${c.verify.code}: ${c.verify.text}). Usually the server does not send its intermediate: add it to the served chain. If it is sent, its root is not trusted here.`);
    else if (!c.verify.ok)
      add(`chain-${c.keyType}`, c.verify.code === V.CERT_HAS_EXPIRED || c.verify.code === V.HOSTNAME_MISMATCH ? 'high' : 'medium', `${c.keyType} chain does not verify: ${c.verify.text}`, `X509_V_ERR ${c.verify.code} (${c.verify.name}) at depth ${c.verify.errorDepth}. Clients that verify will refuse this chain.`);
  }
  return out;
}
