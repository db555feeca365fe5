import type { Clock } from '../../core/clock.js';
import { VpnlabError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { TcpSegment } from '../../net/tcp.js';
import type { TcpSocketHandlers } from '../../transport/types.js';

export type TcpState =
  | 'CLOSED' | 'LISTEN' | 'SYN-SENT' | 'SYN-RECEIVED' | 'ESTABLISHED' | 'FIN-WAIT-1' | 'FIN-WAIT-2'
  | 'CLOSE-WAIT' | 'CLOSING' | 'LAST-ACK' | 'TIME-WAIT';

/** MSS assumed when the peer's SYN carries no MSS option (RFC 9293 §3.7.1). */
export const TCP_DEFAULT_MSS = 536;
/** 2*MSL; Linux holds TIME-WAIT for 60 s (TCP_TIMEWAIT_LEN). */
export const TCP_TIME_WAIT_MS = 60_000;
/** Linux net.ipv4.tcp_syn_retries. */
export const TCP_SYN_RETRIES = 6;
/** Linux net.ipv4.tcp_synack_retries. */
export const TCP_SYNACK_RETRIES = 5;
/** Linux net.ipv4.tcp_retries2. */
export const TCP_DATA_RETRIES = 15;

export interface TcpConnectionOptions {
  clock: Clock;
  rng: Rng;
  /** IPv4 addresses as unsigned 32-bit numbers. */
  localAddress: number;
  localPort: number;
  remoteAddress: number;
  remotePort: number;
  /** Our MSS, advertised in the SYN (typically the interface MTU - 40). */
  mss: number;
  /** Hands a segment to the IP layer, which adds the addresses and encodes it. */
  emit(segment: TcpSegment): void;
  handlers?: TcpSocketHandlers;
  onStateChange?(from: TcpState, to: TcpState): void;
  /** Fully CLOSED (after TIME-WAIT or an abort): called exactly once, last. */
  onFinished?(): void;
  /** Default TCP_TIME_WAIT_MS. */
  timeWaitMs?: number;
  /** SYN retransmissions before giving up; default TCP_SYN_RETRIES. */
  synRetries?: number;
  /** SYN-ACK retransmissions before giving up; default TCP_SYNACK_RETRIES. */
  synAckRetries?: number;
  /** Retransmissions of data or FIN without progress before giving up; default TCP_DATA_RETRIES. */
  dataRetries?: number;
}

/** Misuse of the connection API by its owner (a bug in the caller, not a network event). */
export class TcpUsageError extends VpnlabError {
  constructor(code: 'ERR_TCP_WRITE_AFTER_END', message: string) {
    super(code, message);
  }
}
