import type { Reader } from '../../core/bytes/reader.js';
import { toHex } from '../../core/bytes/hex.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { TRANSFORM_ATTR_KEY_LENGTH, transformName } from '../../crypto/iana.js';
import { IKE_SPI_SIZE, CHILD_SPI_SIZE, ProtocolId, protocolName } from '../constants.js';
import { invalidSyntax } from '../errors.js';
import type { PayloadCodec } from './generic.js';

/*
 * Security Association payload (RFC 7296 §3.3): proposals, each a protocol, an SPI and
 * transforms, each transform a type, an ID and attributes.
 *
 *   Proposal:  Last Substruc (0 last, 2 more) | RESERVED | Proposal Length (2) |
 *              Proposal Num | Protocol ID | SPI Size | Num Transforms | SPI | Transforms
 *   Transform: Last Substruc (0 last, 3 more) | RESERVED | Transform Length (2) |
 *              Transform Type | RESERVED | Transform ID (2) | Transform Attributes
 *   Attribute: AF (1 bit: 1 = TV) Attribute Type (15 bits) | Length (TLV) or Value (TV) (2) | Value (TLV)
 *
 * The markers and lengths are computed on encode and checked on decode.
 */

export const LastSubstruc = { LAST: 0, MORE_PROPOSALS: 2, MORE_TRANSFORMS: 3 } as const;

const PROPOSAL_HEADER = 8;
const TRANSFORM_HEADER = 8;
const ATTRIBUTE_HEADER = 4;
const AF_TV = 0x8000;

/** A transform attribute other than Key Length, kept as received: a TV value is its 2 octets. */
export interface TransformAttribute {
  attrType: number;
  format: 'tv' | 'tlv';
  value: Uint8Array;
}

export interface Transform {
  /** TransformType (crypto/iana.ts). */
  transformType: number;
  transformId: number;
  /** The Key Length attribute (RFC 7296 §3.3.5, TV), in bits, when present. */
  keyLength?: number;
  /**
   * Any other attribute (RFC 7296 defines none), kept for re-encoding; written after Key Length.
   * Absent when there are none.
   */
  attributes?: TransformAttribute[];
}

export interface Proposal {
  /** Proposal Num: 1, 2, 3... in an offer; the accepted proposal's number in a reply. */
  number: number;
  /** ProtocolId: IKE, AH or ESP. */
  protocolId: number;
  /** Empty for an initial IKE SA, 8 octets when rekeying one, 4 for AH/ESP. */
  spi: Uint8Array;
  transforms: Transform[];
}

export interface SaPayload {
  type: 'sa';
  proposals: Proposal[];
}

export function transform(transformType: number, transformId: number, keyLength?: number): Transform {
  return keyLength === undefined ? { transformType, transformId } : { transformType, transformId, keyLength };
}

function attributesLength(t: Transform): number {
  let n = t.keyLength !== undefined ? ATTRIBUTE_HEADER : 0;
  for (const a of t.attributes ?? []) n += ATTRIBUTE_HEADER + (a.format === 'tv' ? 0 : a.value.length);
  return n;
}

function transformLength(t: Transform): number {
  return TRANSFORM_HEADER + attributesLength(t);
}

function proposalLength(p: Proposal): number {
  let n = PROPOSAL_HEADER + p.spi.length;
  for (const t of p.transforms) n += transformLength(t);
  return n;
}

/** RFC 7296 §3.3.1: SPI Size is 0 or 8 for IKE (initial / rekey) and 4 for AH and ESP. */
function spiSizeProblem(protocolId: number, size: number): string | undefined {
  if (protocolId === ProtocolId.IKE && size !== 0 && size !== IKE_SPI_SIZE) return `IKE proposal with a ${size}-octet SPI (0 or ${IKE_SPI_SIZE})`;
  if ((protocolId === ProtocolId.AH || protocolId === ProtocolId.ESP) && size !== CHILD_SPI_SIZE) {
    return `${protocolName(protocolId)} proposal with a ${size}-octet SPI (${CHILD_SPI_SIZE})`;
  }
  return undefined;
}

/**
 * RFC 7296 §3.3.1: the first proposal is 1 and each next one is one more; a reply carries the one
 * accepted proposal under its number, so a lone proposal may have any number but 0.
 */
function numberingProblem(numbers: readonly number[]): string | undefined {
  if (numbers.length === 0) return 'no proposal';
  if (numbers[0] === 0) return 'proposal number 0';
  if (numbers.length > 1 && numbers[0] !== 1) return `first of ${numbers.length} proposals is number ${numbers[0]}, not 1`;
  for (let i = 1; i < numbers.length; i++) {
    if (numbers[i] !== numbers[i - 1]! + 1) return `proposal number ${numbers[i]} follows ${numbers[i - 1]}`;
  }
  return undefined;
}

function checkForEncode(s: SaPayload): void {
  const bad = numberingProblem(s.proposals.map((p) => p.number));
  if (bad !== undefined) throw new InvalidArgumentError(`SA: ${bad}`);
  for (const p of s.proposals) {
    const spi = spiSizeProblem(p.protocolId, p.spi.length);
    if (spi !== undefined) throw new InvalidArgumentError(`SA: ${spi}`);
    if (p.transforms.length > 0xff || p.spi.length > 0xff) throw new InvalidArgumentError(`SA: proposal ${p.number} has too many transforms or too long an SPI`);
    for (const t of p.transforms) {
      for (const a of t.attributes ?? []) {
        if (a.attrType === TRANSFORM_ATTR_KEY_LENGTH) throw new InvalidArgumentError('SA: Key Length goes in keyLength, not attributes');
        if (a.format === 'tv' && a.value.length !== 2) throw new InvalidArgumentError(`SA: TV attribute ${a.attrType} value must be 2 octets`);
      }
    }
  }
}

export const saCodec: PayloadCodec<SaPayload> = {
  encodedLength(s) {
    let n = 0;
    for (const p of s.proposals) n += proposalLength(p);
    return n;
  },

  encode(s, w) {
    checkForEncode(s);
    s.proposals.forEach((p, i) => {
      const last = i === s.proposals.length - 1;
      w.u8(last ? LastSubstruc.LAST : LastSubstruc.MORE_PROPOSALS).u8(0).u16(proposalLength(p));
      w.u8(p.number).u8(p.protocolId).u8(p.spi.length).u8(p.transforms.length).bytes(p.spi);
      p.transforms.forEach((t, j) => {
        const lastT = j === p.transforms.length - 1;
        w.u8(lastT ? LastSubstruc.LAST : LastSubstruc.MORE_TRANSFORMS).u8(0).u16(transformLength(t));
        w.u8(t.transformType).u8(0).u16(t.transformId);
        if (t.keyLength !== undefined) w.u16(AF_TV | TRANSFORM_ATTR_KEY_LENGTH).u16(t.keyLength);
        for (const a of t.attributes ?? []) {
          if (a.attrType > 0x7fff) throw new InvalidArgumentError(`SA: attribute type ${a.attrType} does not fit 15 bits`);
          if (a.format === 'tv') w.u16(AF_TV | a.attrType).bytes(a.value);
          else w.u16(a.attrType).u16(a.value.length).bytes(a.value);
        }
      });
    });
  },

  decode(r) {
    const proposals: Proposal[] = [];
    while (r.remaining > 0) proposals.push(decodeProposal(r));
    const bad = numberingProblem(proposals.map((p) => p.number));
    if (bad !== undefined) throw invalidSyntax(`SA: ${bad}`);
    return { type: 'sa', proposals };
  },
};

/** Checks a Last Substruc marker against whether more octets follow the substructure. */
function checkMarker(marker: number, more: number, moreLeft: boolean, what: string): void {
  if (marker !== LastSubstruc.LAST && marker !== more) throw invalidSyntax(`SA: ${what} Last Substruc ${marker} (0 or ${more})`);
  if (marker === more && !moreLeft) throw invalidSyntax(`SA: ${what} says more follow, none does`);
  if (marker === LastSubstruc.LAST && moreLeft) throw invalidSyntax(`SA: octets follow the ${what} marked last`);
}

function decodeProposal(r: Reader): Proposal {
  if (r.remaining < PROPOSAL_HEADER) throw invalidSyntax(`SA: ${r.remaining} octet(s) cannot hold a proposal`);
  const marker = r.u8();
  r.skip(1);
  const length = r.u16();
  if (length < PROPOSAL_HEADER || length - 4 > r.remaining) throw invalidSyntax(`SA: Proposal Length ${length} (${r.remaining + 4} octet(s) left)`);
  const body = r.sub(length - 4);
  checkMarker(marker, LastSubstruc.MORE_PROPOSALS, r.remaining > 0, 'proposal');
  const number = body.u8();
  const protocolId = body.u8();
  const spiSize = body.u8();
  const count = body.u8();
  const spiBad = spiSizeProblem(protocolId, spiSize);
  if (spiBad !== undefined) throw invalidSyntax(`SA: ${spiBad}`);
  if (spiSize > body.remaining) throw invalidSyntax(`SA: proposal ${number} SPI Size ${spiSize} runs past the proposal`);
  const spi = body.bytes(spiSize);
  const transforms: Transform[] = [];
  while (body.remaining > 0) transforms.push(decodeTransform(body));
  if (transforms.length !== count) throw invalidSyntax(`SA: proposal ${number} says ${count} transform(s), holds ${transforms.length}`);
  return { number, protocolId, spi, transforms };
}

function decodeTransform(r: Reader): Transform {
  if (r.remaining < TRANSFORM_HEADER) throw invalidSyntax(`SA: ${r.remaining} octet(s) cannot hold a transform`);
  const marker = r.u8();
  r.skip(1);
  const length = r.u16();
  if (length < TRANSFORM_HEADER || length - 4 > r.remaining) throw invalidSyntax(`SA: Transform Length ${length} (${r.remaining + 4} octet(s) left)`);
  const body = r.sub(length - 4);
  checkMarker(marker, LastSubstruc.MORE_TRANSFORMS, r.remaining > 0, 'transform');
  const transformType = body.u8();
  body.skip(1);
  const transformId = body.u16();
  const t: Transform = { transformType, transformId };
  const attributes: TransformAttribute[] = [];
  while (body.remaining > 0) {
    if (body.remaining < ATTRIBUTE_HEADER) throw invalidSyntax(`SA: ${body.remaining} octet(s) cannot hold a transform attribute`);
    const word = body.u16();
    const attrType = word & 0x7fff;
    const tv = (word & AF_TV) !== 0;
    if (attrType === TRANSFORM_ATTR_KEY_LENGTH) {
      if (!tv) throw invalidSyntax('SA: Key Length attribute in TLV form (RFC 7296 §3.3.5: TV only)');
      if (t.keyLength !== undefined) throw invalidSyntax('SA: two Key Length attributes in one transform');
      t.keyLength = body.u16();
    } else if (tv) {
      attributes.push({ attrType, format: 'tv', value: body.bytes(2) });
    } else {
      const n = body.u16();
      if (n > body.remaining) throw invalidSyntax(`SA: attribute ${attrType} length ${n} runs past the transform`);
      attributes.push({ attrType, format: 'tlv', value: body.bytes(n) });
    }
  }
  if (attributes.length > 0) t.attributes = attributes;
  return t;
}

/** The transforms of one type in a proposal, in order. */
export function transformsOfType(p: Proposal, transformType: number): Transform[] {
  return p.transforms.filter((t) => t.transformType === transformType);
}

/** `#1 IKE: aes-cbc-256/prf-hmac-sha2-256/hmac-sha2-256-128/modp2048`, for logs. */
export function formatProposal(p: Proposal): string {
  const spi = p.spi.length > 0 ? ` spi ${toHex(p.spi)}` : '';
  return `#${p.number} ${protocolName(p.protocolId)}${spi}: ${p.transforms.map((t) => transformName(t.transformType, t.transformId, t.keyLength)).join('/')}`;
}
