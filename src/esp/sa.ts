import { InvalidArgumentError } from '../core/errors.js';
import type { BytesSource } from '../crypto/bytes.js';
import type { CryptoSuite, EspCipher, ProtectionKeys } from '../crypto/suite.js';
import { EspError, EspErrorCode } from './errors.js';
import { encapsulate, NextHeader, openEsp, parseTrailer, readEspHeader } from './packet.js';
import { DEFAULT_REPLAY_WINDOW, ReplayWindow } from './replay-window.js';

export type EspDirection = 'inbound' | 'outbound';

/** Lifetime limits of one kind (soft or hard); absent fields are unlimited. */
export interface EspLimits {
  /** Inner-packet bytes carried. */
  readonly bytes?: number;
  readonly packets?: number;
  /** Age in seconds, measured by the caller's clock through `checkLifetime(now)`. */
  readonly seconds?: number;
}

export type ExpiryCause = 'bytes' | 'packets' | 'seconds' | 'sequence';
export type EspSaState = 'active' | 'soft-expired' | 'hard-expired';

/** Soft expiry asks for a rekey; hard expiry means the SA carries nothing more. */
export interface EspSaEvent {
  readonly type: 'soft-expire' | 'hard-expire';
  readonly spi: number;
  readonly direction: EspDirection;
  readonly cause: ExpiryCause;
}

export interface EspSaOptions {
  readonly spi: number;
  readonly direction: EspDirection;
  /** An ESP suite (CryptoSuite.esp). */
  readonly suite: CryptoSuite;
  /** This direction's keys, e.g. from keymat.ts deriveChildKeys. */
  readonly keys: ProtectionKeys;
  /** Randomness for CBC IVs; required for an outbound CBC SA. GCM IVs are the sequence number. */
  readonly rng?: BytesSource;
  /** Inbound anti-replay window in packets (default 64). */
  readonly replayWindow?: number;
  readonly soft?: EspLimits;
  readonly hard?: EspLimits;
  /** Next Header values delivered (default: IPv4 only, tunnel mode). */
  readonly nextHeaders?: readonly number[];
  /** Caller's clock reading (ms) when the SA was installed; `checkLifetime` measures age from it. */
  readonly createdAt?: number;
  /** Outbound: the first sequence number to send (default 1); lets tests reach the wrap. */
  readonly initialSequence?: { readonly high?: number; readonly low: number };
  readonly onEvent?: (event: EspSaEvent) => void;
}

export type EspOutboundResult =
  | { readonly ok: true; readonly packet: Uint8Array; readonly seq: number; readonly seqHigh: number }
  | { readonly ok: false; readonly error: EspError };

export type EspInboundResult =
  | { readonly ok: true; readonly payload: Uint8Array; readonly nextHeader: number; readonly seq: number; readonly seqHigh: number }
  | { readonly ok: false; readonly error: EspError };

export interface EspSaCounters {
  /** Packets encapsulated (outbound) or delivered (inbound). */
  readonly packets: number;
  /** Inner bytes of those packets. */
  readonly bytes: number;
  /** Packets refused, by reason. */
  readonly dropped: Readonly<Partial<Record<EspErrorCode, number>>>;
}

const U32_MAX = 0xffff_ffff;

/**
 * One ESP SA in one direction (RFC 4303 §3): sequence numbers, anti-replay, counters and
 * lifetimes around the packet functions of packet.ts. Nothing a peer sends makes it throw:
 * every refusal is an `{ ok: false, error }` with a stable code, counted in `counters.dropped`.
 */
export class EspSa {
  readonly spi: number;
  readonly direction: EspDirection;
  readonly suite: CryptoSuite;
  /** The inbound anti-replay window; undefined for outbound SAs. */
  readonly replayWindow: ReplayWindow | undefined;
  private readonly cipher: EspCipher;
  private readonly rng: BytesSource | undefined;
  private readonly soft: EspLimits;
  private readonly hard: EspLimits;
  private readonly nextHeaders: readonly number[];
  private readonly createdAt: number;
  private readonly onEvent: ((event: EspSaEvent) => void) | undefined;
  private nextHigh: number;
  private nextLow: number;
  private exhausted = false;
  private packets = 0;
  private bytes = 0;
  private readonly dropped: Partial<Record<EspErrorCode, number>> = {};
  private current: EspSaState = 'active';

  constructor(options: EspSaOptions) {
    if (!isU32(options.spi)) throw new InvalidArgumentError(`bad SPI ${options.spi}`);
    this.spi = options.spi;
    this.direction = options.direction;
    this.suite = options.suite;
    this.cipher = options.suite.esp(options.keys);
    this.rng = options.rng;
    if (this.direction === 'outbound' && this.suite.encryption.kind === 'cbc' && this.rng === undefined) {
      throw new InvalidArgumentError(`${this.suite.name}: an outbound CBC SA needs an rng for its IVs`);
    }
    this.replayWindow = this.direction === 'inbound' ? new ReplayWindow(options.replayWindow ?? DEFAULT_REPLAY_WINDOW, this.suite.esn) : undefined;
    this.soft = options.soft ?? {};
    this.hard = options.hard ?? {};
    this.nextHeaders = options.nextHeaders ?? [NextHeader.Ipv4];
    this.createdAt = options.createdAt ?? 0;
    this.onEvent = options.onEvent;
    this.nextHigh = options.initialSequence?.high ?? 0;
    this.nextLow = options.initialSequence?.low ?? 1;
    if (!isU32(this.nextHigh) || !isU32(this.nextLow) || (this.nextHigh === 0 && this.nextLow === 0)) {
      throw new InvalidArgumentError('the first sequence number must be 1..2^32-1 (or 2^64-1 with ESN)');
    }
    if (!this.suite.esn && this.nextHigh !== 0) throw new InvalidArgumentError('a high sequence half needs ESN');
  }

  get state(): EspSaState {
    return this.current;
  }

  get counters(): EspSaCounters {
    return { packets: this.packets, bytes: this.bytes, dropped: { ...this.dropped } };
  }

  /** Encapsulates an inner packet (outbound SAs only). */
  encapsulate(payload: Uint8Array, nextHeader: number = NextHeader.Ipv4): EspOutboundResult {
    if (this.direction !== 'outbound') throw new InvalidArgumentError(`SA ${hex(this.spi)} is inbound`);
    if (this.exhausted) return this.refuse(EspErrorCode.SequenceExhausted, 'sequence number space used up: rekey');
    if (this.current === 'hard-expired') return this.refuse(EspErrorCode.SaExpired, 'hard lifetime reached');
    const seq = this.nextLow;
    const seqHigh = this.nextHigh;
    const iv = this.suite.encryption.kind === 'aead' ? ivFromSequence(seqHigh, seq) : this.rng!.bytes(this.cipher.ivLength);
    const packet = encapsulate(this.cipher, { spi: this.spi, seq, seqHigh, payload, nextHeader, iv });
    this.advanceSequence();
    this.count(payload.length);
    return { ok: true, packet, seq, seqHigh };
  }

  /** Verifies and decapsulates a received packet (inbound SAs only). */
  decapsulate(packet: Uint8Array): EspInboundResult {
    if (this.direction !== 'inbound') throw new InvalidArgumentError(`SA ${hex(this.spi)} is outbound`);
    try {
      const { spi, seq } = readEspHeader(packet);
      if (spi !== this.spi) return this.refuse(EspErrorCode.BadSpi, `SPI ${hex(spi)} is not ${hex(this.spi)}`);
      if (this.current === 'hard-expired') return this.refuse(EspErrorCode.SaExpired, 'hard lifetime reached');
      const window = this.replayWindow!;
      const verdict = window.check(seq);
      if (!verdict.ok) return this.refuse(EspErrorCode.Replay, `sequence number ${seq}: ${verdict.reason}`);
      const plaintext = openEsp(this.cipher, packet, verdict.seqHigh);
      // Authentic: the window moves now, whatever the trailer holds (RFC 4303 §3.4.3).
      window.accept(seq, verdict.seqHigh);
      const { payload, nextHeader } = parseTrailer(plaintext);
      if (nextHeader === NextHeader.NoNextHeader) return this.refuse(EspErrorCode.DummyPacket, 'dummy packet (Next Header 59)');
      if (!this.nextHeaders.includes(nextHeader)) return this.refuse(EspErrorCode.BadNextHeader, `Next Header ${nextHeader} is not carried`);
      this.count(payload.length);
      return { ok: true, payload, nextHeader, seq, seqHigh: verdict.seqHigh };
    } catch (e) {
      if (e instanceof EspError) return this.refuse(e.code, e.message, e);
      throw e;
    }
  }

  /**
   * Compares the counters and the SA's age (caller's clock, ms) with its limits and fires the
   * soft/hard events that are due. Byte and packet limits are also checked after every packet.
   */
  checkLifetime(now: number): EspSaState {
    const ageSeconds = (now - this.createdAt) / 1000;
    this.checkLimits(ageSeconds);
    return this.current;
  }

  /** Forces an expiry (the IKE layer's own decision, e.g. a rekey that replaced this SA). */
  expire(level: 'soft' | 'hard', cause: ExpiryCause = 'seconds'): void {
    if (level === 'soft') this.softExpire(cause);
    else this.hardExpire(cause);
  }

  private count(payloadLength: number): void {
    this.packets++;
    this.bytes += payloadLength;
    this.checkLimits(undefined);
  }

  private checkLimits(ageSeconds: number | undefined): void {
    const softCause = this.reached(this.soft, ageSeconds);
    if (softCause !== undefined) this.softExpire(softCause);
    const hardCause = this.reached(this.hard, ageSeconds);
    if (hardCause !== undefined) this.hardExpire(hardCause);
  }

  private reached(limits: EspLimits, ageSeconds: number | undefined): ExpiryCause | undefined {
    if (limits.packets !== undefined && this.packets >= limits.packets) return 'packets';
    if (limits.bytes !== undefined && this.bytes >= limits.bytes) return 'bytes';
    if (limits.seconds !== undefined && ageSeconds !== undefined && ageSeconds >= limits.seconds) return 'seconds';
    return undefined;
  }

  private softExpire(cause: ExpiryCause): void {
    if (this.current !== 'active') return;
    this.current = 'soft-expired';
    this.onEvent?.({ type: 'soft-expire', spi: this.spi, direction: this.direction, cause });
  }

  private hardExpire(cause: ExpiryCause): void {
    if (this.current === 'hard-expired') return;
    this.current = 'hard-expired';
    this.onEvent?.({ type: 'hard-expire', spi: this.spi, direction: this.direction, cause });
  }

  /** Moves to the next sequence number; after the last one the SA is spent (RFC 4303 §3.3.3: no wrap). */
  private advanceSequence(): void {
    if (this.nextLow < U32_MAX) {
      this.nextLow++;
      return;
    }
    if (this.suite.esn && this.nextHigh < U32_MAX) {
      this.nextHigh++;
      this.nextLow = 0;
      return;
    }
    this.exhausted = true;
    this.hardExpire('sequence');
  }

  private refuse(code: EspErrorCode, message: string, error?: EspError): { ok: false; error: EspError } {
    this.dropped[code] = (this.dropped[code] ?? 0) + 1;
    return { ok: false, error: error ?? new EspError(code, `SA ${hex(this.spi)}: ${message}`) };
  }
}

/** GCM's explicit IV from the 64-bit sequence number: unique per SA, never random (RFC 4106 §3.1). */
function ivFromSequence(high: number, low: number): Uint8Array {
  return Uint8Array.of(high >>> 24, (high >>> 16) & 0xff, (high >>> 8) & 0xff, high & 0xff,
    low >>> 24, (low >>> 16) & 0xff, (low >>> 8) & 0xff, low & 0xff);
}

function isU32(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= U32_MAX;
}

function hex(spi: number): string {
  return `0x${spi.toString(16).padStart(8, '0')}`;
}
