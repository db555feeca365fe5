import type { Reader } from '../../core/bytes/reader.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { broadcastOf, formatIpv4, formatPrefix, makePrefix, maskOf, type Ipv4Address, type Prefix } from '../../net/address.js';
import { PayloadType, TsType } from '../constants.js';
import { invalidSyntax } from '../errors.js';
import type { PayloadCodec } from './generic.js';

/*
 * Traffic Selector payloads TSi and TSr (RFC 7296 §3.13): Number of TSs (1) | RESERVED (3) |
 * Traffic Selectors, each
 *
 *   TS Type (1) | IP Protocol ID (1) | Selector Length (2) | Start Port (2) | End Port (2) |
 *   Starting Address | Ending Address          (4 octets each for type 7, 16 for type 8)
 *
 * Other selector types (TS_FC_ADDR_RANGE, TS_SECLABEL...) are kept whole as bytes. A range must
 * not run backwards; ports may, only as the OPAQUE pair 65535-0 (RFC 7296 §3.13.1).
 */

const TS_HEADER = 4;
const IPV4_SELECTOR = 16;
const IPV6_SELECTOR = 40;
export const OPAQUE_PORTS = { startPort: 0xffff, endPort: 0 } as const;

interface Ports {
  /** IP protocol number, 0 for any. */
  ipProtocol: number;
  startPort: number;
  endPort: number;
}

export interface Ipv4Selector extends Ports {
  type: 'ipv4';
  startAddress: Ipv4Address;
  endAddress: Ipv4Address;
}

export interface Ipv6Selector extends Ports {
  type: 'ipv6';
  startAddress: Uint8Array;
  endAddress: Uint8Array;
}

/** A selector of another type: `raw` is the whole selector, TS Type and Selector Length included. */
export interface UnknownSelector {
  type: 'unknown';
  tsType: number;
  raw: Uint8Array;
}

export type TrafficSelector = Ipv4Selector | Ipv6Selector | UnknownSelector;

export interface TsPayload {
  type: 'tsi' | 'tsr';
  selectors: TrafficSelector[];
}

function selectorLength(s: TrafficSelector): number {
  return s.type === 'ipv4' ? IPV4_SELECTOR : s.type === 'ipv6' ? IPV6_SELECTOR : s.raw.length;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function rangeProblem(s: TrafficSelector): string | undefined {
  if (s.type === 'unknown') return undefined;
  const opaque = s.startPort === OPAQUE_PORTS.startPort && s.endPort === OPAQUE_PORTS.endPort;
  if (s.startPort > s.endPort && !opaque) return `traffic selector ports ${s.startPort}-${s.endPort} run backwards`;
  const backwards = s.type === 'ipv4' ? s.startAddress > s.endAddress : compareBytes(s.startAddress, s.endAddress) > 0;
  return backwards ? `traffic selector ${formatSelector(s)} starts after it ends` : undefined;
}

export const tsCodec: PayloadCodec<TsPayload> = {
  encodedLength(p) {
    let n = TS_HEADER;
    for (const s of p.selectors) n += selectorLength(s);
    return n;
  },

  encode(p, w) {
    if (p.selectors.length === 0 || p.selectors.length > 0xff) throw new InvalidArgumentError(`${p.type}: ${p.selectors.length} traffic selectors (1-255)`);
    w.u8(p.selectors.length).zeros(3);
    for (const s of p.selectors) {
      const bad = rangeProblem(s);
      if (bad !== undefined) throw new InvalidArgumentError(bad);
      if (s.type === 'unknown') {
        if (s.raw.length < TS_HEADER || s.raw[0] !== s.tsType || ((s.raw[2]! << 8) | s.raw[3]!) !== s.raw.length) {
          throw new InvalidArgumentError(`unknown traffic selector ${s.tsType}: raw bytes must start with its type and length`);
        }
        w.bytes(s.raw);
        continue;
      }
      w.u8(s.type === 'ipv4' ? TsType.TS_IPV4_ADDR_RANGE : TsType.TS_IPV6_ADDR_RANGE).u8(s.ipProtocol).u16(selectorLength(s));
      w.u16(s.startPort).u16(s.endPort);
      if (s.type === 'ipv4') w.u32(s.startAddress).u32(s.endAddress);
      else {
        if (s.startAddress.length !== 16 || s.endAddress.length !== 16) throw new InvalidArgumentError('IPv6 selector addresses must be 16 octets');
        w.bytes(s.startAddress).bytes(s.endAddress);
      }
    }
  },

  decode(r, h) {
    const count = r.u8('Number of TSs');
    r.skip(3, 'TS RESERVED');
    if (count === 0) throw invalidSyntax('traffic selector payload with no selectors');
    const selectors: TrafficSelector[] = [];
    for (let i = 0; i < count; i++) selectors.push(decodeSelector(r));
    if (r.remaining > 0) throw invalidSyntax(`${r.remaining} octet(s) after ${count} traffic selector(s)`);
    return { type: h.payloadType === PayloadType.TSi ? 'tsi' : 'tsr', selectors };
  },
};

function decodeSelector(r: Reader): TrafficSelector {
  if (r.remaining < TS_HEADER) throw invalidSyntax(`${r.remaining} octet(s) cannot hold a traffic selector`);
  const at = r.offset;
  const tsType = r.u8();
  const ipProtocol = r.u8();
  const length = r.u16();
  if (length < TS_HEADER || length - TS_HEADER > r.remaining) throw invalidSyntax(`Selector Length ${length} (${r.remaining + TS_HEADER} octet(s) left)`);
  const body = r.sub(length - TS_HEADER);
  const expected = tsType === TsType.TS_IPV4_ADDR_RANGE ? IPV4_SELECTOR : tsType === TsType.TS_IPV6_ADDR_RANGE ? IPV6_SELECTOR : undefined;
  if (expected === undefined) return { type: 'unknown', tsType, raw: r.buf.slice(at, at + length) };
  if (length !== expected) throw invalidSyntax(`TS type ${tsType} with Selector Length ${length} (${expected})`);
  const startPort = body.u16();
  const endPort = body.u16();
  const s: TrafficSelector = tsType === TsType.TS_IPV4_ADDR_RANGE
    ? { type: 'ipv4', ipProtocol, startPort, endPort, startAddress: body.u32(), endAddress: body.u32() }
    : { type: 'ipv6', ipProtocol, startPort, endPort, startAddress: body.bytes(16), endAddress: body.bytes(16) };
  const bad = rangeProblem(s);
  if (bad !== undefined) throw invalidSyntax(bad);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Prefixes and ranges

/** The first and last address of a prefix. */
export function prefixToRange(p: Prefix): { start: Ipv4Address; end: Ipv4Address } {
  return { start: p.address, end: broadcastOf(p) };
}

/** The prefix a range is exactly, or undefined when it is not one. */
export function rangeToPrefix(start: Ipv4Address, end: Ipv4Address): Prefix | undefined {
  const prefixes = rangeToPrefixes(start, end);
  return prefixes.length === 1 ? prefixes[0] : undefined;
}

/** The fewest prefixes that cover a range exactly, in address order. */
export function rangeToPrefixes(start: Ipv4Address, end: Ipv4Address): Prefix[] {
  if (start > end) return [];
  const out: Prefix[] = [];
  let at = start;
  for (;;) {
    let length = 32;
    // The largest aligned block starting at `at` that ends at or before `end`.
    while (length > 0 && (at & ~maskOf(length - 1)) >>> 0 === 0 && broadcastOf({ address: at, length: length - 1 }) <= end) length--;
    out.push(makePrefix(at, length));
    const last = broadcastOf({ address: at, length });
    if (last >= end) return out;
    at = last + 1;
  }
}

/** A selector covering a prefix, any protocol and port unless given. */
export function selectorFromPrefix(p: Prefix, opts: Partial<Ports> = {}): Ipv4Selector {
  const { start, end } = prefixToRange(p);
  return { type: 'ipv4', ipProtocol: opts.ipProtocol ?? 0, startPort: opts.startPort ?? 0, endPort: opts.endPort ?? 0xffff, startAddress: start, endAddress: end };
}

/** The prefixes an IPv4 selector's address range covers. */
export function selectorPrefixes(s: Ipv4Selector): Prefix[] {
  return rangeToPrefixes(s.startAddress, s.endAddress);
}

/** The first and last address of an IPv6 prefix. */
export function ipv6PrefixToRange(address: Uint8Array, length: number): { start: Uint8Array; end: Uint8Array } {
  if (address.length !== 16 || !Number.isInteger(length) || length < 0 || length > 128) throw new InvalidArgumentError(`IPv6 prefix of ${address.length} octets /${length}`);
  const start = new Uint8Array(16);
  const end = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const bits = Math.max(0, Math.min(8, length - 8 * i));
    const mask = (0xff << (8 - bits)) & 0xff;
    start[i] = address[i]! & mask;
    end[i] = start[i]! | (~mask & 0xff);
  }
  return { start, end };
}

/** `10.1.0.0/16`, `10.1.0.5..10.1.0.9`, with `[proto/port-port]` when not any. */
export function formatSelector(s: TrafficSelector): string {
  if (s.type === 'unknown') return `ts-type-${s.tsType}`;
  let addresses: string;
  if (s.type === 'ipv4') {
    const p = rangeToPrefix(s.startAddress, s.endAddress);
    addresses = p !== undefined ? formatPrefix(p) : `${formatIpv4(s.startAddress)}..${formatIpv4(s.endAddress)}`;
  } else {
    const hex = (b: Uint8Array) => Array.from({ length: 8 }, (_, i) => ((b[2 * i]! << 8) | b[2 * i + 1]!).toString(16)).join(':');
    addresses = `${hex(s.startAddress)}..${hex(s.endAddress)}`;
  }
  const anyPorts = s.startPort === 0 && s.endPort === 0xffff;
  if (s.ipProtocol === 0 && anyPorts) return addresses;
  return `${addresses}[${s.ipProtocol}${anyPorts ? '' : `/${s.startPort}-${s.endPort}`}]`;
}
