import { isDeepStrictEqual } from 'node:util';
import { ExchangeType, exchangeName, notifyName } from './constants.js';
import { formatIdentity, type Identity } from './payloads/id.js';

/*
 * Why an IKE SA changed state and why a CHILD_SA went, typed where they arise (as the BGP FSM's
 * TransitionReason is) and put into words only by describeIkeSaReason / describeChildRemoval, for
 * logs and views. Consumers (the emulator's timeline, the API, tests) test `kind`.
 */

export type IkeSaReason =
  // ---- established ----
  /** IKE_AUTH completed: who authenticated, and whether the peer said it forgot every earlier SA. */
  | { readonly kind: 'established'; readonly local: Identity; readonly remote: Identity; readonly initialContact: boolean }
  /** A rekey made this SA; `byPeer`: the peer started it. */
  | { readonly kind: 'rekeyed-from'; readonly predecessor: string; readonly byPeer: boolean }
  /** Both ends rekeyed at once and this SA holds the lowest nonce: it exists only to be deleted. */
  | { readonly kind: 'rekey-collision-redundant' }
  // ---- replaced ----
  | { readonly kind: 'rekeyed-to'; readonly successor: string }
  /** The peer sent INITIAL_CONTACT on `by`: this older SA with the same identities is stale. */
  | { readonly kind: 'replaced-by-initial-contact'; readonly by: string }
  /** Both ends dialled at once and the peer's SA is up already: ours gives way. */
  | { readonly kind: 'peer-initiated-meanwhile' }
  // ---- ended by someone ----
  | { readonly kind: 'deleted-by-peer' }
  | { readonly kind: 'terminated-by-user' }
  | { readonly kind: 'daemon-stopping' }
  /** The gateway crashed or lost power (an emulated fault): its SAs are forgotten without a word. */
  | { readonly kind: 'gateway-failed' }
  // ---- failed ----
  /** Retransmits of a request ran out. */
  | { readonly kind: 'no-response'; readonly exchange: ExchangeType; readonly messageId: number; readonly retransmits: number }
  /** The responder's SA got no IKE_AUTH in time. */
  | { readonly kind: 'half-open-timeout'; readonly timeoutMs: number }
  /** The peer answered an exchange with an error notify (a NotifyType, or a number we do not know). */
  | { readonly kind: 'notify-received'; readonly exchange: ExchangeType; readonly notify: number }
  /** IKE_AUTH response without AUTH and without an error notify. */
  | { readonly kind: 'no-auth-payload' }
  /** We could not authenticate the peer: the check that failed, and its particulars for logs. */
  | { readonly kind: 'auth-failed'; readonly check: AuthCheck; readonly detail: string }
  /** The peer could not authenticate us (an AUTHENTICATION_FAILED notify in an INFORMATIONAL). */
  | { readonly kind: 'peer-auth-failed' }
  | { readonly kind: 'cookie-loop' }
  /** The peer wants a D-H group we did not offer (INVALID_KE_PAYLOAD). */
  | { readonly kind: 'dh-group-refused'; readonly exchange: ExchangeType; readonly group: number }
  /** A response that decoded but could not be used (`notify`: the IkeError's). */
  | { readonly kind: 'unusable-response'; readonly exchange: ExchangeType; readonly notify: number; readonly detail: string }
  /** A response that broke the exchange's payload rules or did not decode. */
  | { readonly kind: 'invalid-response'; readonly notify: number; readonly detail: string }
  /** A CREATE_CHILD_SA of ours failed (the IKE SA stays). */
  | { readonly kind: 'child-negotiation-failed'; readonly task: string; readonly child: string; readonly cause: IkeSaReason }
  /** A bug, caught: the SA is in an unknown state and closed. */
  | { readonly kind: 'internal-error'; readonly detail: string };

/** Why a peer did not authenticate (RFC 7296 §2.15). */
export type AuthCheck = 'no-auth-payload' | 'no-identity' | 'identity-mismatch' | 'auth-method' | 'psk-mismatch';

export type IkeSaReasonKind = IkeSaReason['kind'];

export type ChildSaRemovalReason =
  | { readonly kind: 'hard-lifetime' }
  | { readonly kind: 'rekeyed' }
  | { readonly kind: 'rekey-collision-redundant' }
  | { readonly kind: 'deleted-by-peer' }
  | { readonly kind: 'ike-sa-gone'; readonly ikeSa: string; readonly cause: IkeSaReason };

export type ChildSaRemovalReasonKind = ChildSaRemovalReason['kind'];

/** One line for logs and views. */
export function describeIkeSaReason(reason: IkeSaReason): string {
  switch (reason.kind) {
    case 'established':
      return `IKE SA established between ${formatIdentity(reason.local)} and ${formatIdentity(reason.remote)}${reason.initialContact ? ' (initial contact)' : ''}`;
    case 'rekeyed-from':
      return `rekeyed from ${reason.predecessor}${reason.byPeer ? ' by the peer' : ''}`;
    case 'rekey-collision-redundant':
      return 'redundant after a rekey collision';
    case 'rekeyed-to':
      return `rekeyed to ${reason.successor}`;
    case 'replaced-by-initial-contact':
      return `replaced: the peer sent INITIAL_CONTACT on ${reason.by}`;
    case 'peer-initiated-meanwhile':
      return 'the peer set up an IKE SA with us meanwhile; keeping that one';
    case 'deleted-by-peer':
      return 'deleted by the peer';
    case 'terminated-by-user':
      return 'terminated by the user';
    case 'daemon-stopping':
      return 'daemon stopping';
    case 'gateway-failed':
      return 'the gateway instance failed';
    case 'no-response':
      return `giving up after ${reason.retransmits} retransmits of ${exchangeName(reason.exchange)} request ${reason.messageId}: peer not responding`;
    case 'half-open-timeout':
      return `no IKE_AUTH within ${reason.timeoutMs / 1000}s`;
    case 'notify-received':
      if (reason.exchange === ExchangeType.IKE_SA_INIT) return `the responder answered ${notifyName(reason.notify)}`;
      if (reason.exchange === ExchangeType.IKE_AUTH) return `IKE_AUTH refused: ${notifyName(reason.notify)}`;
      return `the peer answered ${notifyName(reason.notify)}`;
    case 'no-auth-payload':
      return 'IKE_AUTH refused: no AUTH payload';
    case 'auth-failed':
      return `AUTHENTICATION_FAILED: ${reason.detail}`;
    case 'peer-auth-failed':
      return 'the peer reports AUTHENTICATION_FAILED';
    case 'cookie-loop':
      return 'the responder keeps asking for cookies';
    case 'dh-group-refused':
      return reason.exchange === ExchangeType.IKE_SA_INIT
        ? `the responder wants D-H group ${reason.group}, which we did not offer`
        : `the peer wants D-H group ${reason.group}, which we do not offer`;
    case 'unusable-response':
      return reason.exchange === ExchangeType.IKE_SA_INIT ? `IKE_SA_INIT response unusable: ${reason.detail}` : `IKE_REKEY: ${reason.detail}`;
    case 'invalid-response':
      return reason.detail;
    case 'child-negotiation-failed':
      return `${reason.task} of ${reason.child}: ${describeIkeSaReason(reason.cause)}`;
    case 'internal-error':
      return `internal error: ${reason.detail}`;
  }
}

export function describeChildRemoval(reason: ChildSaRemovalReason): string {
  switch (reason.kind) {
    case 'hard-lifetime':
      return 'hard lifetime reached';
    case 'rekeyed':
      return 'rekeyed';
    case 'rekey-collision-redundant':
      return 'redundant after a rekey collision';
    case 'deleted-by-peer':
      return 'deleted by the peer';
    case 'ike-sa-gone':
      return `IKE SA ${reason.ikeSa} gone: ${describeIkeSaReason(reason.cause)}`;
  }
}

/** Whether two reasons are the same (plain data compared field by field, nested causes too). */
export function sameReason(a: IkeSaReason | ChildSaRemovalReason, b: IkeSaReason | ChildSaRemovalReason): boolean {
  return isDeepStrictEqual(a, b);
}
