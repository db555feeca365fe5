import { toHex } from '../../core/bytes/hex.js';
import type { Writer } from '../../core/bytes/writer.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { formatIpv4, type Ipv4Address } from '../../net/address.js';
import { CfgAttribute } from '../constants.js';
import { invalidSyntax } from '../errors.js';
import type { PayloadCodec } from './generic.js';

/*
 * Configuration payload (RFC 7296 §3.15): CFG Type (1) | RESERVED (3) | Configuration Attributes,
 * each R (1 bit, reserved) Attribute Type (15 bits) | Length (2) | Value. A request carries
 * attributes with empty values ("give me one"), a reply the values. Lengths of the attributes
 * RFC 7296 §3.15.1 defines are checked on decode (CFG_LENGTHS).
 */

export interface CfgAttributeValue {
  attrType: number;
  value: Uint8Array;
}

export interface CpPayload {
  type: 'cp';
  /** CfgType: CFG_REQUEST, CFG_REPLY, CFG_SET, CFG_ACK. */
  cfgType: number;
  attributes: CfgAttributeValue[];
}

/** Value lengths allowed per attribute type ('multiple of 2' for SUPPORTED_ATTRIBUTES). */
export const CFG_LENGTHS: Readonly<Record<number, readonly number[] | 'even'>> = {
  [CfgAttribute.INTERNAL_IP4_ADDRESS]: [0, 4],
  [CfgAttribute.INTERNAL_IP4_NETMASK]: [0, 4],
  [CfgAttribute.INTERNAL_IP4_DNS]: [0, 4],
  [CfgAttribute.INTERNAL_IP4_NBNS]: [0, 4],
  [CfgAttribute.INTERNAL_IP4_DHCP]: [0, 4],
  [CfgAttribute.INTERNAL_IP6_ADDRESS]: [0, 17],
  [CfgAttribute.INTERNAL_IP6_DNS]: [0, 16],
  [CfgAttribute.INTERNAL_IP6_DHCP]: [0, 16],
  [CfgAttribute.INTERNAL_IP4_SUBNET]: [0, 8],
  [CfgAttribute.SUPPORTED_ATTRIBUTES]: 'even',
  [CfgAttribute.INTERNAL_IP6_SUBNET]: [0, 17],
};

function lengthProblem(a: CfgAttributeValue): string | undefined {
  const rule = CFG_LENGTHS[a.attrType];
  if (rule === undefined) return undefined;
  const ok = rule === 'even' ? a.value.length % 2 === 0 : rule.includes(a.value.length);
  return ok ? undefined : `configuration attribute ${a.attrType} with a ${a.value.length}-octet value (${rule === 'even' ? 'even' : rule.join(' or ')})`;
}

function encodeAttribute(a: CfgAttributeValue, w: Writer): void {
  if (!Number.isInteger(a.attrType) || a.attrType < 0 || a.attrType > 0x7fff) throw new InvalidArgumentError(`configuration attribute type ${a.attrType} does not fit 15 bits`);
  const bad = lengthProblem(a);
  if (bad !== undefined) throw new InvalidArgumentError(bad);
  w.u16(a.attrType).u16(a.value.length).bytes(a.value);
}

export const cpCodec: PayloadCodec<CpPayload> = {
  encodedLength(p) {
    let n = 4;
    for (const a of p.attributes) n += 4 + a.value.length;
    return n;
  },
  encode(p, w) {
    w.u8(p.cfgType).zeros(3);
    for (const a of p.attributes) encodeAttribute(a, w);
  },
  decode(r) {
    const cfgType = r.u8('CP CFG Type');
    r.skip(3, 'CP RESERVED');
    const attributes: CfgAttributeValue[] = [];
    while (r.remaining > 0) {
      if (r.remaining < 4) throw invalidSyntax(`${r.remaining} octet(s) cannot hold a configuration attribute`);
      const attrType = r.u16() & 0x7fff; // R bit: reserved, ignored (RFC 7296 §3.15.1)
      const length = r.u16();
      if (length > r.remaining) throw invalidSyntax(`configuration attribute ${attrType} length ${length} runs past the payload`);
      const a = { attrType, value: r.bytes(length) };
      const bad = lengthProblem(a);
      if (bad !== undefined) throw invalidSyntax(bad);
      attributes.push(a);
    }
    return { type: 'cp', cfgType, attributes };
  },
};

/** An IPv4-valued attribute (INTERNAL_IP4_ADDRESS, _NETMASK, _DNS...); no address asks for one. */
export function ipv4Attribute(attrType: number, address?: Ipv4Address): CfgAttributeValue {
  return {
    attrType,
    value: address === undefined ? new Uint8Array(0) : Uint8Array.of(address >>> 24, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff),
  };
}

/** The IPv4 addresses of every attribute of a type carrying one, in order. */
export function ipv4Values(p: CpPayload, attrType: number): Ipv4Address[] {
  return p.attributes
    .filter((a) => a.attrType === attrType && a.value.length === 4)
    .map((a) => ((a.value[0]! << 24) | (a.value[1]! << 16) | (a.value[2]! << 8) | a.value[3]!) >>> 0);
}

/** `INTERNAL_IP4_ADDRESS=10.0.0.2`, for logs. */
export function formatCfgAttribute(a: CfgAttributeValue): string {
  const name = Object.entries(CfgAttribute).find(([, v]) => v === a.attrType)?.[0] ?? `ATTR(${a.attrType})`;
  if (a.value.length === 0) return name;
  const rule = CFG_LENGTHS[a.attrType];
  if (a.value.length === 4 && Array.isArray(rule) && rule.includes(4)) {
    return `${name}=${formatIpv4(((a.value[0]! << 24) | (a.value[1]! << 16) | (a.value[2]! << 8) | a.value[3]!) >>> 0)}`;
  }
  return `${name}=${toHex(a.value)}`;
}
