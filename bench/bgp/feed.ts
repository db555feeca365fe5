/**
 * What the feeder sends and what the collector counts.
 *
 * The feed: N distinct /24s from 1.0.0.0 upwards over ceil(N / 20) attribute sets (ORIGIN IGP,
 * AS_PATH 65001 + a 4-octet private ASN of its own, NEXT_HOP 198.51.100.2 — TEST-NET-2, since
 * GoBGP treats a loopback next hop as a withdrawal: bgp-peers.md gotcha 2 — MED and one
 * community), packed by vpnlab's UPDATE packer into messages of at most 4096 octets, then the
 * withdrawal of all N. Everything is encoded before the clock starts.
 *
 * The tally: the collector's view, by prefix index, of which prefixes were announced and which
 * withdrawn. Prefixes are counted once however often they come (FRR can repeat a prefix or
 * replace it with an implicit withdraw); the AS_PATH of every announcing UPDATE must start with
 * the DUT's AS then the feeder's. The DUTs advertise their own 127.0.181.1 as next hop, which
 * vpnlab's decoder flags (see RouteTally.add).
 */
import { ErrorCode, UpdateMessageSubcode } from '../../src/bgp/errors.js';
import { decodeMessage, type DecodedMessage } from '../../src/bgp/message.js';
import type { CodecContext, DecodeContext } from '../../src/bgp/context.js';
import { packUpdates, packWithdrawals } from '../../src/bgp/update-packer.js';
import { Origin, type PathAttributes } from '../../src/bgp/types.js';
import { formatIpv4, parseIpv4, type Prefix } from '../../src/net/address.js';

export const FEEDER_AS = 65001;
export const DUT_AS = 65000;
export const ROUTES_PER_SET = 20;
/** TEST-NET-2: an attribute only, never a destination */
export const FEED_NEXT_HOP = '198.51.100.2';
const FIRST_PREFIX = parseIpv4('1.0.0.0');
const PREFIX_LENGTH = 24;
/** a distinct second ASN per attribute set (RFC 6996 private 4-octet range) */
const SET_ASN_BASE = 4_200_000_000;
/** the largest N whose /24s stay below 127.0.0.0/8 */
export const MAX_ROUTES = (parseIpv4('127.0.0.0') - FIRST_PREFIX) / 256;
const CHUNK_BYTES = 256 * 1024;

export interface Feed {
  routes: number;
  sets: number;
  /** the announcements, as whole messages concatenated into chunks of about 256 KiB */
  announce: Uint8Array[];
  announceMessages: number;
  withdraw: Uint8Array[];
  withdrawMessages: number;
  /** a few announcing UPDATEs as sent, to warm the collector's decoder up */
  sample: Uint8Array[];
}

function prefixAt(i: number): Prefix {
  return { address: (FIRST_PREFIX + i * 256) >>> 0, length: PREFIX_LENGTH };
}

export function attributeSet(s: number): PathAttributes {
  return {
    origin: Origin.IGP,
    asPath: [{ type: 'sequence', asns: [FEEDER_AS, SET_ASN_BASE + s] }],
    nextHop: parseIpv4(FEED_NEXT_HOP),
    med: s % 100,
    communities: [((FEEDER_AS << 16) | (s % 1000)) >>> 0],
  };
}

function chunked(messages: Uint8Array[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let i = 0;
  while (i < messages.length) {
    let size = 0;
    let j = i;
    while (j < messages.length && (j === i || size + messages[j]!.length <= CHUNK_BYTES)) size += messages[j++]!.length;
    const chunk = new Uint8Array(size);
    let at = 0;
    for (; i < j; i++) {
      chunk.set(messages[i]!, at);
      at += messages[i]!.length;
    }
    chunks.push(chunk);
  }
  return chunks;
}

export function buildFeed(routes: number, ctx: CodecContext): Feed {
  if (!Number.isInteger(routes) || routes < 1 || routes > MAX_ROUTES) throw new Error(`N=${routes}: must be 1..${MAX_ROUTES}`);
  const sets = Math.ceil(routes / ROUTES_PER_SET);
  const announce: Uint8Array[] = [];
  for (let s = 0; s < sets; s++) {
    const prefixes: Prefix[] = [];
    for (let i = s * ROUTES_PER_SET; i < Math.min((s + 1) * ROUTES_PER_SET, routes); i++) prefixes.push(prefixAt(i));
    announce.push(...packUpdates(attributeSet(s), prefixes, ctx));
  }
  const all = Array.from({ length: routes }, (_, i) => prefixAt(i));
  const withdraw = packWithdrawals(all, ctx);
  return {
    routes, sets,
    announce: chunked(announce), announceMessages: announce.length,
    withdraw: chunked(withdraw), withdrawMessages: withdraw.length,
    sample: announce.slice(0, 64),
  };
}

export type Phase = 'announce' | 'withdraw';

/** The collector's count of unique prefixes; see the file comment. */
export class RouteTally {
  readonly routes: number;
  announced = 0;
  withdrawn = 0;
  updates = 0;
  /** prefixes outside the feed */
  foreign = 0;
  /** announcements whose AS_PATH does not start DUT AS, feeder AS */
  badPaths = 0;
  /** UPDATEs with RFC 7606 errors */
  malformed = 0;
  /** the AS_PATH of the first announcement, to show */
  samplePath: number[] | undefined;
  private readonly seenAnnounced: Uint8Array;
  private readonly seenWithdrawn: Uint8Array;
  private waiter: { phase: Phase; resolve: (atMs: number) => void } | undefined;

  constructor(routes: number) {
    this.routes = routes;
    this.seenAnnounced = new Uint8Array(routes);
    this.seenWithdrawn = new Uint8Array(routes);
  }

  /** Resolves with performance.now() at the moment the phase's last unique prefix arrived. */
  complete(phase: Phase): Promise<number> {
    return new Promise((resolve) => {
      if (this.count(phase) >= this.routes) resolve(performance.now());
      else this.waiter = { phase, resolve };
    });
  }

  count(phase: Phase): number {
    return phase === 'announce' ? this.announced : this.withdrawn;
  }

  /**
   * One UPDATE as received (header included). Every DUT advertises itself, 127.0.181.1, as the
   * next hop, which vpnlab's decoder reports as an Invalid NEXT_HOP (RFC 7606: treat-as-withdraw)
   * because no router on a network can have a loopback address; on this loopback test bed it is
   * expected, so the collector takes the NLRI as announced when that is the UPDATE's only error.
   */
  add(message: Uint8Array, ctx: DecodeContext): void {
    // The decoder builds a BgpError for that next hop in every UPDATE; capturing its stack would
    // cost the collector more than the decoding itself (8 µs of 11 per UPDATE here).
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    let outcome: DecodedMessage;
    try {
      outcome = decodeMessage(message, ctx);
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    if (outcome.type !== 'update') return;
    this.updates++;
    const u = outcome.update;
    if (!outcome.errors.every((e) => e.subcode === UpdateMessageSubcode.InvalidNextHopAttribute && e.errorCode === ErrorCode.UpdateMessage)) this.malformed++;
    if (u.nlri.length > 0) {
      let path: number[] = [];
      for (const a of u.attributes) if (a.type === 'as-path') path = a.segments.flatMap((s) => s.asns);
      this.samplePath ??= path;
      if (path[0] !== DUT_AS || path[1] !== FEEDER_AS) this.badPaths++;
    }
    for (const p of u.nlri) {
      const i = this.indexOf(p);
      if (i >= 0 && this.seenAnnounced[i] === 0) {
        this.seenAnnounced[i] = 1;
        this.announced++;
      }
    }
    for (const p of u.withdrawn) {
      const i = this.indexOf(p);
      if (i >= 0 && this.seenAnnounced[i] === 1 && this.seenWithdrawn[i] === 0) {
        this.seenWithdrawn[i] = 1;
        this.withdrawn++;
      }
    }
    const w = this.waiter;
    if (w !== undefined && this.count(w.phase) >= this.routes) {
      this.waiter = undefined;
      w.resolve(performance.now());
    }
  }

  private indexOf(p: Prefix): number {
    const i = (p.address - FIRST_PREFIX) / 256;
    if (p.length !== PREFIX_LENGTH || i < 0 || i >= this.routes || !Number.isInteger(i)) {
      this.foreign++;
      return -1;
    }
    return i;
  }

  describe(): string {
    return `${this.announced.toLocaleString('en')} announced, ${this.withdrawn.toLocaleString('en')} withdrawn of ${this.routes.toLocaleString('en')} `
      + `in ${this.updates.toLocaleString('en')} UPDATEs (foreign ${this.foreign}, bad AS_PATH ${this.badPaths}, malformed ${this.malformed})`;
  }
}

export function describePrefixRange(routes: number): string {
  const last = prefixAt(routes - 1);
  return `1.0.0.0/24 … ${formatIpv4(last.address)}/24`;
}
