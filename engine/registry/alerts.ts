// TLS alert descriptions: every alert of RFC 8446 section 6 and RFC 5246 section 7.2, plus the ones earlier
// versions and extensions defined and TLS 1.3 retired (kept so old peers' alerts still print by name).
// Each row says what the RFC means in one sentence and what a user should check first.
// Lookups never throw: an unknown code prints as `unknown(N)`.

export interface AlertRow {
  readonly code: number;
  /** The RFC's enum name, e.g. `handshake_failure`. */
  readonly name: string;
  /** The RFC's meaning, one plain-English sentence. */
  readonly description: string;
  /** Likely causes, most common first, phrased as things to check. */
  readonly causes: readonly string[];
  readonly rfc: string;
  /** Set for alerts that current versions must not send (`_RESERVED` in RFC 8446). */
  readonly deprecated?: string;
}

const ROWS = [
  {
    code: 0, name: 'close_notify', rfc: 'RFC 8446, Section 6.1',
    description: 'The sender will not send any more messages on this connection.',
    causes: ['the peer closed the connection normally', 'an idle or request timeout on the peer ended the session'],
  },
  {
    code: 10, name: 'unexpected_message', rfc: 'RFC 8446, Section 6.2',
    description: 'An inappropriate message (such as the wrong handshake message or premature application data) was received.',
    causes: [
      'the two sides disagree about the protocol version or handshake flow',
      'a middlebox altered or injected records',
      'application data was sent before the handshake finished',
      'a bug in one of the implementations',
    ],
  },
  {
    code: 20, name: 'bad_record_mac', rfc: 'RFC 8446, Section 6.2',
    description: 'A record could not be deprotected: its MAC or AEAD tag did not verify.',
    causes: [
      'the two sides derived different keys (a key schedule or PRF mismatch)',
      'the records were corrupted or altered in transit',
      'a TLS-terminating middlebox or proxy is in the path',
    ],
  },
  {
    code: 21, name: 'decryption_failed', rfc: 'RFC 5246, Section 7.2', deprecated: 'TLS 1.0 only; later versions send bad_record_mac',
    description: 'A TLSCiphertext decrypted in an invalid way (its length was not a multiple of the block size or its padding was wrong).',
    causes: ['an old TLS 1.0 peer could not decrypt a CBC record', 'the two sides derived different keys'],
  },
  {
    code: 22, name: 'record_overflow', rfc: 'RFC 8446, Section 6.2',
    description: 'A record was longer than the protocol (or a negotiated record size limit) allows.',
    causes: [
      'a negotiated max_fragment_length or record_size_limit was not respected',
      'the records were corrupted in transit',
      'the peer is not speaking TLS on this port',
    ],
  },
  {
    code: 30, name: 'decompression_failure', rfc: 'RFC 5246, Section 7.2', deprecated: 'TLS 1.2 and earlier; TLS 1.3 has no compression',
    description: 'The decompression function received improper input.',
    causes: ['TLS-level compression was negotiated and a record did not decompress'],
  },
  {
    code: 40, name: 'handshake_failure', rfc: 'RFC 8446, Section 6.2',
    description: 'The sender could not negotiate an acceptable set of security parameters from the options available.',
    causes: [
      'no cipher suite or group in common',
      'no signature algorithm in common for the certificate key',
      'the server requires a client certificate and none was sent',
      'the protocol versions allowed on each side do not overlap',
      'the server has no certificate for the requested name or key type',
    ],
  },
  {
    code: 41, name: 'no_certificate', rfc: 'RFC 6101, Section 5.4.2', deprecated: 'SSL 3.0 only',
    description: 'No appropriate certificate was available to answer a certificate request (SSL 3.0).',
    causes: ['an SSL 3.0 client had no certificate for the server\'s request'],
  },
  {
    code: 42, name: 'bad_certificate', rfc: 'RFC 8446, Section 6.2',
    description: 'A certificate was corrupt or contained signatures that did not verify correctly.',
    causes: [
      'the certificate or its chain is malformed',
      'a signature in the chain does not verify',
      'the client certificate was rejected by the server',
      'the CertificateVerify signature did not match the certificate key',
    ],
  },
  {
    code: 43, name: 'unsupported_certificate', rfc: 'RFC 8446, Section 6.2',
    description: 'A certificate was of an unsupported type.',
    causes: ['the certificate key type or curve is not supported by the peer', 'key usage or extended key usage does not allow this use'],
  },
  {
    code: 44, name: 'certificate_revoked', rfc: 'RFC 8446, Section 6.2',
    description: 'A certificate was revoked by its signer.',
    causes: ['the certificate appears in a CRL or OCSP response as revoked'],
  },
  {
    code: 45, name: 'certificate_expired', rfc: 'RFC 8446, Section 6.2',
    description: 'A certificate has expired or is not currently valid.',
    causes: ['a certificate in the chain has expired', 'a certificate is not yet valid', 'the clock of one of the machines is wrong'],
  },
  {
    code: 46, name: 'certificate_unknown', rfc: 'RFC 8446, Section 6.2',
    description: 'Some other issue arose in processing the certificate, rendering it unacceptable.',
    causes: ['the host name does not match the certificate', 'the chain failed a local policy check', 'an intermediate certificate is missing'],
  },
  {
    code: 47, name: 'illegal_parameter', rfc: 'RFC 8446, Section 6.2',
    description: 'A field in the handshake was syntactically valid but incorrect or inconsistent with other fields.',
    causes: [
      'the peer chose a value it was not offered (suite, group, version, PSK)',
      'a key share is not a valid point or has the wrong length',
      'a duplicate extension or a misplaced pre_shared_key extension',
      'a bug in one of the implementations',
    ],
  },
  {
    code: 48, name: 'unknown_ca', rfc: 'RFC 8446, Section 6.2',
    description: 'A valid certificate chain was received but its CA could not be located or matched with a trust anchor.',
    causes: [
      'the issuing CA is not in the trust store (self-signed or private CA)',
      'the server does not send its intermediate certificates',
      'the wrong CA file or directory is configured',
    ],
  },
  {
    code: 49, name: 'access_denied', rfc: 'RFC 8446, Section 6.2',
    description: 'A valid certificate or PSK was received but access control decided not to proceed.',
    causes: ['the client identity is not authorised on this server', 'an allow list or firewall policy rejected the peer'],
  },
  {
    code: 50, name: 'decode_error', rfc: 'RFC 8446, Section 6.2',
    description: 'A message could not be decoded because a field was out of range or a length was incorrect.',
    causes: ['a malformed or truncated handshake message', 'the peer is not speaking TLS (or not this version) on this port', 'corruption in transit'],
  },
  {
    code: 51, name: 'decrypt_error', rfc: 'RFC 8446, Section 6.2',
    description: 'A handshake cryptographic operation failed, such as verifying a signature, a Finished message or a PSK binder.',
    causes: [
      'the Finished or PSK binder did not verify (the two sides computed different transcripts or keys)',
      'a CertificateVerify or ServerKeyExchange signature did not verify',
      'the private key does not match the certificate',
    ],
  },
  {
    code: 60, name: 'export_restriction', rfc: 'RFC 2246, Section 7.2.2', deprecated: 'TLS 1.0 only',
    description: 'A negotiation not in compliance with export restrictions was detected.',
    causes: ['an export-grade cipher suite was negotiated with a too-long key'],
  },
  {
    code: 70, name: 'protocol_version', rfc: 'RFC 8446, Section 6.2',
    description: 'The protocol version the peer tried to negotiate is recognised but not supported.',
    causes: [
      'the minimum and maximum protocol versions of the two sides do not overlap',
      'the peer only speaks an old version (SSL 3.0, TLS 1.0/1.1) that is disabled here',
    ],
  },
  {
    code: 71, name: 'insufficient_security', rfc: 'RFC 8446, Section 6.2',
    description: 'Negotiation failed because the server requires parameters more secure than those the client supports.',
    causes: ['the client offers only weak cipher suites or groups', 'the security level rejects the key sizes in use'],
  },
  {
    code: 80, name: 'internal_error', rfc: 'RFC 8446, Section 6.2',
    description: 'An internal error unrelated to the peer or the protocol made it impossible to continue.',
    causes: ['a configuration or resource problem on the sender (key not loaded, out of memory)', 'a bug in the sender'],
  },
  {
    code: 86, name: 'inappropriate_fallback', rfc: 'RFC 7507, Section 2',
    description: 'The server saw TLS_FALLBACK_SCSV in a retry at a lower version than it supports.',
    causes: ['the client retried with a lower version after a failure (a middlebox broke the first attempt)'],
  },
  {
    code: 90, name: 'user_canceled', rfc: 'RFC 8446, Section 6.1',
    description: 'The sender is cancelling the handshake for a reason unrelated to a protocol failure.',
    causes: ['the user or application aborted the connection'],
  },
  {
    code: 100, name: 'no_renegotiation', rfc: 'RFC 5246, Section 7.2', deprecated: 'TLS 1.2 and earlier; TLS 1.3 has no renegotiation',
    description: 'The sender refuses a renegotiation request.',
    causes: ['renegotiation is disabled on the peer', 'secure renegotiation (RFC 5746) is not supported by one side'],
  },
  {
    code: 109, name: 'missing_extension', rfc: 'RFC 8446, Section 6.2',
    description: 'A handshake message lacked an extension that is mandatory for the offered version or parameters.',
    causes: ['a TLS 1.3 ClientHello without supported_groups, key_share or signature_algorithms', 'a bug in the peer\'s TLS 1.3 support'],
  },
  {
    code: 110, name: 'unsupported_extension', rfc: 'RFC 8446, Section 6.2',
    description: 'A message contained an extension that is prohibited there or that was not first offered by the other side.',
    causes: ['the server answered with an extension the client never offered', 'a middlebox added an extension'],
  },
  {
    code: 111, name: 'certificate_unobtainable', rfc: 'RFC 6066, Section 5', deprecated: 'not used in TLS 1.3',
    description: 'The server could not obtain a certificate from a URL the client provided.',
    causes: ['the client_certificate_url could not be fetched by the server'],
  },
  {
    code: 112, name: 'unrecognized_name', rfc: 'RFC 6066, Section 3',
    description: 'The server has no virtual host for the name the client sent in server_name.',
    causes: ['a typo in the host name', 'the server has no certificate or site configured for that name', 'SNI was sent with an IP address'],
  },
  {
    code: 113, name: 'bad_certificate_status_response', rfc: 'RFC 6066, Section 8',
    description: 'The client found the OCSP response the server stapled invalid or unacceptable.',
    causes: ['the stapled OCSP response is stale, for another certificate or badly signed'],
  },
  {
    code: 114, name: 'bad_certificate_hash_value', rfc: 'RFC 6066, Section 5', deprecated: 'not used in TLS 1.3',
    description: 'A certificate fetched from a client-provided URL did not match the hash the client gave.',
    causes: ['the certificate at the client_certificate_url changed'],
  },
  {
    code: 115, name: 'unknown_psk_identity', rfc: 'RFC 8446, Section 6.2',
    description: 'PSK key establishment was desired but the client offered no acceptable PSK identity.',
    causes: ['the PSK identity is not configured on the server', 'the session ticket expired or the ticket keys rotated'],
  },
  {
    code: 116, name: 'certificate_required', rfc: 'RFC 8446, Section 6.2',
    description: 'The server wanted a client certificate and none was provided.',
    causes: ['no client certificate or key is configured', 'no client certificate matches the CAs the server asked for'],
  },
  {
    code: 120, name: 'no_application_protocol', rfc: 'RFC 7301, Section 3.2',
    description: 'The client\'s ALPN list holds only protocols the server does not support.',
    causes: ['the ALPN protocols offered (e.g. h2, http/1.1) are not enabled on the server'],
  },
  {
    code: 121, name: 'ech_required', rfc: 'RFC 9849, Section 6.1.6',
    description: 'The client offered Encrypted Client Hello and the server did not accept it.',
    causes: ['the ECH configuration the client used is stale', 'a server or front end in the path does not support ECH'],
  },
] as const satisfies readonly AlertRow[];

/** The name of every alert we know, e.g. `'handshake_failure'`. */
export type AlertDescription = (typeof ROWS)[number]['name'];

export const ALERTS: readonly AlertRow[] = ROWS;

/** `AlertCode.handshake_failure === 40`. */
export const AlertCode = Object.fromEntries(ROWS.map((r) => [r.name, r.code])) as {
  readonly [R in (typeof ROWS)[number] as R['name']]: R['code'];
};

export const AlertLevel = { warning: 1, fatal: 2 } as const;

const byCode = new Map<number, AlertRow>(ROWS.map((r) => [r.code, r]));
const byName = new Map<string, AlertRow>(ROWS.map((r) => [r.name, r]));

export function alertByCode(code: number): AlertRow | undefined {
  return byCode.get(code);
}

/** Accepts `handshake_failure`, `HANDSHAKE_FAILURE` and OpenSSL's long form `handshake failure`. */
export function alertByName(name: string): AlertRow | undefined {
  return byName.get(name.trim().toLowerCase().replace(/[\s-]+/g, '_'));
}

/** `handshake_failure`, or `unknown(N)` for a code we do not know. */
export function alertName(code: number): string {
  return byCode.get(code)?.name ?? `unknown(${code})`;
}

export function alertCode(name: AlertDescription): number {
  return AlertCode[name];
}

export function isAlertDescription(name: string): name is AlertDescription {
  return byName.has(name);
}

/** `warning`, `fatal`, or `unknown(N)`. */
export function alertLevelName(level: number): string {
  return level === 1 ? 'warning' : level === 2 ? 'fatal' : `unknown(${level})`;
}
