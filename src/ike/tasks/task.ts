import type { IkeMessage } from '../message.js';
import type { Payload } from '../payload-chain.js';
import type { IkeSa } from '../ike-sa.js';
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

export interface InitiatorTask {
  /** `IKE_INIT`, `CHILD_REKEY`... for logs. */
  readonly name: string;
  readonly exchange: number;
  /**
   * The request's payloads, or undefined when there is nothing left to do (the child it would
   * rekey is gone, say): the task is dropped without an exchange.
   */
  build(sa: IkeSa): Payload[] | undefined;
  /** The request's bytes as sent (IKE_SA_INIT keeps them for AUTH). */
  sent?(sa: IkeSa, bytes: Uint8Array): void;
  process(sa: IkeSa, response: IkeMessage): TaskOutcome;
  /** The exchange will never complete (peer silent, SA destroyed). */
  abandon?(sa: IkeSa, reason: IkeSaReason): void;
}
