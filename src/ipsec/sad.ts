import type { Clock, Timer } from '../core/clock.js';
import type { BytesSource } from '../crypto/bytes.js';
import { CryptoSuite } from '../crypto/suite.js';
import { EspSa, type EspDirection, type EspLimits, type EspSaEvent, type ExpiryCause } from '../esp/sa.js';
import { ESP_HEADER_LENGTH } from '../esp/packet.js';
import type { ChildLifetimes, ChildSaRemoval, NegotiatedChildSa } from '../ike/child-sa.js';
import { ipv4Malformed } from '../net/ipv4.js';
import { IpsecDrop, IpsecError, IpsecErrorCode, type IpsecDropReason } from './errors.js';
import { inboundFlowAllowed, outboundFlowAllowed, packetFlow } from './flow.js';

/** A soft or hard lifetime reached by a CHILD_SA: the engine rekeys on soft; on hard the SA is gone. */
export interface ChildExpiry {
  readonly ikeSaName: string;
  readonly childName: string;
  readonly inboundSpi: number;
  readonly outboundSpi: number;
  readonly level: 'soft' | 'hard';
  readonly cause: ExpiryCause;
  /** Which of the child's two ESP SAs reached its limit first. */
  readonly direction: EspDirection;
}

/** One installed CHILD_SA: its two ESP SAs. */
export interface InstalledChild {
  readonly config: NegotiatedChildSa;
  readonly inbound: EspSa;
  readonly outbound: EspSa;
  /** Clock reading (ms) at install. */
  readonly installedAt: number;
  /** A newer SA of the same child replaced this one (a rekey): it only waits for its removal, without rekeying. */
  readonly superseded: boolean;
  /** Whether its outbound SA may carry traffic yet (see InstallOptions.deferOutbound). */
  readonly outboundActive: boolean;
}

export interface InstallOptions {
  /**
   * Install the inbound SA only and keep sending on the replaced one until it is removed (or
   * `activateOutbound` is called): the rekey responder's way, as strongSwan does, since the
   * initiator cannot decrypt the new SA before the CREATE_CHILD_SA response reaches it.
   */
  readonly deferOutbound?: boolean;
}

/** Traffic of one child (by name, across rekeys), for status views. Bytes are inner-packet bytes. */
export interface ChildTrafficCounters {
  readonly packetsIn: number;
  readonly bytesIn: number;
  readonly packetsOut: number;
  readonly bytesOut: number;
  readonly drops: Readonly<Partial<Record<IpsecDropReason, number>>>;
}

export type ProtectResult =
  | { readonly ok: true; readonly packet: Uint8Array; readonly child: InstalledChild }
  | { readonly ok: false; readonly reason: IpsecDropReason };

export type UnprotectResult =
  | { readonly ok: true; readonly inner: Uint8Array; readonly child: InstalledChild }
  | { readonly ok: false; readonly reason: IpsecDropReason; readonly child?: InstalledChild };

export interface SadOptions {
  readonly clock: Clock;
  /** Randomness for CBC IVs of outbound SAs. */
  readonly rng: BytesSource;
  readonly onExpire?: (expiry: ChildExpiry) => void;
}

interface ChildRecord extends InstalledChild {
  superseded: boolean;
  outboundActive: boolean;
  softNotified: boolean;
  hardNotified: boolean;
  removed: boolean;
  timer: Timer | undefined;
}

interface MutableCounters {
  packetsIn: number;
  bytesIn: number;
  packetsOut: number;
  bytesOut: number;
  drops: Partial<Record<IpsecDropReason, number>>;
}

/**
 * The security association database (RFC 4301 §4.4.2) of one gateway, as CHILD_SAs: installs what
 * the IKE engine negotiated as an inbound and an outbound EspSa, finds the SA for a child's
 * outbound packets (the newest one: a rekey switches traffic at once) and for an inbound SPI
 * (old SAs keep receiving until the engine removes them: make-before-break), checks decrypted
 * packets against the child's selectors, and watches lifetimes on the injected clock.
 */
export class SecurityAssociationDatabase {
  private readonly clock: Clock;
  private readonly rng: BytesSource;
  private readonly onExpire: ((expiry: ChildExpiry) => void) | undefined;
  private readonly byInboundSpi = new Map<number, ChildRecord>();
  /** Installed SAs per child name, oldest first. */
  private readonly byChild = new Map<string, ChildRecord[]>();
  private readonly traffic = new Map<string, MutableCounters>();
  private readonly unattributed: Partial<Record<IpsecDropReason, number>> = {};
  private readonly changeListeners = new Set<(childName: string) => void>();

  constructor(options: SadOptions) {
    this.clock = options.clock;
    this.rng = options.rng;
    this.onExpire = options.onExpire;
  }

  /**
   * Installs a negotiated CHILD_SA. One that `replaces` another takes over its outbound traffic at
   * once, or, with `deferOutbound`, when the replaced one is removed.
   */
  install(child: NegotiatedChildSa, options: InstallOptions = {}): InstalledChild {
    if (this.byInboundSpi.has(child.inboundSpi)) {
      throw new IpsecError(IpsecErrorCode.SpiInUse, `${child.ikeSaName}/${child.childName}: inbound SPI ${hex(child.inboundSpi)} is already installed`);
    }
    const suite = CryptoSuite.esp(child.suite);
    const { soft, hard } = espLimits(child.lifetimes);
    const now = this.clock.now();
    const replaced = child.replaces === undefined ? undefined : this.byInboundSpi.get(child.replaces);
    const predecessor = replaced !== undefined && replaced.config.childName === child.childName ? replaced : undefined;
    const onEvent = (event: EspSaEvent): void => this.onSaEvent(record, event);
    const record: ChildRecord = {
      config: child,
      inbound: new EspSa({
        spi: child.inboundSpi, direction: 'inbound', suite, keys: child.inboundKeys, replayWindow: child.replayWindow,
        soft, hard, createdAt: now, onEvent,
      }),
      outbound: new EspSa({
        spi: child.outboundSpi, direction: 'outbound', suite, keys: child.outboundKeys, rng: this.rng,
        soft, hard, createdAt: now, onEvent,
      }),
      installedAt: now,
      superseded: false,
      outboundActive: options.deferOutbound !== true || predecessor === undefined,
      softNotified: false,
      hardNotified: false,
      removed: false,
      timer: undefined,
    };
    if (predecessor !== undefined) predecessor.superseded = true;
    this.byInboundSpi.set(child.inboundSpi, record);
    const list = this.byChild.get(child.childName) ?? [];
    list.push(record);
    this.byChild.set(child.childName, list);
    this.countersOf(child.childName);
    this.armLifetimeTimer(record);
    this.changed(child.childName);
    return record;
  }

  /** Removes a CHILD_SA (deleted by either peer, or its IKE SA gone); false when it is not installed. */
  remove(removal: Pick<ChildSaRemoval, 'inboundSpi'> & Partial<ChildSaRemoval>): boolean {
    const record = this.byInboundSpi.get(removal.inboundSpi);
    if (record === undefined) return false;
    if (removal.childName !== undefined && removal.childName !== record.config.childName) return false;
    this.detach(record);
    return true;
  }

  /** Removes every CHILD_SA of an IKE SA; returns how many. */
  removeIkeSa(ikeSaName: string): number {
    const doomed = [...this.byInboundSpi.values()].filter((r) => r.config.ikeSaName === ikeSaName);
    for (const record of doomed) this.detach(record);
    return doomed.length;
  }

  /** Starts sending on an SA installed with `deferOutbound`; false when no such SA is installed. */
  activateOutbound(inboundSpi: number): boolean {
    const record = this.byInboundSpi.get(inboundSpi);
    if (record === undefined) return false;
    if (!record.outboundActive) {
      record.outboundActive = true;
      this.changed(record.config.childName);
    }
    return true;
  }

  /** The SA a child's outbound packets use: the newest installed whose outbound is active. */
  current(childName: string): InstalledChild | undefined {
    return this.byChild.get(childName)?.findLast((r) => r.outboundActive);
  }

  byInbound(spi: number): InstalledChild | undefined {
    return this.byInboundSpi.get(spi);
  }

  /** Every installed SA, in install order per child. */
  children(): InstalledChild[] {
    return [...this.byChild.values()].flat();
  }

  counters(childName: string): ChildTrafficCounters {
    const c = this.countersOf(childName);
    return { ...c, drops: { ...c.drops } };
  }

  /** Drops that belong to no child: unknown SPIs, truncated packets. */
  get unattributedDrops(): Readonly<Partial<Record<IpsecDropReason, number>>> {
    return { ...this.unattributed };
  }

  /** Counts a drop that happened around the SA (outer send failed, nobody to deliver to). */
  countDrop(childName: string, reason: IpsecDropReason): void {
    const drops = this.countersOf(childName).drops;
    drops[reason] = (drops[reason] ?? 0) + 1;
  }

  /** Called with the child's name whenever one of its SAs is installed or removed. */
  onChange(listener: (childName: string) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /**
   * Encrypts an inner IPv4 packet with the child's current outbound SA. The packet must lie inside
   * the negotiated selectors: what the peer did not agree to carry is dropped, never sent in clear.
   */
  protect(childName: string, inner: Uint8Array): ProtectResult {
    const child = this.current(childName);
    if (child === undefined) return this.refuse(childName, IpsecDrop.NoSa);
    if (!outboundFlowAllowed(packetFlow(inner), child.config.localSelectors, child.config.remoteSelectors)) {
      return this.refuse(childName, IpsecDrop.SelectorMismatch);
    }
    const result = child.outbound.encapsulate(inner);
    if (!result.ok) return this.refuse(childName, result.error.code);
    const c = this.countersOf(childName);
    c.packetsOut++;
    c.bytesOut += inner.length;
    return { ok: true, packet: result.packet, child };
  }

  /**
   * Finds the SA by SPI, verifies and decrypts, and checks the inner packet against the child's
   * selectors (RFC 4301 §5.2: source in the remote ones, destination in the local ones).
   */
  unprotect(esp: Uint8Array): UnprotectResult {
    if (esp.length < ESP_HEADER_LENGTH) return this.refuseUnattributed(IpsecDrop.Truncated);
    const spi = ((esp[0]! << 24) | (esp[1]! << 16) | (esp[2]! << 8) | esp[3]!) >>> 0;
    const child = this.byInboundSpi.get(spi);
    if (child === undefined) return this.refuseUnattributed(IpsecDrop.UnknownSpi);
    const name = child.config.childName;
    const result = child.inbound.decapsulate(esp);
    if (!result.ok) return { ...this.refuse(name, result.error.code), child };
    const inner = result.payload;
    if (ipv4Malformed(inner) !== undefined) return { ...this.refuse(name, IpsecDrop.MalformedInner), child };
    if (!inboundFlowAllowed(packetFlow(inner), child.config.localSelectors, child.config.remoteSelectors)) {
      return { ...this.refuse(name, IpsecDrop.SelectorMismatch), child };
    }
    const c = this.countersOf(name);
    c.packetsIn++;
    c.bytesIn += inner.length;
    return { ok: true, inner, child };
  }

  private onSaEvent(record: ChildRecord, event: EspSaEvent): void {
    if (record.removed) return;
    const level = event.type === 'soft-expire' ? 'soft' : 'hard';
    if (level === 'soft') {
      // A replaced SA is already rekeyed: it only waits for its delete.
      if (record.softNotified || record.superseded) return;
      record.softNotified = true;
    } else {
      if (record.hardNotified) return;
      record.hardNotified = true;
      this.detach(record);
    }
    const c = record.config;
    this.onExpire?.({
      ikeSaName: c.ikeSaName, childName: c.childName, inboundSpi: c.inboundSpi, outboundSpi: c.outboundSpi,
      level, cause: event.cause, direction: event.direction,
    });
  }

  /** One timer, at the next seconds limit still ahead; byte and packet limits are checked per packet. */
  private armLifetimeTimer(record: ChildRecord): void {
    record.timer?.cancel();
    record.timer = undefined;
    const due = this.nextSecondsLimit(record);
    if (due === undefined) return;
    record.timer = this.clock.setTimer(Math.max(0, due.at - this.clock.now()), () => {
      record.timer = undefined;
      const now = this.clock.now();
      record.outbound.checkLifetime(now);
      record.inbound.checkLifetime(now);
      // Floating-point ages can land a hair short of the limit the timer was set for.
      if (!record.removed && !this.levelReached(record, due.level)) record.outbound.expire(due.level, 'seconds');
      if (!record.removed) this.armLifetimeTimer(record);
    });
  }

  private nextSecondsLimit(record: ChildRecord): { at: number; level: 'soft' | 'hard' } | undefined {
    const { rekeySeconds, lifeSeconds } = record.config.lifetimes;
    const softDue = positive(rekeySeconds) && !this.levelReached(record, 'soft');
    const hardDue = positive(lifeSeconds);
    const soft = softDue ? { at: record.installedAt + rekeySeconds! * 1000, level: 'soft' as const } : undefined;
    const hard = hardDue ? { at: record.installedAt + lifeSeconds! * 1000, level: 'hard' as const } : undefined;
    if (soft === undefined) return hard;
    if (hard === undefined) return soft;
    return soft.at <= hard.at ? soft : hard;
  }

  private levelReached(record: ChildRecord, level: 'soft' | 'hard'): boolean {
    const states = [record.outbound.state, record.inbound.state];
    return level === 'soft' ? states.some((s) => s !== 'active') : states.includes('hard-expired');
  }

  private detach(record: ChildRecord): void {
    if (record.removed) return;
    record.removed = true;
    record.timer?.cancel();
    record.timer = undefined;
    const name = record.config.childName;
    this.byInboundSpi.delete(record.config.inboundSpi);
    const remaining = (this.byChild.get(name) ?? []).filter((r) => r !== record);
    if (remaining.length === 0) this.byChild.delete(name);
    else this.byChild.set(name, remaining);
    // The replaced SA is gone: its successor, waiting for this, now sends.
    for (const r of remaining) if (r.config.replaces === record.config.inboundSpi) r.outboundActive = true;
    this.changed(name);
  }

  private changed(childName: string): void {
    for (const listener of [...this.changeListeners]) listener(childName);
  }

  private countersOf(childName: string): MutableCounters {
    let c = this.traffic.get(childName);
    if (c === undefined) {
      c = { packetsIn: 0, bytesIn: 0, packetsOut: 0, bytesOut: 0, drops: {} };
      this.traffic.set(childName, c);
    }
    return c;
  }

  private refuse(childName: string, reason: IpsecDropReason): { ok: false; reason: IpsecDropReason } {
    this.countDrop(childName, reason);
    return { ok: false, reason };
  }

  private refuseUnattributed(reason: IpsecDropReason): { ok: false; reason: IpsecDropReason } {
    this.unattributed[reason] = (this.unattributed[reason] ?? 0) + 1;
    return { ok: false, reason };
  }
}

/** Lifetimes as the ESP SA's limits: rekey* are soft, life* hard; 0 or absent means none. */
function espLimits(l: ChildLifetimes): { soft: EspLimits; hard: EspLimits } {
  const pick = (bytes?: number, packets?: number, seconds?: number): EspLimits => ({
    ...(positive(bytes) ? { bytes } : {}),
    ...(positive(packets) ? { packets } : {}),
    ...(positive(seconds) ? { seconds } : {}),
  });
  return {
    soft: pick(l.rekeyBytes, l.rekeyPackets, l.rekeySeconds),
    hard: pick(l.lifeBytes, l.lifePackets, l.lifeSeconds),
  };
}

function positive(v: number | undefined): v is number {
  return v !== undefined && v > 0;
}

function hex(spi: number): string {
  return `0x${spi.toString(16).padStart(8, '0')}`;
}
