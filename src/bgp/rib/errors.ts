import { VpnlabError } from '../../core/errors.js';

export const RibErrorCode = {
  UnknownPeer: 'ERR_BGP_RIB_UNKNOWN_PEER',
  DuplicatePeer: 'ERR_BGP_RIB_DUPLICATE_PEER',
  BadPeer: 'ERR_BGP_RIB_BAD_PEER',
  PeerNotUp: 'ERR_BGP_RIB_PEER_NOT_UP',
  BadPrefix: 'ERR_BGP_RIB_BAD_PREFIX',
  NotKept: 'ERR_BGP_RIB_NOT_KEPT',
} as const;
export type RibErrorCode = (typeof RibErrorCode)[keyof typeof RibErrorCode];

/** A call the RIB cannot carry out: unknown peer, peer not established, malformed prefix. */
export class RibError extends VpnlabError {
  constructor(code: RibErrorCode, message: string) {
    super(code, message);
  }
}
