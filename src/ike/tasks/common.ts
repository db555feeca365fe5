import { CryptoError } from '../../crypto/errors.js';
import { TransformType } from '../../crypto/iana.js';
import { CryptoSuite, type SuiteSpec } from '../../crypto/suite.js';
import type { DhKeyPair } from '../../crypto/dh.js';
import { NotifyType, isErrorNotify } from '../constants.js';
import { IkeError, invalidSyntax } from '../errors.js';
import type { IkeMessage } from '../message.js';
import { payloadOf, payloadsOf } from '../message.js';
import type { Payload } from '../payload-chain.js';
import type { NotifyPayload } from '../payloads/notify.js';
import type { Proposal } from '../payloads/sa.js';
import type { TrafficSelector } from '../payloads/ts.js';
import { chosenTransform, selectProposal } from '../proposal.js';

/* Pieces the IKE tasks share: proposal checks, D-H, notify lookups. */

/** The IKE suite a chosen IKE proposal describes. */
export function ikeSuite(p: Proposal): CryptoSuite {
  const encr = chosenTransform(p, TransformType.Encryption)!;
  const integ = chosenTransform(p, TransformType.Integrity);
  const spec: SuiteSpec = {
    encr: encr.transformId,
    ...(encr.keyLength !== undefined ? { encrKeyBits: encr.keyLength } : {}),
    ...(integ !== undefined && integ.transformId !== 0 ? { integ: integ.transformId } : {}),
    prf: chosenTransform(p, TransformType.Prf)!.transformId,
    dh: chosenTransform(p, TransformType.DhGroup)!.transformId,
  };
  return CryptoSuite.ike(spec);
}

/** The D-H group of a chosen proposal, 0 for none. */
export function dhGroupOf(p: Proposal): number {
  return chosenTransform(p, TransformType.DhGroup)?.transformId ?? 0;
}

/** Every D-H group the proposals offer, in preference order. */
export function dhGroupsOf(proposals: readonly Proposal[]): number[] {
  const out: number[] = [];
  for (const p of proposals) {
    for (const t of p.transforms) if (t.transformType === TransformType.DhGroup && t.transformId !== 0 && !out.includes(t.transformId)) out.push(t.transformId);
  }
  return out;
}

/** The proposals with their D-H transforms removed (the first CHILD_SA has no KE, RFC 7296 §1.2). */
export function withoutDh(proposals: readonly Proposal[]): Proposal[] {
  return proposals.map((p) => ({ ...p, transforms: p.transforms.filter((t) => t.transformType !== TransformType.DhGroup) }));
}

/** The proposals with `spi` as their SPI. */
export function withSpi(proposals: readonly Proposal[], spi: Uint8Array): Proposal[] {
  return proposals.map((p) => ({ ...p, spi }));
}

/**
 * Checks the peer's single chosen proposal against what we offered (RFC 7296 §2.7: it must be
 * one of ours with one transform of each type); returns it or throws NO_PROPOSAL_CHOSEN.
 */
export function acceptChosen(offered: readonly Proposal[], response: IkeMessage | readonly Payload[]): Proposal {
  const payloads = Array.isArray(response) ? response : (response as IkeMessage).payloads;
  const sa = payloadOf(payloads, 'sa');
  if (sa === undefined || sa.proposals.length !== 1) throw new IkeError(NotifyType.NO_PROPOSAL_CHOSEN, `the response must carry exactly one proposal, got ${sa?.proposals.length ?? 0}`);
  const chosen = sa.proposals[0]!;
  const check = selectProposal(offered, [chosen]);
  if (check === undefined) throw new IkeError(NotifyType.NO_PROPOSAL_CHOSEN, 'the peer chose a proposal we did not offer');
  const types = new Set<number>();
  for (const t of chosen.transforms) {
    if (types.has(t.transformType)) throw new IkeError(NotifyType.NO_PROPOSAL_CHOSEN, 'the chosen proposal has two transforms of one type');
    types.add(t.transformType);
  }
  return chosen;
}

/** g^ir from the peer's KE payload; INVALID_SYNTAX for a value the group rejects (RFC 7296 §3.4). */
export function sharedSecret(keyPair: DhKeyPair, peer: Uint8Array): Uint8Array {
  try {
    return keyPair.computeShared(peer);
  } catch (e) {
    if (e instanceof CryptoError) throw invalidSyntax(`KE payload: ${e.message}`);
    throw e;
  }
}

/** The selectors of the TSi or TSr payload (empty when absent). */
export function selectorsOf(payloads: readonly Payload[], which: 'tsi' | 'tsr'): TrafficSelector[] {
  for (const p of payloads) if (p.type === which) return p.selectors;
  return [];
}

export function notifiesOf(payloads: readonly Payload[]): NotifyPayload[] {
  return payloadsOf(payloads, 'notify');
}

export function findNotify(payloads: readonly Payload[], type: number): NotifyPayload | undefined {
  return notifiesOf(payloads).find((n) => n.notifyType === type);
}

/** The first error notification of a message (RFC 7296 §3.10.1: types below 16384). */
export function errorNotifyIn(payloads: readonly Payload[]): NotifyPayload | undefined {
  return notifiesOf(payloads).find((n) => isErrorNotify(n.notifyType));
}
