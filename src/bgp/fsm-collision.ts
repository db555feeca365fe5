import { InvalidArgumentError } from '../core/errors.js';
import type { Asn } from './types.js';
import { CeaseSubcode, ErrorCode, type ConnectionDirection, type FsmStateName, type NotificationInfo } from './fsm-types.js';

/*
 * Connection collision detection (RFC 4271 §6.8, RFC 6286 §2.3). When both speakers connect at
 * once there are two TCP connections, one FSM each; on receiving an OPEN the session asks
 * `detectCollision` about the other connection's FSM and, when both must be compared,
 * `resolveCollision` which one survives. The loser's FSM gets OpenCollisionDump (event 23), which
 * sends the Cease / Connection Collision Resolution NOTIFICATION below (RFC 4486 subcode 7).
 */

/** The NOTIFICATION sent on the connection closed by collision resolution. */
export const COLLISION_NOTIFICATION: NotificationInfo = {
  code: ErrorCode.Cease,
  subcode: CeaseSubcode.ConnectionCollisionResolution,
  data: new Uint8Array(0),
};

export type CollisionCheck =
  /** The other connection cannot collide (Idle, Connect, Active; OpenSent unless the peer's ID is known). */
  | 'no-collision'
  /** Compare BGP Identifiers with `resolveCollision`. */
  | 'resolve'
  /** The other connection is Established: close the new one unconditionally. */
  | 'close-new';

export interface CollisionCheckOptions {
  /** CollisionDetectEstablishedState (RFC 4271 §8.1.1): resolve against Established too. */
  readonly collisionDetectEstablished?: boolean;
  /** The peer's BGP Identifier is known by other means, so OpenSent connections count (§6.8). */
  readonly peerIdKnown?: boolean;
}

/**
 * What an OPEN arriving on one connection means for the other connection to the same peer, whose
 * FSM is in `other` (RFC 4271 §6.8: only OpenConfirm, optionally OpenSent, and Established).
 */
export function detectCollision(other: FsmStateName, options: CollisionCheckOptions = {}): CollisionCheck {
  switch (other) {
    case 'Idle':
    case 'Connect':
    case 'Active':
      return 'no-collision';
    case 'OpenSent':
      return options.peerIdKnown === true ? 'resolve' : 'no-collision';
    case 'OpenConfirm':
      return 'resolve';
    case 'Established':
      return options.collisionDetectEstablished === true ? 'resolve' : 'close-new';
  }
}

export interface CollisionInput {
  readonly localBgpId: number;
  /** From the OPEN just received. */
  readonly remoteBgpId: number;
  readonly localAs: Asn;
  readonly remoteAs: Asn;
}

export interface CollisionResolution {
  /** The connection that stays: `outgoing` = the one we initiated. */
  readonly keep: ConnectionDirection;
  readonly close: ConnectionDirection;
  /** To send on the closed connection (via OpenCollisionDump). */
  readonly notification: NotificationInfo;
}

/**
 * RFC 4271 §6.8: compare the identifiers as unsigned 32-bit integers; the side with the higher one
 * keeps the connection it initiated. So if ours is lower we keep the incoming connection, else the
 * outgoing one. RFC 6286 §2.3: with identical identifiers (possible between ASes), the connection
 * initiated by the speaker with the larger AS number is kept. Both peers reach the same verdict.
 * Identical identifiers and AS numbers cannot be resolved (validateOpen refuses them on iBGP):
 * throws InvalidArgumentError.
 */
export function resolveCollision(input: CollisionInput): CollisionResolution {
  const local = input.localBgpId >>> 0;
  const remote = input.remoteBgpId >>> 0;
  let keep: ConnectionDirection;
  if (local !== remote) {
    keep = local < remote ? 'incoming' : 'outgoing';
  } else if (input.localAs !== input.remoteAs) {
    keep = input.localAs > input.remoteAs ? 'outgoing' : 'incoming';
  } else {
    throw new InvalidArgumentError(
      `connection collision with identical BGP Identifier ${local} and AS ${input.localAs} on both sides; give each speaker its own router ID`);
  }
  return { keep, close: keep === 'outgoing' ? 'incoming' : 'outgoing', notification: COLLISION_NOTIFICATION };
}
