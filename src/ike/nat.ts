import { digest } from '../crypto/hmac.js';
import { bytesEqual } from '../crypto/bytes.js';
import type { Endpoint } from '../transport/types.js';
import { NotifyType } from './constants.js';
import { natDetectionInput, natDetectionNotify, type NotifyPayload } from './payloads/notify.js';

/*
 * NAT detection (RFC 7296 §2.23): each side hashes the addresses and ports it believes the
 * datagram carries; the receiver hashes what it actually saw. A source mismatch means the sender
 * is behind a NAT, a destination mismatch that the receiver is. Either way the initiator moves
 * to port 4500 and ESP travels in UDP (RFC 3948). Forcing encapsulation (strongSwan's
 * `encap = yes`) sends a source hash that cannot match, so the peer believes we are behind one.
 */

function natHash(spiI: bigint, spiR: bigint, endpoint: Endpoint): Uint8Array {
  const a = endpoint.address;
  return digest('sha1', [natDetectionInput(spiI, spiR, Uint8Array.of(a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff), endpoint.port)]);
}

/** The NAT_DETECTION_SOURCE_IP and _DESTINATION_IP notifies for a message from `local` to `remote`. */
export function natDetectionNotifies(spiI: bigint, spiR: bigint, local: Endpoint, remote: Endpoint, fakeSource: boolean): NotifyPayload[] {
  const source = natHash(spiI, spiR, local);
  if (fakeSource) source[0] = source[0]! ^ 0xff;
  return [natDetectionNotify('source', source), natDetectionNotify('destination', natHash(spiI, spiR, remote))];
}

export interface NatFindings {
  /** The peer sent NAT detection at all (else no NAT traversal happens). */
  readonly supported: boolean;
  /** The peer's address or port differs from what it believes it sent from. */
  readonly peerBehindNat: boolean;
  /** Our address or port differs from what the peer sent to. */
  readonly localBehindNat: boolean;
}

/** What the notifies of a received message say, given the endpoints it actually travelled between. */
export function detectNat(notifies: readonly NotifyPayload[], spiI: bigint, spiR: bigint, local: Endpoint, remote: Endpoint): NatFindings {
  const sources = notifies.filter((n) => n.notifyType === NotifyType.NAT_DETECTION_SOURCE_IP);
  const destination = notifies.find((n) => n.notifyType === NotifyType.NAT_DETECTION_DESTINATION_IP);
  if (sources.length === 0 || destination === undefined) return { supported: false, peerBehindNat: false, localBehindNat: false };
  const seenSource = natHash(spiI, spiR, remote);
  return {
    supported: true,
    peerBehindNat: !sources.some((n) => bytesEqual(n.data, seenSource)),
    localBehindNat: !bytesEqual(destination.data, natHash(spiI, spiR, local)),
  };
}
