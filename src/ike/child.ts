import type { Timer } from '../core/clock.js';
import { TransformType } from '../crypto/iana.js';
import { CryptoSuite, type SuiteSpec } from '../crypto/suite.js';
import type { Prf } from '../crypto/prf.js';
import type { NegotiatedChildSa } from './child-sa.js';
import type { ChildConfig } from './config.js';
import { deriveChildKeys, type ChildSaKeys } from './keymat.js';
import { chosenTransform } from './proposal.js';
import type { Proposal } from './payloads/sa.js';
import { formatChildSpi } from './payloads/notify.js';
import { formatSelector, type Ipv4Selector } from './payloads/ts.js';

/*
 * The engine's record of one CHILD_SA: what was negotiated, its keys, its state in the rekey and
 * delete dance, and its lifetime timers. The data plane gets a NegotiatedChildSa made from it.
 */

export type ChildState =
  /** Carrying traffic. */
  | 'installed'
  /** A rekey we started is in flight. */
  | 'rekeying'
  /** Replaced by a newer CHILD_SA; waits for its Delete. */
  | 'rekeyed'
  /** Our Delete is in flight. */
  | 'deleting';

export interface ChildSa {
  readonly config: ChildConfig;
  readonly reqid: number;
  readonly inboundSpi: number;
  readonly outboundSpi: number;
  readonly proposal: Proposal;
  readonly suite: SuiteSpec;
  readonly keys: ChildSaKeys;
  /** True when we were the initiator of the exchange that made it (keys' direction). */
  readonly exchangeInitiator: boolean;
  readonly localSelectors: Ipv4Selector[];
  readonly remoteSelectors: Ipv4Selector[];
  readonly createdAt: number;
  state: ChildState;
  timers: Timer[];
  /** Handed to the data plane (a rekey collision's redundant CHILD_SA never is). */
  installed: boolean;
}

/** The suite a chosen ESP proposal describes. */
function espSuiteSpec(p: Proposal): SuiteSpec {
  const encr = chosenTransform(p, TransformType.Encryption)!;
  const integ = chosenTransform(p, TransformType.Integrity);
  const dh = chosenTransform(p, TransformType.DhGroup);
  const esn = chosenTransform(p, TransformType.ExtendedSequenceNumbers);
  return {
    encr: encr.transformId,
    ...(encr.keyLength !== undefined ? { encrKeyBits: encr.keyLength } : {}),
    ...(integ !== undefined && integ.transformId !== 0 ? { integ: integ.transformId } : {}),
    ...(dh !== undefined && dh.transformId !== 0 ? { dh: dh.transformId } : {}),
    esn: esn?.transformId === 1,
  };
}

export interface ChildKeyMaterial {
  readonly prf: Prf;
  readonly skD: Uint8Array;
  readonly nonceI: Uint8Array;
  readonly nonceR: Uint8Array;
  readonly pfsSharedSecret?: Uint8Array;
}

export interface NewChild {
  readonly config: ChildConfig;
  readonly reqid: number;
  readonly inboundSpi: number;
  readonly outboundSpi: number;
  readonly proposal: Proposal;
  readonly exchangeInitiator: boolean;
  readonly localSelectors: Ipv4Selector[];
  readonly remoteSelectors: Ipv4Selector[];
  readonly now: number;
}

export function makeChild(c: NewChild, material: ChildKeyMaterial): ChildSa {
  const suite = espSuiteSpec(c.proposal);
  const keys = deriveChildKeys(material.prf, material.skD, CryptoSuite.esp(suite), {
    nonceI: material.nonceI, nonceR: material.nonceR,
    ...(material.pfsSharedSecret !== undefined ? { pfsSharedSecret: material.pfsSharedSecret } : {}),
  });
  return { ...c, suite, keys, createdAt: c.now, state: 'installed', timers: [], installed: false };
}

/** What the data plane needs, seen from this side. */
export function negotiated(child: ChildSa, ike: Pick<NegotiatedChildSa, 'ikeSaName' | 'local' | 'remote' | 'udpEncapsulation'>, replaces?: number, deferOutbound = false): NegotiatedChildSa {
  const ours = child.exchangeInitiator ? child.keys.initiatorToResponder : child.keys.responderToInitiator;
  const theirs = child.exchangeInitiator ? child.keys.responderToInitiator : child.keys.initiatorToResponder;
  return {
    ...ike,
    childName: child.config.name,
    reqid: child.reqid,
    inboundSpi: child.inboundSpi,
    outboundSpi: child.outboundSpi,
    suite: child.suite,
    inboundKeys: theirs,
    outboundKeys: ours,
    localSelectors: child.localSelectors,
    remoteSelectors: child.remoteSelectors,
    lifetimes: child.config.lifetimes,
    replayWindow: child.config.replayWindow ?? 64,
    ...(replaces !== undefined ? { replaces } : {}),
    ...(deferOutbound ? { deferOutbound } : {}),
  };
}

export function describeChild(child: ChildSa): string {
  const ts = (list: readonly Ipv4Selector[]) => list.map(formatSelector).join(' ');
  return `${child.config.name}{${child.reqid}} SPIs ${formatChildSpi(child.inboundSpi)}_i ${formatChildSpi(child.outboundSpi)}_o, ${ts(child.localSelectors)} === ${ts(child.remoteSelectors)}`;
}
