import { formatIpv4 } from '../net/address.js';
import { CryptoSuite } from '../crypto/suite.js';
import type { ChildState } from './child.js';
import type { IkeSa, IkeSaState } from './ike-sa.js';
import { formatIkeSpi } from './header.js';
import { formatIdentity } from './payloads/id.js';
import { formatChildSpi } from './payloads/notify.js';
import { formatSelector } from './payloads/ts.js';
import { describeIkeSaReason, type IkeSaReason } from './reasons.js';

/*
 * What users see of the IKE daemon (`vpnlab ike sas`, the HTTP API): plain records, like
 * `swanctl --list-sas` shows them.
 */

export interface ChildSaView {
  readonly name: string;
  readonly reqid: number;
  readonly state: ChildState;
  readonly inboundSpi: string;
  readonly outboundSpi: string;
  readonly suite: string;
  readonly localSelectors: string[];
  readonly remoteSelectors: string[];
  readonly udpEncapsulation: boolean;
  readonly ageSeconds: number;
}

export interface IkeSaView {
  readonly name: string;
  readonly peer: string;
  readonly state: IkeSaState;
  readonly role: 'initiator' | 'responder';
  readonly local: string;
  readonly remote: string;
  readonly spiI: string;
  readonly spiR: string;
  readonly suite: string | undefined;
  readonly natTraversal: boolean;
  readonly establishedSeconds: number | undefined;
  /** Why it is in its state, in words ("IKE SA established between ...", "rekeyed to peer[3]"); none while connecting... */
  readonly reason: string | undefined;
  /** ...and typed: `kind` and its fields (identities as text). */
  readonly cause: IkeSaReasonRecord | undefined;
  readonly children: ChildSaView[];
}

/** An IkeSaReason as JSON carries it: identities as text, not bytes. */
export type IkeSaReasonRecord =
  | Exclude<IkeSaReason, { kind: 'established' } | { kind: 'child-negotiation-failed' }>
  | { readonly kind: 'established'; readonly local: string; readonly remote: string; readonly initialContact: boolean }
  | { readonly kind: 'child-negotiation-failed'; readonly task: string; readonly child: string; readonly cause: IkeSaReasonRecord };

export function ikeSaReasonRecord(reason: IkeSaReason): IkeSaReasonRecord {
  if (reason.kind === 'established') return { ...reason, local: formatIdentity(reason.local), remote: formatIdentity(reason.remote) };
  if (reason.kind === 'child-negotiation-failed') return { ...reason, cause: ikeSaReasonRecord(reason.cause) };
  return reason;
}

export function ikeSaView(sa: IkeSa, now: number): IkeSaView {
  return {
    name: sa.name,
    peer: sa.config.name,
    state: sa.state,
    role: sa.originalInitiator ? 'initiator' : 'responder',
    local: `${formatIpv4(sa.local.address)}[${sa.local.port}]`,
    remote: `${formatIpv4(sa.remote.address)}[${sa.remote.port}]`,
    spiI: formatIkeSpi(sa.spiI),
    spiR: formatIkeSpi(sa.spiR),
    suite: sa.crypto?.suite.name,
    natTraversal: sa.natTraversal,
    establishedSeconds: sa.establishedAt === undefined ? undefined : Math.floor((now - sa.establishedAt) / 1000),
    reason: sa.stateReason === undefined ? undefined : describeIkeSaReason(sa.stateReason),
    cause: sa.stateReason === undefined ? undefined : ikeSaReasonRecord(sa.stateReason),
    children: sa.children.map((c) => ({
      name: c.config.name,
      reqid: c.reqid,
      state: c.state,
      inboundSpi: formatChildSpi(c.inboundSpi),
      outboundSpi: formatChildSpi(c.outboundSpi),
      suite: CryptoSuite.esp(c.suite).name,
      localSelectors: c.localSelectors.map(formatSelector),
      remoteSelectors: c.remoteSelectors.map(formatSelector),
      udpEncapsulation: sa.natTraversal,
      ageSeconds: Math.floor((now - c.createdAt) / 1000),
    })),
  };
}
