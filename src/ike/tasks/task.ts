import type { Clock } from '../../core/clock.js';
import type { RetransmitConfig } from '../config.js';
import type { IkeMessage } from '../message.js';
import type { Payload } from '../payload-chain.js';
import type { IkeSaReason } from '../reasons.js';

/*
 * An exchange this side starts, strongSwan-style: the task builds the request, and processes the
 * response. The task manager sends one request at a time (a window of one, RFC 7296 §2.3),
 * retransmits it, and hands the response back. Responses to the peer's requests are not tasks:
 * they are functions of the request (responder.ts).
 */

export type TaskOutcome =
  /** The exchange is over and did what it should. */
  | { readonly kind: 'done' }
  /** Send the (rebuilt) request again: IKE_SA_INIT after COOKIE or INVALID_KE_PAYLOAD. */
  | { readonly kind: 'retry' }
  /** The exchange failed; `fatal` takes the IKE SA down with it. */
  | { readonly kind: 'failed'; readonly reason: IkeSaReason; readonly fatal: boolean };

export const DONE: TaskOutcome = { kind: 'done' };
export const RETRY: TaskOutcome = { kind: 'retry' };

export function failed(reason: IkeSaReason, fatal: boolean): TaskOutcome {
  return { kind: 'failed', reason, fatal };
}

/**
 * The IKE SA as the task manager drives it (IkeSa implements it). The manager and this contract
 * need no more of the SA than this, so neither imports ike-sa.ts, which owns the manager; the
 * tasks themselves take the whole IkeSa (its keys, nonces and children), which the methods below
 * allow because a method's parameter is compared both ways.
 */
export interface TaskSa {
  readonly config: { readonly retransmit?: RetransmitConfig };
  readonly clock: Clock;
  readonly messageIds: { nextRequest: number };
  /** Whether a queued task may go now. */
  canInitiate(task: InitiatorTask): boolean;
  encode(exchange: number, messageId: number, response: boolean, payloads: readonly Payload[]): Uint8Array;
  describe(exchange: number, messageId: number, response: boolean, payloads: readonly Payload[]): string;
  log(message: string): void;
  transmit(bytes: Uint8Array): void;
  /** Retransmits ran out. */
  peerDead(reason: IkeSaReason): void;
  destroy(reason: IkeSaReason): void;
}

export interface InitiatorTask {
  /** `IKE_INIT`, `CHILD_REKEY`... for logs. */
  readonly name: string;
  readonly exchange: number;
  /**
   * The request's payloads, or undefined when there is nothing left to do (the child it would
   * rekey is gone, say): the task is dropped without an exchange.
   */
  build(sa: TaskSa): Payload[] | undefined;
  /** The request's bytes as sent (IKE_SA_INIT keeps them for AUTH). */
  sent?(sa: TaskSa, bytes: Uint8Array): void;
  process(sa: TaskSa, response: IkeMessage): TaskOutcome;
  /** The exchange will never complete (peer silent, SA destroyed). */
  abandon?(sa: TaskSa, reason: IkeSaReason): void;
}
