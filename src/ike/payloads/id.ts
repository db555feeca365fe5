import { toHex } from '../../core/bytes/hex.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { formatIpv4, isIpv4, parseIpv4, type Ipv4Address } from '../../net/address.js';
import { IdType, PayloadType, idTypeName } from '../constants.js';
import { invalidSyntax } from '../errors.js';
import type { PayloadCodec } from './generic.js';

/*
 * Identification payloads IDi and IDr (RFC 7296 §3.5), one codec for both:
 * ID Type (1) | RESERVED (3) | Identification Data.
 *
 * An Identity is the (type, data) pair without the payload around it: what a configuration names
 * and what AUTH signs (RFC 7296 §2.15 hashes the payload body, RESERVED octets included).
 */

export interface Identity {
  idType: number;
  data: Uint8Array;
}

export interface IdPayload extends Identity {
  type: 'idi' | 'idr';
}

const ADDRESS_LENGTH: Readonly<Record<number, number>> = { [IdType.IPV4_ADDR]: 4, [IdType.IPV6_ADDR]: 16 };

export const idCodec: PayloadCodec<IdPayload> = {
  encodedLength: (p) => 4 + p.data.length,
  encode(p, w) {
    const n = ADDRESS_LENGTH[p.idType];
    if (n !== undefined && p.data.length !== n) throw new InvalidArgumentError(`${idTypeName(p.idType)} identity of ${p.data.length} octets (${n})`);
    w.u8(p.idType).zeros(3).bytes(p.data);
  },
  decode(r, h) {
    const idType = r.u8('ID Type');
    r.skip(3, 'ID RESERVED');
    const n = ADDRESS_LENGTH[idType];
    if (n !== undefined && r.remaining !== n) throw invalidSyntax(`${idTypeName(idType)} identity of ${r.remaining} octets (${n})`);
    return { type: h.payloadType === PayloadType.IDi ? 'idi' : 'idr', idType, data: r.rest() };
  },
};

export function idPayload(type: 'idi' | 'idr', identity: Identity): IdPayload {
  return { type, idType: identity.idType, data: identity.data };
}

/** The body AUTH signs (RFC 7296 §2.15: "RestOfInitIDPayload"): type, three zero octets, data. */
export function sameIdentity(a: Identity, b: Identity): boolean {
  return a.idType === b.idType && a.data.length === b.data.length && a.data.every((x, i) => x === b.data[i]);
}

export function identityBytes(identity: Identity): Uint8Array {
  const out = new Uint8Array(4 + identity.data.length);
  out[0] = identity.idType;
  out.set(identity.data, 4);
  return out;
}

export function ipv4Identity(address: Ipv4Address): Identity {
  return { idType: IdType.IPV4_ADDR, data: Uint8Array.of(address >>> 24, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff) };
}

export function fqdnIdentity(name: string): Identity {
  return { idType: IdType.FQDN, data: new TextEncoder().encode(name) };
}

export function rfc822Identity(address: string): Identity {
  return { idType: IdType.RFC822_ADDR, data: new TextEncoder().encode(address) };
}

export function keyIdIdentity(keyId: Uint8Array): Identity {
  return { idType: IdType.KEY_ID, data: keyId.slice() };
}


/**
 * Reads an identity as configurations write it (strongSwan's conventions): an IPv4 address,
 * `user@host` (RFC822), `@host` or a bare name (FQDN), `keyid:0a0b...` (KEY_ID).
 */
export function parseIdentity(text: string): Identity {
  if (isIpv4(text)) return ipv4Identity(parseIpv4(text));
  if (text.startsWith('keyid:')) {
    const h = text.slice('keyid:'.length);
    if (h.length === 0 || h.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(h)) throw new InvalidArgumentError(`'${text}': keyid: needs an even number of hex digits`);
    return keyIdIdentity(Uint8Array.from(h.match(/../g)!, (x) => parseInt(x, 16)));
  }
  if (text.startsWith('@')) return fqdnIdentity(text.slice(1));
  if (text.includes('@')) return rfc822Identity(text);
  if (text.length === 0) throw new InvalidArgumentError('an empty identity');
  return fqdnIdentity(text);
}

/** The identity as text for logs: inverse of parseIdentity for the types it reads. */
export function formatIdentity(identity: Identity): string {
  const d = identity.data;
  switch (identity.idType) {
    case IdType.IPV4_ADDR:
      return d.length === 4 ? formatIpv4(((d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!) >>> 0) : `ipv4:${toHex(d)}`;
    case IdType.IPV6_ADDR: {
      if (d.length !== 16) return `ipv6:${toHex(d)}`;
      const groups: string[] = [];
      for (let i = 0; i < 16; i += 2) groups.push(((d[i]! << 8) | d[i + 1]!).toString(16));
      return groups.join(':');
    }
    case IdType.FQDN: return new TextDecoder().decode(d);
    case IdType.RFC822_ADDR: return new TextDecoder().decode(d);
    case IdType.KEY_ID: return `keyid:${toHex(d)}`;
    default: return `${idTypeName(identity.idType).toLowerCase()}:${toHex(d)}`;
  }
}
