import { InvalidArgumentError, VpnlabError } from '../core/errors.js';

/**
 * IPv4 addresses are unsigned 32-bit numbers (0 ... 2^32-1); prefixes are an address and a length
 * with no host bits set. Parsing is strict: no leading zeros, no shorthand forms, four octets.
 */
export type Ipv4Address = number;

export interface Prefix {
  readonly address: Ipv4Address;
  readonly length: number;
}

export class AddressParseError extends VpnlabError {
  constructor(message: string) {
    super('ERR_ADDRESS_PARSE', message);
  }
}

const OCTET = /^(0|[1-9][0-9]{0,2})$/;

/** The address `text` spells, or undefined; no allocation (the planners and checks parse many). */
function tryParseIpv4(text: string): Ipv4Address | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) { // '.'
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return undefined; // a leading zero
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return undefined;
    } else {
      return undefined;
    }
  }
  if (dots !== 3 || digits === 0) return undefined;
  return value * 256 + octet;
}

export function parseIpv4(text: string): Ipv4Address {
  const fast = tryParseIpv4(text);
  if (fast !== undefined) return fast;
  // Not an address: find what is wrong, for the message.
  const parts = text.split('.');
  if (parts.length !== 4) throw new AddressParseError(`'${text}' is not an IPv4 address (expected four dotted octets)`);
  for (const part of parts) {
    if (!OCTET.test(part)) throw new AddressParseError(`'${text}' is not an IPv4 address ('${part}' is not an octet)`);
    const n = Number(part);
    if (n > 255) throw new AddressParseError(`'${text}' is not an IPv4 address (${n} > 255)`);
  }
  throw new AddressParseError(`'${text}' is not an IPv4 address`);
}

export function isIpv4(text: string): boolean {
  return tryParseIpv4(text) !== undefined;
}

export function formatIpv4(address: Ipv4Address): string {
  return `${address >>> 24}.${(address >>> 16) & 0xff}.${(address >>> 8) & 0xff}.${address & 0xff}`;
}

/** Netmask for a prefix length, as an unsigned 32-bit number. */
export function maskOf(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

export function makePrefix(address: Ipv4Address, length: number): Prefix {
  if (!Number.isInteger(length) || length < 0 || length > 32) throw new InvalidArgumentError(`prefix length ${length} is not 0-32`);
  return { address: (address & maskOf(length)) >>> 0, length };
}

/**
 * Parses `a.b.c.d/len`. With `strict` (the default), host bits must be zero — `10.0.0.1/16` is a
 * mistake in a route or an address space and is reported, not silently truncated.
 */
export function parsePrefix(text: string, strict = true): Prefix {
  const slash = text.indexOf('/');
  if (slash < 0) throw new AddressParseError(`'${text}' is not a prefix (expected a.b.c.d/len)`);
  const address = parseIpv4(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]?)$/.test(lenText) || Number(lenText) > 32) {
    throw new AddressParseError(`'${text}' is not a prefix ('${lenText}' is not a length 0-32)`);
  }
  const length = Number(lenText);
  const prefix = makePrefix(address, length);
  if (strict && prefix.address !== address) {
    throw new AddressParseError(`'${text}' has host bits set (the network is ${formatPrefix(prefix)})`);
  }
  return prefix;
}

/** Parses `a.b.c.d/len` as an interface address: the address keeps its host bits. */
export function parseInterfaceAddress(text: string): { address: Ipv4Address; prefix: Prefix } {
  const slash = text.indexOf('/');
  if (slash < 0) throw new AddressParseError(`'${text}' is not an interface address (expected a.b.c.d/len)`);
  const address = parseIpv4(text.slice(0, slash));
  return { address, prefix: parsePrefix(text, false) };
}

export function formatPrefix(prefix: Prefix): string {
  return `${formatIpv4(prefix.address)}/${prefix.length}`;
}

export function prefixContains(prefix: Prefix, address: Ipv4Address): boolean {
  return ((address & maskOf(prefix.length)) >>> 0) === prefix.address;
}

/** True when `outer` contains every address of `inner`. */
export function prefixCovers(outer: Prefix, inner: Prefix): boolean {
  return outer.length <= inner.length && prefixContains(outer, inner.address);
}

export function prefixesOverlap(a: Prefix, b: Prefix): boolean {
  return prefixCovers(a, b) || prefixCovers(b, a);
}

export function prefixEquals(a: Prefix, b: Prefix): boolean {
  return a.address === b.address && a.length === b.length;
}

/**
 * A prefix as one number, equal for equal prefixes (prefixEquals): its address times 64 plus its
 * length. A map or set key without formatting the prefix as text.
 */
export function prefixKey(p: Prefix): number {
  return p.address * 64 + p.length;
}

export function broadcastOf(prefix: Prefix): Ipv4Address {
  return (prefix.address | ~maskOf(prefix.length)) >>> 0;
}

/** 169.254.0.0/16, link-local (APIPA) addresses (RFC 3927). */
export function isLinkLocal(address: Ipv4Address): boolean {
  return (address >>> 16) === 0xa9fe;
}
