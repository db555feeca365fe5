import { InvalidArgumentError } from '../../core/errors.js';
import { CHILD_SPI_SIZE, ProtocolId, protocolName } from '../constants.js';
import { invalidSyntax } from '../errors.js';
import type { PayloadCodec } from './generic.js';
import { spiNumberFromBytes, spiNumberToBytes } from './notify.js';

/*
 * Delete payload (RFC 7296 §3.11): Protocol ID (1) | SPI Size (1) | Num of SPIs (2) | SPIs.
 * Deleting the IKE SA: protocol IKE, SPI Size 0, no SPIs (the header names it). Deleting Child
 * SAs: AH or ESP, SPI Size 4, the sender's inbound SPIs.
 */

export interface DeletePayload {
  type: 'delete';
  protocolId: number;
  spiSize: number;
  spis: Uint8Array[];
}

function problem(protocolId: number, spiSize: number, count: number): string | undefined {
  if (protocolId === ProtocolId.IKE && (spiSize !== 0 || count !== 0)) return `IKE SA delete with SPI Size ${spiSize} and ${count} SPI(s) (0 and 0)`;
  if ((protocolId === ProtocolId.AH || protocolId === ProtocolId.ESP) && spiSize !== CHILD_SPI_SIZE) {
    return `${protocolName(protocolId)} delete with SPI Size ${spiSize} (${CHILD_SPI_SIZE})`;
  }
  return undefined;
}

export const deleteCodec: PayloadCodec<DeletePayload> = {
  encodedLength: (p) => 4 + p.spiSize * p.spis.length,
  encode(p, w) {
    const bad = problem(p.protocolId, p.spiSize, p.spis.length);
    if (bad !== undefined) throw new InvalidArgumentError(bad);
    if (p.spis.some((s) => s.length !== p.spiSize)) throw new InvalidArgumentError(`Delete: every SPI must have ${p.spiSize} octets`);
    w.u8(p.protocolId).u8(p.spiSize).u16(p.spis.length);
    for (const s of p.spis) w.bytes(s);
  },
  decode(r) {
    const protocolId = r.u8('Delete Protocol ID');
    const spiSize = r.u8('Delete SPI Size');
    const count = r.u16('Delete Num of SPIs');
    const bad = problem(protocolId, spiSize, count);
    if (bad !== undefined) throw invalidSyntax(bad);
    if (spiSize * count !== r.remaining) throw invalidSyntax(`Delete: ${count} SPI(s) of ${spiSize} octets in ${r.remaining} octet(s)`);
    const spis: Uint8Array[] = [];
    for (let i = 0; i < count; i++) spis.push(r.bytes(spiSize));
    return { type: 'delete', protocolId, spiSize, spis };
  },
};

/** Deletes the IKE SA the message belongs to (and with it all its Child SAs). */
export function deleteIkeSa(): DeletePayload {
  return { type: 'delete', protocolId: ProtocolId.IKE, spiSize: 0, spis: [] };
}

/** Deletes Child SAs by the sender's inbound SPIs. */
export function deleteChildSas(protocolId: typeof ProtocolId.AH | typeof ProtocolId.ESP, spis: readonly number[]): DeletePayload {
  return { type: 'delete', protocolId, spiSize: CHILD_SPI_SIZE, spis: spis.map(spiNumberToBytes) };
}

/** The SPIs of an AH/ESP delete as numbers. */
export function deletedChildSpis(d: DeletePayload): number[] {
  return d.spiSize === CHILD_SPI_SIZE ? d.spis.map(spiNumberFromBytes) : [];
}
