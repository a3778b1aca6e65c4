// Record protection for SSL 3.0 and TLS 1.0-1.2, one protector per direction (like protect13.ts), installed
// with that direction's keys from the key block. Modes:
//   AEAD, partially explicit nonce   AES-GCM (RFC 5288 section 3), AES-CCM/CCM_8 (RFC 6655 section 3):
//                                    nonce = salt(4) || nonce_explicit(8), nonce_explicit = the sequence number,
//                                    sent first in the record; AAD = seq || type || version || plaintext length
//                                    (RFC 5246 section 6.2.3.3)
//   AEAD, implicit nonce             ChaCha20-Poly1305 (RFC 7905 section 2): nonce = IV xor (0^4 || seq), same AAD
//   CBC, MAC-then-encrypt            RFC 5246 section 6.2.3.2 (TLS 1.1+: a random explicit IV per record), RFC 2246
//                                    section 6.2.3.2 (TLS 1.0: the IV chains from the last ciphertext block),
//                                    RFC 6101 section 5.2.3.2 (SSL 3.0: chained IV, its own MAC and padding rule)
//   CBC, encrypt-then-MAC            RFC 7366 section 3, a constructor flag
//   NULL cipher with a MAC           RFC 5246 section 6.2.3.1
// The MAC is HMAC over seq || type || version || length || data (RFC 5246 section 6.2.3.1), or for SSL 3.0
// hash(key + pad_2 + hash(key + pad_1 + seq + type + length + data)) (RFC 6101 section 5.2.3.1).
// Every failure to authenticate or decode a protected record is bad_record_mac: never decryption_failed, which
// RFC 5246 section 7.2.2 reserves, since telling the two apart is the padding oracle.
// DTLS mode (`dtls: true`, RFC 6347 section 4.1.2): the same transforms, but the sequence number that the MAC, the
// AAD and the nonce use is the record's own epoch(2) || sequence_number(6) (section 4.1.2.1), given per record
// to sealDtls/openDtls since records arrive out of order; the caller (engine/dtls/record.ts) writes and reads the
// 13-byte header. CBC always takes an explicit IV: DTLS 1.0 is TLS 1.1 with changes (RFC 4347 section 1).
import { wipe } from '../util/wipe';
import type { Aead, AeadKey, AeadName, BlockCipherKey, BlockCipherName, CryptoProvider, HashName } from '../crypto/provider';
import { ProtocolError } from '../conn/errors';
import type { CipherSuite } from '../registry/suites';
import { SSL3, TLS10, TLS11, suiteAllowed, type KeyBlock } from '../handshake/tls12/prf';
import { CT, recordHeader, type RecordIn } from './framer';
import { concatBytes } from '../util/hex';

/** TLSPlaintext.length limit (RFC 5246 section 6.2.1). */
export const MAX_PLAINTEXT = 1 << 14;
/** TLSCiphertext.length limit (RFC 5246 section 6.2.3, RFC 2246 and RFC 6101 alike). */
export const MAX_CIPHERTEXT = (1 << 14) + 2048;

export interface Opened12 {
  type: number;
  content: Uint8Array;
  seq: bigint;
}

export interface Tls12ProtectorOptions {
  provider: CryptoProvider;
  suite: CipherSuite;
  /** The negotiated version (0x0300-0x0303): it picks the MAC, the padding rule and the CBC IV rule. */
  version: number;
  /** What each record header carries, and what the MAC/AAD covers on seal; `version` unless given. */
  recordVersion?: number;
  /** This direction's keys (see `writeKeys` in prf.ts). Empty `macKey` for AEAD suites. */
  macKey: Uint8Array;
  key: Uint8Array;
  /** AEAD: the implicit nonce (4 or 12 bytes). CBC: the first record's IV for SSL 3.0/TLS 1.0, unused after. */
  iv: Uint8Array;
  /** RFC 7366 encrypt_then_mac, when both hellos carried the extension; CBC suites of TLS 1.0+ only. */
  encryptThenMac?: boolean;
  /**
   * DTLS record protection (RFC 6347 section 4.1.2): `version` is the TLS version the DTLS version is based on
   * (TLS11 for DTLS 1.0, TLS12 for DTLS 1.2), `recordVersion` the wire version (0xfeff, 0xfefd), which the
   * MAC/AAD covers (section 4.1.2.1). Records are then sealed and opened with sealDtls/openDtls only.
   */
  dtls?: boolean;
}

/** A DTLS record as openDtls needs it: the header fields the MAC/AAD covers, and the protected body. */
export interface DtlsRecordFields {
  type: number;
  /** The wire version from the header (0xfeff, 0xfefd). */
  version: number;
  epoch: number;
  /** The 48-bit sequence_number. */
  seq: number;
  fragment: Uint8Array;
}

export interface SealOptions {
  /**
   * 1/n-1 record splitting: application data goes out as a record holding its first byte, then one holding
   * the rest, so the first record's unpredictable MAC randomises the IV the attacker-chosen bytes are encrypted
   * under (the BEAST countermeasure of NSS and OpenSSL for chained-IV CBC). It only acts on application_data
   * with more than one byte in SSL 3.0/TLS 1.0 CBC, where it is needed; anywhere else it changes nothing. Off
   * by default: a few old peers mishandle a one-byte record.
   */
  splitFirstByte?: boolean;
}

type Mode = 'aead-explicit' | 'aead-xor' | 'cbc' | 'null';

const MAC_HASH: Record<string, HashName> = { MD5: 'md5', SHA1: 'sha1', SHA256: 'sha256', SHA384: 'sha384' };

function u64(seq: bigint): Uint8Array {
  const b = new Uint8Array(8);
  let s = seq;
  for (let i = 7; i >= 0; i--) {
    b[i] = Number(s & 0xffn);
    s >>= 8n;
  }
  return b;
}

/** What the MAC/AAD of a received record covers besides the sequence number. */
type MacInput = Pick<RecordIn, 'type' | 'version' | 'fragment'>;

/** RFC 6347 section 4.1.2.1: the 64-bit sequence number of DTLS is epoch(2) || sequence_number(6). */
function dtlsSeq(epoch: number, seq: number): bigint {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > 0xffff) throw new RangeError(`DTLS epoch ${epoch} is not a uint16`);
  if (!Number.isInteger(seq) || seq < 0 || seq > 0xffff_ffff_ffff) throw new RangeError(`DTLS sequence_number ${seq} is not a uint48`);
  return (BigInt(epoch) << 48n) | BigInt(seq);
}

/** A copy that owns its memory (Buffer.prototype.slice would return a view into the caller's bytes). */
const copy = (b: Uint8Array): Uint8Array => new Uint8Array(b);

const concat = (...parts: Uint8Array[]): Uint8Array => concatBytes(parts);

// Branch-free comparisons on small non-negative integers (< 2^31), for the padding check.
/** 1 when a === b, else 0. */
const eq = (a: number, b: number): number => (((a ^ b) - 1) >>> 31) & 1;
/** 1 when a <= b, else 0. */
const le = (a: number, b: number): number => ((b - a) >>> 31) ^ 1;

/** 1 when the first `n` bytes of a at ai and b at bi are equal; reads all n bytes whatever they hold. */
function ctEqual(a: Uint8Array, ai: number, b: Uint8Array, bi: number, n: number): number {
  let diff = 0;
  for (let i = 0; i < n; i++) diff |= a[ai + i]! ^ b[bi + i]!;
  return eq(diff, 0);
}

/** Compression-function calls a Merkle-Damgard hash makes over a message of `len` bytes. */
function compressions(len: number, blockLen: number): number {
  const lengthField = blockLen === 128 ? 16 : 8; // SHA-384/512 carry a 128-bit length, MD5/SHA-1/SHA-256 64 bits
  return Math.floor((len + lengthField) / blockLen) + 1;
}

export class Tls12Protector {
  /** The next record's sequence number (RFC 5246 section 6.1); it starts at 0 after each ChangeCipherSpec. */
  seq = 0n;
  /** Bytes of explicit nonce or IV that start each record's fragment: 8 for GCM/CCM, the block for TLS 1.1+ CBC. */
  readonly explicitNonceLen: number;
  /**
   * The most a record's fragment exceeds its content by (the 5-byte header not counted): nonce and tag for AEAD;
   * IV, MAC and at most one block of padding for CBC (seal pads minimally); the MAC for NULL.
   */
  readonly overhead: number;
  readonly version: number;
  readonly recordVersion: number;
  readonly encryptThenMac: boolean;
  /** The suite's IANA name, for the trace. */
  readonly suiteName: string;
  /** DTLS mode: see Tls12ProtectorOptions.dtls. */
  readonly dtls: boolean;
  /** Bytes of record header: 5 in TLS, 13 in DTLS (RFC 6347 section 4.1). */
  readonly headerLen: number;

  private readonly p: CryptoProvider;
  private readonly mode: Mode;
  private readonly ssl3: boolean;
  private readonly macHash: HashName | undefined;
  private readonly macLen: number;
  private readonly macKey: Uint8Array;
  private readonly aead: Aead | undefined;
  private readonly aeadKey: AeadKey | undefined;
  private readonly cipher: BlockCipherKey | undefined;
  private readonly blockLen: number;
  /** AEAD: salt or 12-byte IV. CBC with chained IVs: the IV of the next record, i.e. the last ciphertext block. */
  private iv: Uint8Array;
  private readonly chained: boolean;
  /** The key as given, kept only to be zeroed by wipe(). */
  private readonly rawKey: Uint8Array;

  constructor(opts: Tls12ProtectorOptions) {
    const { provider, suite, version } = opts;
    if (!suiteAllowed(version, suite))
      throw new RangeError(`${suite.iana} cannot protect records of version 0x${version.toString(16).padStart(4, '0')}`);
    this.p = provider;
    this.suiteName = suite.iana;
    this.version = version;
    this.recordVersion = opts.recordVersion ?? version;
    this.ssl3 = version === SSL3;
    const c = suite.cipher;
    const mode: Mode | 'rc4' =
      suite.mac === 'AEAD' ? (c.recordIvLen === 8 ? 'aead-explicit' : 'aead-xor') : c.name === 'NULL' ? 'null' : c.name === 'RC4-128' ? 'rc4' : 'cbc';
    if (mode === 'rc4') throw new RangeError('RC4 suites are not supported (RFC 7465 prohibits RC4 in TLS)');
    this.mode = mode;
    this.encryptThenMac = opts.encryptThenMac ?? false;
    if (this.encryptThenMac && (mode !== 'cbc' || this.ssl3))
      throw new RangeError('encrypt_then_mac applies to CBC suites of TLS 1.0 and later only (RFC 7366 sections 2.1 and 3)');
    this.dtls = opts.dtls ?? false;
    this.headerLen = this.dtls ? 13 : 5;
    if (this.dtls) {
      // DTLS 1.0 is based on TLS 1.1 (RFC 4347 section 1), DTLS 1.2 on TLS 1.2 (RFC 6347 section 1): no chained IVs.
      if (version < TLS11) throw new RangeError('DTLS records are protected as TLS 1.1 (DTLS 1.0) or TLS 1.2 (DTLS 1.2), never older');
      if (opts.recordVersion === undefined || opts.recordVersion >> 8 !== 0xfe)
        throw new RangeError('DTLS mode needs the wire recordVersion (0xfeff for DTLS 1.0, 0xfefd for DTLS 1.2)');
    }

    const expect = (what: string, got: Uint8Array, len: number): void => {
      if (!(got instanceof Uint8Array) || got.length !== len) throw new RangeError(`${suite.iana}: ${what} must be ${len} bytes, got ${got?.length}`);
    };
    this.macHash = MAC_HASH[suite.mac];
    this.macLen = suite.macLen;
    expect('the MAC key', opts.macKey, this.macLen);
    this.macKey = copy(opts.macKey);
    this.rawKey = opts.key;
    this.blockLen = 0;
    this.chained = false;
    this.iv = new Uint8Array(0);

    if (mode === 'aead-explicit' || mode === 'aead-xor') {
      this.aead = provider.aead(c.name as AeadName);
      expect('the key', opts.key, this.aead.keyLen);
      expect('the implicit IV', opts.iv, c.ivLen);
      this.aeadKey = this.aead.init(opts.key);
      this.iv = copy(opts.iv);
      this.explicitNonceLen = c.recordIvLen;
      this.overhead = c.recordIvLen + this.aead.tagLen;
    } else if (mode === 'cbc') {
      const bc = provider.blockCipher(c.name as BlockCipherName);
      expect('the key', opts.key, bc.keyLen);
      this.cipher = bc.init(opts.key);
      this.blockLen = bc.blockLen;
      this.chained = version <= TLS10; // RFC 4346 section 6.2.3.2 brought the explicit IV
      if (this.chained) {
        expect('the key-block IV', opts.iv, bc.blockLen);
        this.iv = copy(opts.iv);
      } else if (opts.iv.length !== 0 && opts.iv.length !== bc.blockLen) {
        expect('the (unused) key-block IV', opts.iv, bc.blockLen);
      }
      this.explicitNonceLen = this.chained ? 0 : bc.blockLen;
      this.overhead = this.explicitNonceLen + this.macLen + bc.blockLen;
    } else {
      expect('the key', opts.key, 0);
      this.explicitNonceLen = 0;
      this.overhead = this.macLen;
    }
  }

  /** Zeroes the MAC key, key and IV we hold (util/wipe.ts); the protector must not be used after. */
  wipe(): void {
    wipe(this.macKey, this.rawKey, this.iv);
  }

  /** A protector for `writer`'s direction from a derived key block. */
  static fromKeyBlock(
    provider: CryptoProvider, suite: CipherSuite, version: number, kb: KeyBlock, writer: 'client' | 'server',
    opts: { recordVersion?: number; encryptThenMac?: boolean; dtls?: boolean } = {},
  ): Tls12Protector {
    const c = writer === 'client';
    return new Tls12Protector({
      provider, suite, version, ...opts,
      macKey: c ? kb.clientMacKey : kb.serverMacKey,
      key: c ? kb.clientKey : kb.serverKey,
      iv: c ? kb.clientIv : kb.serverIv,
    });
  }

  /** The exact length of the record (header included) that `seal` makes of `contentLen` bytes, without splitting. */
  sealedLength(contentLen: number): number {
    switch (this.mode) {
      case 'aead-explicit':
      case 'aead-xor':
        return this.headerLen + this.overhead + contentLen;
      case 'null':
        return this.headerLen + contentLen + this.macLen;
      case 'cbc': {
        const bl = this.blockLen;
        const padded = (n: number): number => n + bl - (n % bl); // n + padding + length byte, minimal
        return this.headerLen + this.explicitNonceLen + (this.encryptThenMac ? padded(contentLen) + this.macLen : padded(contentLen + this.macLen));
      }
    }
  }

  private nextSeq(): bigint {
    const s = this.seq;
    // RFC 5246 section 6.1: sequence numbers never wrap; the connection must renegotiate first.
    if (s === 0xffffffffffffffffn) throw new ProtocolError('internal_error', 'sequence number would wrap: the connection must renegotiate or close first');
    this.seq = s + 1n;
    return s;
  }

  /** seq(8) || type || [version] || length(2): the MAC/AAD prefix (SSL 3.0's MAC has no version). */
  private prefix(seq: bigint, type: number, version: number, length: number, withVersion: boolean): Uint8Array {
    const b = new Uint8Array(withVersion ? 13 : 11);
    b.set(u64(seq));
    b[8] = type;
    let o = 9;
    if (withVersion) {
      b[9] = version >> 8;
      b[10] = version & 0xff;
      o = 11;
    }
    b[o] = length >> 8;
    b[o + 1] = length & 0xff;
    return b;
  }

  /** The record MAC over `data` (RFC 5246 section 6.2.3.1, RFC 6101 section 5.2.3.1). */
  private mac(seq: bigint, type: number, version: number, data: Uint8Array): Uint8Array {
    const h = this.macHash!;
    if (!this.ssl3) return this.p.hmac(h, this.macKey, concat(this.prefix(seq, type, version, data.length, true), data));
    const padLen = h === 'md5' ? 48 : 40;
    const hash = this.p.hash(h);
    const inner = hash.create().update(this.macKey).update(new Uint8Array(padLen).fill(0x36)).update(this.prefix(seq, type, version, data.length, false)).update(data).digest();
    return hash.create().update(this.macKey).update(new Uint8Array(padLen).fill(0x5c)).update(inner).digest();
  }

  /** Bytes hashed by the MAC's inner hash before the data: HMAC's ipad block + 13, or SSL 3.0's key + pad_1 + 11. */
  private macInnerPrefixLen(): number {
    const h = this.p.hash(this.macHash!);
    return this.ssl3 ? this.macLen + (this.macHash === 'md5' ? 48 : 40) + 11 : h.blockLen + 13;
  }

  /**
   * Protects `content` as one record of `type` (two with `splitFirstByte`, see SealOptions) and returns the
   * record bytes, 5-byte header included. Content over 2^14 bytes is a caller error (RangeError).
   */
  seal(type: number, content: Uint8Array, opts: SealOptions = {}): Uint8Array {
    this.notDtls('seal');
    if (content.length > MAX_PLAINTEXT) throw new RangeError(`record content of ${content.length} bytes exceeds 2^14`);
    if (opts.splitFirstByte && type === CT.application_data && this.mode === 'cbc' && this.chained && content.length > 1)
      return concat(this.sealOne(type, content.subarray(0, 1)), this.sealOne(type, content.subarray(1)));
    return this.sealOne(type, content);
  }

  /** The TLS entry points count sequence numbers themselves; a DTLS protector takes each record's from its header. */
  private notDtls(what: string): void {
    if (this.dtls) throw new RangeError(`${what}: a DTLS protector seals and opens with sealDtls/openDtls (RFC 6347 section 4.1.2.1)`);
  }

  /**
   * DTLS: protects `content` as the body of the record `epoch`/`seq` of `type` and returns that body (the
   * caller writes the 13-byte header, whose length is the body's). The MAC/AAD/nonce sequence number is
   * epoch || seq (RFC 6347 section 4.1.2.1); this protector's own `seq` counter is not used.
   */
  sealDtls(type: number, content: Uint8Array, epoch: number, seq: number): Uint8Array {
    if (!this.dtls) throw new RangeError('sealDtls: this protector was not made for DTLS (dtls: true)');
    if (content.length > MAX_PLAINTEXT) throw new RangeError(`record content of ${content.length} bytes exceeds 2^14`);
    return this.sealFragment(dtlsSeq(epoch, seq), type, content);
  }

  /**
   * DTLS: authenticates and decrypts one record body. Throws ProtocolError as `open` does (bad_record_mac,
   * record_overflow); RFC 6347 section 4.1.2.7 has the caller drop the record rather than end the connection.
   * The returned `seq` is the 64-bit epoch || sequence_number.
   */
  openDtls(rec: DtlsRecordFields): Opened12 {
    if (!this.dtls) throw new RangeError('openDtls: this protector was not made for DTLS (dtls: true)');
    const frag = rec.fragment;
    if (frag.length > MAX_CIPHERTEXT)
      throw new ProtocolError('record_overflow', `record of ${frag.length} bytes exceeds 2^14+2048 (RFC 6347 section 4.1, RFC 5246 section 6.2.3)`, { message: 'record', field: 'length' });
    return this.openFragment(dtlsSeq(rec.epoch, rec.seq), rec.type, rec.version, frag);
  }

  private sealOne(type: number, content: Uint8Array): Uint8Array {
    const fragment = this.sealFragment(this.nextSeq(), type, content);
    return concat(recordHeader(type, this.recordVersion, fragment.length), fragment);
  }

  /** The protected record body for sequence number `seq` (TLS's implicit one, or DTLS's epoch || seq). */
  private sealFragment(seq: bigint, type: number, content: Uint8Array): Uint8Array {
    const v = this.recordVersion;
    let fragment: Uint8Array;
    switch (this.mode) {
      case 'aead-explicit': {
        const explicit = u64(seq); // RFC 5288 section 3: nonce_explicit MAY be the sequence number, and is here
        const ct = this.aeadKey!.seal(concat(this.iv, explicit), this.prefix(seq, type, v, content.length, true), content);
        fragment = concat(explicit, ct);
        break;
      }
      case 'aead-xor':
        fragment = this.aeadKey!.seal(this.xorNonce(seq), this.prefix(seq, type, v, content.length, true), content);
        break;
      case 'null':
        fragment = concat(content, this.mac(seq, type, v, content));
        break;
      case 'cbc': {
        const etm = this.encryptThenMac;
        const body = etm ? content : concat(content, this.mac(seq, type, v, content));
        const bl = this.blockLen;
        const padLen = bl - 1 - (body.length % bl); // minimal: SSL 3.0 needs padding_length < block length
        const plain = new Uint8Array(body.length + padLen + 1);
        plain.set(body);
        plain.fill(padLen, body.length); // every padding byte and the length byte hold padding_length (TLS); SSL 3.0 reads only the last
        const iv = this.chained ? this.iv : this.p.random(bl);
        const ct = this.cipher!.encrypt(iv, plain);
        if (this.chained) this.iv = copy(ct.subarray(ct.length - bl));
        fragment = this.chained ? ct : concat(iv, ct);
        if (etm) fragment = concat(fragment, this.mac(seq, type, v, fragment)); // RFC 7366: MAC over IV || ENC(...)
        break;
      }
    }
    return fragment;
  }

  /** RFC 7905 section 2: the 12-byte IV xor the sequence number left-padded to 12 bytes. */
  private xorNonce(seq: bigint): Uint8Array {
    const n = copy(this.iv);
    const s = u64(seq);
    for (let i = 0; i < 8; i++) n[4 + i]! ^= s[i]!;
    return n;
  }

  private bad(seq: bigint, why: string): never {
    throw new ProtocolError('bad_record_mac', `record ${this.seqLabel(seq)} ${why}: wrong keys, or the bytes were changed in transit`, { message: 'record' });
  }

  /** TLS: the sequence number; DTLS: `epoch/sequence_number` as the header shows them. */
  private seqLabel(seq: bigint): string {
    return this.dtls ? `${seq >> 48n}/${seq & 0xffff_ffff_ffffn}` : `${seq}`;
  }

  /**
   * Authenticates and decrypts one record. The MAC and AAD cover the version in the received header, so a
   * changed header fails here too. Throws ProtocolError: record_overflow for a fragment over 2^14+2048 bytes
   * or content over 2^14; bad_record_mac for anything that does not authenticate or decode.
   */
  open(rec: RecordIn): Opened12 {
    this.notDtls('open');
    const frag = rec.fragment;
    if (frag.length > MAX_CIPHERTEXT)
      throw new ProtocolError('record_overflow', `record of ${frag.length} bytes exceeds 2^14+2048 (RFC 5246 section 6.2.3)`, { message: 'record', field: 'length' });
    return this.openFragment(this.nextSeq(), rec.type, rec.version, frag);
  }

  /** Authenticates and decrypts the body `frag` of record `seq` (TLS's implicit one, or DTLS's epoch || seq). */
  private openFragment(seq: bigint, type: number, version: number, frag: Uint8Array): Opened12 {
    const rec = { type, version, fragment: frag };
    let content: Uint8Array;
    switch (this.mode) {
      case 'aead-explicit':
      case 'aead-xor': {
        const tagLen = this.aead!.tagLen;
        const nl = this.explicitNonceLen;
        if (frag.length < nl + tagLen) this.bad(seq, `is ${frag.length} bytes, too short for the ${nl}-byte explicit nonce and ${tagLen}-byte tag`);
        const nonce = nl ? concat(this.iv, frag.subarray(0, nl)) : this.xorNonce(seq);
        const ct = frag.subarray(nl);
        const plain = this.aeadKey!.open(nonce, this.prefix(seq, rec.type, rec.version, ct.length - tagLen, true), ct);
        if (!plain) this.bad(seq, 'does not decrypt');
        content = plain;
        break;
      }
      case 'null': {
        if (frag.length < this.macLen) this.bad(seq, `is ${frag.length} bytes, shorter than its ${this.macLen}-byte MAC`);
        const n = frag.length - this.macLen;
        const expect = this.mac(seq, rec.type, rec.version, frag.subarray(0, n));
        if (!ctEqual(expect, 0, frag, n, this.macLen)) this.bad(seq, 'fails its MAC check');
        content = copy(frag.subarray(0, n));
        break;
      }
      case 'cbc':
        content = this.encryptThenMac ? this.openEtm(rec, seq) : this.openMte(rec, seq);
        break;
    }
    if (content.length > MAX_PLAINTEXT)
      throw new ProtocolError('record_overflow', `record ${this.seqLabel(seq)} holds ${content.length} bytes of content, over 2^14 (RFC 5246 section 6.2.1)`, { message: 'record' });
    return { type: rec.type, content, seq };
  }

  /** The IV a CBC record was encrypted under; for SSL 3.0/TLS 1.0 it also chains the next one from `ct`. */
  private cbcIv(ct: Uint8Array, ivPart: Uint8Array): Uint8Array {
    if (!this.chained) return ivPart;
    const iv = this.iv;
    this.iv = copy(ct.subarray(ct.length - this.blockLen));
    return iv;
  }

  /**
   * MAC-then-encrypt (RFC 5246 section 6.2.3.2). The padding check and the MAC run whatever the padding holds:
   * a bad padding is taken as padding_length 0 (RFC 5246's suggestion), the MAC is still computed and compared,
   * and dummy compression-function calls bring the MAC's hash work up to what the longest possible content
   * costs, so the time taken says little about the padding (Lucky Thirteen, AlFardan and Paterson 2013; the
   * same counter-measure as s2n's). This is a best effort: JavaScript gives no constant-time guarantees (JIT
   * tiers, garbage collection, noble's hashes branching on input length, the MAC read at a secret offset), so
   * prefer AEAD suites or encrypt_then_mac where the peer allows.
   */
  private openMte(rec: MacInput, seq: bigint): Uint8Array {
    const frag = rec.fragment;
    const bl = this.blockLen;
    const ivLen = this.explicitNonceLen;
    const macLen = this.macLen;
    const minCt = Math.ceil((macLen + 1) / bl) * bl; // content may be empty; MAC and length byte must fit
    if (frag.length < ivLen + minCt || (frag.length - ivLen) % bl !== 0)
      this.bad(seq, `is ${frag.length} bytes: a CBC record needs ${ivLen ? `a ${ivLen}-byte IV and ` : ''}whole ${bl}-byte blocks of at least ${minCt} bytes`);
    const ct = frag.subarray(ivLen);
    const plain = this.cipher!.decrypt(this.cbcIv(ct, frag.subarray(0, ivLen)), ct);
    const n = plain.length;
    const padLen = plain[n - 1]!;

    let good = le(padLen + 1 + macLen, n);
    if (this.ssl3) {
      good &= le(padLen + 1, bl); // RFC 6101 section 5.2.3.2: less than the block length; the bytes are not checked
    } else {
      // RFC 5246 section 6.2.3.2: every padding byte holds padding_length. Scan the last 256 bytes (or all) always.
      const scan = Math.min(256, n);
      for (let i = 1; i < scan; i++) good &= eq(plain[n - 1 - i]!, padLen) | (le(i, padLen) ^ 1);
    }
    const maxContent = n - macLen - 1;
    const contentLen = maxContent - padLen * good;
    const expect = this.mac(seq, rec.type, rec.version, plain.subarray(0, contentLen));
    // Even out the inner hash's compression calls to those of the longest content (the outer hash is fixed-size).
    const h = this.p.hash(this.macHash!);
    const pre = this.macInnerPrefixLen();
    const extra = compressions(pre + maxContent, h.blockLen) - compressions(pre + contentLen, h.blockLen);
    h.create().update(new Uint8Array(extra * h.blockLen));
    const macOk = ctEqual(expect, 0, plain, contentLen, macLen);
    if ((good & macOk) !== 1) this.bad(seq, good ? 'fails its MAC check' : 'has bad CBC padding (reported as bad_record_mac, RFC 5246 section 6.2.3.2)');
    return plain.subarray(0, contentLen);
  }

  /** Encrypt-then-MAC (RFC 7366 section 3): the MAC over IV || ciphertext is checked before anything is decrypted. */
  private openEtm(rec: MacInput, seq: bigint): Uint8Array {
    const frag = rec.fragment;
    const bl = this.blockLen;
    const ivLen = this.explicitNonceLen;
    const macLen = this.macLen;
    if (frag.length < ivLen + bl + macLen || (frag.length - ivLen - macLen) % bl !== 0)
      this.bad(seq, `is ${frag.length} bytes: an encrypt-then-MAC record needs ${ivLen ? `a ${ivLen}-byte IV, ` : ''}whole ${bl}-byte blocks and a ${macLen}-byte MAC`);
    const body = frag.subarray(0, frag.length - macLen);
    const expect = this.mac(seq, rec.type, rec.version, body);
    if (!ctEqual(expect, 0, frag, body.length, macLen)) this.bad(seq, 'fails its MAC check');
    const ct = body.subarray(ivLen);
    const plain = this.cipher!.decrypt(this.cbcIv(ct, body.subarray(0, ivLen)), ct);
    const n = plain.length;
    const padLen = plain[n - 1]!;
    let good = le(padLen + 1, n);
    for (let i = 1; i <= padLen && i < n; i++) good &= eq(plain[n - 1 - i]!, padLen); // authenticated: no oracle left to hide
    if (!good) this.bad(seq, 'has bad CBC padding under a valid MAC (the peer pads wrongly)');
    return plain.subarray(0, n - padLen - 1);
  }
}
