// Which computed values a bad_record_mac or decrypt_error implicates. A record that does not authenticate, a Finished
// or binder that does not match, says the two sides computed different keys, and the trace tells which keys were in
// use: the epoch each direction was in when it failed (the 'keys' events), the messages sent before it. From those
// this names the key-schedule values (RFC 8446 section 7.1; RFC 5246 sections 6.3, 7.4.9, 8.1) the failure points at,
// and the inputs each depends on, so the key-schedule view can be read from the right place. Pure: trace events in.

/** The fields of a trace event read here; the JSON form (the panel's) and TraceEvent objects both fit. */
export interface TraceLike {
  kind: string;
  side?: string;
  dir?: string;
  epoch?: string;
  name?: string;
  alert?: string;
  version?: string;
  message?: string;
  place?: { message?: string };
}

export interface Implicated {
  /** The key-schedule value, as the view names it (client_handshake_traffic_secret, master_secret...). */
  name: string;
  /** Why, in a sentence. */
  why: string;
}

export interface KeyFailure {
  alert: 'bad_record_mac' | 'decrypt_error';
  /** Who noticed: the peer (its alert came in) or we (we sent the alert). */
  detectedBy: 'peer' | 'us';
  /** One sentence: what failed, under which keys. */
  summary: string;
  implicated: Implicated[];
}

type Epoch = 'plaintext' | 'early' | 'handshake' | 'application';

const other = (s: 'client' | 'server'): 'client' | 'server' => (s === 'client' ? 'server' : 'client');

/** What the trace says about the failure, or undefined when it ended with neither alert. */
export function keyFailureFromTrace(events: readonly TraceLike[]): KeyFailure | undefined {
  let side: 'client' | 'server' | undefined;
  let version: string | undefined;
  const epoch: Record<'read' | 'write', Epoch> = { read: 'plaintext', write: 'plaintext' };
  const generation: Record<'read' | 'write', number> = { read: 0, write: 0 };
  const sent: string[] = [];
  const received: string[] = [];
  let sawHandshakeEpoch = false;
  let failure: { alert: 'bad_record_mac' | 'decrypt_error'; by: 'peer' | 'us'; place?: string } | undefined;
  for (const e of events) {
    if (e.side === 'client' || e.side === 'server') side ??= e.side;
    if (e.kind === 'negotiated' && e.version) version = e.version;
    if (e.kind === 'keys' && (e.dir === 'read' || e.dir === 'write') && e.epoch) {
      if (epoch[e.dir] === e.epoch) generation[e.dir]++;
      else generation[e.dir] = 0;
      epoch[e.dir] = e.epoch as Epoch;
      if (e.epoch !== 'application') sawHandshakeEpoch = true;
    }
    if (e.kind === 'handshake' && e.name) (e.dir === 'in' ? received : sent).push(e.name);
    if (!failure && e.kind === 'alert' && (e.name === 'bad_record_mac' || e.name === 'decrypt_error')) failure = { alert: e.name, by: e.dir === 'in' ? 'peer' : 'us' };
    if (!failure && e.kind === 'error' && (e.alert === 'bad_record_mac' || e.alert === 'decrypt_error')) failure = { alert: e.alert, by: 'us', ...(e.place?.message ? { place: e.place.message } : {}) };
  }
  if (!failure || !side) return undefined;
  // Before 'negotiated': only TLS 1.3 has handshake and early epochs (TLS 1.2 installs its keys as 'application').
  const tls13 = version ? version === 'TLSv1.3' : sawHandshakeEpoch || received.includes('encrypted_extensions') || sent.includes('encrypted_extensions');
  return tls13
    ? explain13(side, failure, epoch, generation, sent, received)
    : explain12(side, failure, sent, received);
}

function trafficChain(who: 'client' | 'server', ep: Epoch, gen: number): Implicated[] {
  if (ep === 'handshake')
    return [
      { name: `${who}_handshake_traffic_secret`, why: `the ${who}'s handshake records are protected with its key and iv` },
      { name: 'handshake_secret', why: 'HKDF-Extract(derived(early_secret), shared secret): both sides must have the same (EC)DHE or KEM shared secret' },
      { name: 'shared_secret', why: 'the key exchange: a different group, share or KEM ciphertext on one side gives a different secret' },
      { name: `${who}_handshake_traffic_secret transcript hash`, why: 'Derive-Secret over Transcript-Hash(ClientHello..ServerHello): if a hello was changed in transit (a middlebox, a proxy) or a HelloRetryRequest was handled differently, the hashes differ' },
    ];
  if (ep === 'application')
    return [
      { name: `${who}_application_traffic_secret_${gen}`, why: gen ? `generation ${gen}: both sides must have applied the same number of KeyUpdates` : `the ${who}'s application records are protected with its key and iv` },
      { name: 'master_secret', why: 'HKDF-Extract(derived(handshake_secret), 0)' },
      { name: `${who}_application_traffic_secret_0 transcript hash`, why: 'Derive-Secret over Transcript-Hash(ClientHello..server Finished)' },
    ];
  if (ep === 'early')
    return [
      { name: 'client_early_traffic_secret', why: '0-RTT records are protected with it' },
      { name: 'early_secret', why: 'HKDF-Extract(0, PSK): the PSK of the ticket resumed (resumption_master_secret and ticket_nonce of the earlier session)' },
      { name: 'client_early_traffic_secret transcript hash', why: 'Derive-Secret over Transcript-Hash(ClientHello)' },
    ];
  return [];
}

function explain13(side: 'client' | 'server', f: { alert: 'bad_record_mac' | 'decrypt_error'; by: 'peer' | 'us'; place?: string }, epoch: Record<'read' | 'write', Epoch>, gen: Record<'read' | 'write', number>, sent: string[], received: string[]): KeyFailure {
  const peer = other(side);
  if (f.alert === 'bad_record_mac') {
    // The peer could not open what we wrote, or we could not open what it wrote.
    const writer = f.by === 'peer' ? side : peer;
    const ep = f.by === 'peer' ? epoch.write : epoch.read;
    const g = f.by === 'peer' ? gen.write : gen.read;
    if (ep === 'plaintext')
      return { alert: f.alert, detectedBy: f.by, summary: `bad_record_mac while the ${writer}'s records were not yet protected: no key of the schedule was in use (the peer may have expected encrypted records, or the bytes were damaged)`, implicated: [] };
    const first = ep === 'handshake' && (f.by === 'us' ? !received.some((m) => m !== 'server_hello' && m !== 'hello_retry_request' && m !== 'client_hello') : true);
    return {
      alert: f.alert, detectedBy: f.by,
      summary: `${f.by === 'peer' ? `The ${peer} could not authenticate a record we (the ${side}) protected` : `We (the ${side}) could not authenticate a record the ${peer} protected`} under the ${ep} traffic keys${first ? ' (the first encrypted handshake record)' : ''}: the two sides derived different ${writer} ${ep} traffic keys.`,
      implicated: [{ name: `${writer}_${ep === 'early' ? 'early' : ep}_traffic_secret key/iv`, why: 'HKDF-Expand-Label(secret, "key"/"iv", "", length) (RFC 8446 section 7.3)' }, ...trafficChain(writer, ep, g)],
    };
  }
  // decrypt_error: a Finished, a PSK binder or a signature (CertificateVerify) did not check.
  const about = f.place ?? '';
  const ourFinished = sent.includes('finished');
  if (f.by === 'peer') {
    if (!received.includes('server_hello') && side === 'client')
      return { alert: f.alert, detectedBy: f.by, summary: 'The server rejected our ClientHello with decrypt_error before any ServerHello: the PSK binder did not verify (RFC 8446 section 4.2.11).', implicated: [
        { name: 'binder_key.finished_key', why: 'the binder is HMAC(finished_key of binder_key, Transcript-Hash(truncated ClientHello))' },
        { name: 'early_secret', why: 'HKDF-Extract(0, PSK): the PSK of the ticket (the server may have rotated its ticket key, or the ticket is for another server)' },
      ] };
    const cv = sent.includes('certificate_verify');
    return { alert: f.alert, detectedBy: f.by, summary: `The ${peer} rejected our ${ourFinished ? 'Finished' : 'handshake'}${cv ? ' or CertificateVerify' : ''} with decrypt_error.`, implicated: [
      ...(ourFinished ? [
        { name: `${side}_handshake_traffic_secret.finished_key`, why: 'verify_data = HMAC(finished_key, Transcript-Hash(...)) (RFC 8446 section 4.4.4)' },
        { name: `${side}_handshake_traffic_secret.verify_data transcript hash`, why: `the ${peer} hashed different handshake messages than we did (a message changed in transit, or one of us left one out)` },
      ] : []),
      ...(cv ? [{ name: 'CertificateVerify', why: 'a signature that does not verify is also decrypt_error: our key, the scheme, or the transcript hash it signs' }] : []),
    ] };
  }
  // We sent decrypt_error: the peer's Finished (or binder, or signature) did not check here.
  if (/certificate_?verify/i.test(about))
    return { alert: f.alert, detectedBy: f.by, summary: `The ${peer}'s CertificateVerify signature did not verify: not a key-schedule value, but the transcript hash it signs is.`, implicated: [{ name: 'CertificateVerify transcript hash', why: 'the signature covers Transcript-Hash(ClientHello..Certificate)' }] };
  if (/binder|client_?hello/i.test(about) && side === 'server')
    return { alert: f.alert, detectedBy: f.by, summary: 'The client\'s PSK binder did not verify here.', implicated: [{ name: 'binder_key.finished_key', why: 'HMAC over Transcript-Hash(truncated ClientHello)' }, { name: 'early_secret', why: 'HKDF-Extract(0, PSK of the ticket)' }] };
  return { alert: f.alert, detectedBy: f.by, summary: `The ${peer}'s Finished did not match what we computed (decrypt_error on Finished).`, implicated: [
    { name: `${peer}_handshake_traffic_secret.finished_key`, why: 'HKDF-Expand-Label(handshake traffic secret, "finished", "", Hash.length)' },
    { name: `${peer}_handshake_traffic_secret.verify_data transcript hash`, why: 'the transcript hash the Finished covers: the two sides saw different handshake messages' },
    { name: `${peer}_handshake_traffic_secret`, why: 'it opened the records, so the keys agree; the finished_key comes from the same secret, so the transcript is the likelier cause' },
  ] };
}

function explain12(side: 'client' | 'server', f: { alert: 'bad_record_mac' | 'decrypt_error'; by: 'peer' | 'us'; place?: string }, sent: string[], received: string[]): KeyFailure {
  const peer = other(side);
  const common: Implicated[] = [
    { name: 'master_secret', why: 'PRF(pre_master_secret, "master secret", client_random + server_random), or with extended master secret PRF(pre_master_secret, "extended master secret", session_hash) (RFC 5246 section 8.1, RFC 7627 section 4)' },
    { name: 'pre_master_secret', why: 'the key exchange: an RSA premaster the server decrypted differently (wrong key: implicit rejection gives a random one), or a different (EC)DHE shared secret' },
    { name: 'session_hash', why: 'with extended master secret, the hash of ClientHello..ClientKeyExchange: a message changed in transit changes it' },
  ];
  if (f.alert === 'bad_record_mac') {
    const writer = f.by === 'peer' ? side : peer;
    return { alert: f.alert, detectedBy: f.by, summary: `${f.by === 'peer' ? `The ${peer} could not authenticate a record we protected` : `We could not authenticate a record the ${peer} protected`} (after ChangeCipherSpec): the two sides derived different ${writer} write keys.`, implicated: [
      { name: `key_block.${writer}_write_key/mac_key/iv`, why: 'PRF(master_secret, "key expansion", server_random + client_random), cut in order (RFC 5246 section 6.3); also encrypt-then-MAC agreed differently' },
      ...common,
    ] };
  }
  const finished = f.by === 'peer' ? sent.includes('finished') : received.includes('finished');
  return { alert: f.alert, detectedBy: f.by, summary: finished ? `${f.by === 'peer' ? `The ${peer} rejected our Finished` : `The ${peer}'s Finished did not match ours`} (decrypt_error): the records opened, so the key block agrees; the Finished hash or master secret does not.` : `decrypt_error: a signature (ServerKeyExchange or CertificateVerify) did not verify.`, implicated: finished ? [
    { name: `${f.by === 'peer' ? side : peer}_finished verify_data`, why: 'PRF(master_secret, "client finished"/"server finished", Hash(handshake_messages)) (RFC 5246 section 7.4.9): the handshake hash differs' },
    ...common,
  ] : [{ name: 'signature', why: 'not a key-schedule value: the key, the scheme, or the signed randoms and parameters' }] };
}
