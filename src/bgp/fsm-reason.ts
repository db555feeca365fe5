import { errorCodeName, subcodeName } from './errors.js';
import { CeaseSubcode, ErrorCode, type TransitionReason } from './fsm-types.js';

/*
 * Human-readable transition reasons, worded like FRR's `show bgp neighbor` ("Hold Timer Expired",
 * "Received NOTIFICATION OPEN Message Error/Bad Peer AS").
 */

/** "OPEN Message Error/Bad Peer AS"; just the code's name for subcode 0; numbers for unknown values. */
export function describeNotification(code: number, subcode: number): string {
  const name = errorCodeName(code) ?? `Unknown error code ${code}`;
  if (subcode === 0) return name;
  return `${name}/${subcodeName(code, subcode) ?? `subcode ${subcode}`}`;
}

/** One line for logs and `show` output. */
export function describeReason(reason: TransitionReason): string {
  switch (reason.kind) {
    case 'admin-start':
      return 'Started by operator';
    case 'auto-start':
      return 'Automatic start';
    case 'admin-stop':
      return `Admin. stop (${describeNotification(ErrorCode.Cease, reason.subcode)})`;
    case 'auto-stop':
      return `Automatic stop (${describeNotification(ErrorCode.Cease, reason.subcode)})`;
    case 'ignored':
      return `${reason.event} ignored in ${reason.state}`;
    case 'connect-retry-expired':
      return 'ConnectRetry Timer Expired';
    case 'tcp-connection-request':
      return 'Incoming TCP connection request';
    case 'tcp-connected':
      return `TCP connection established (${reason.direction})${reason.delayOpen ? ', delaying OPEN' : ''}`;
    case 'second-connection':
      return `Second TCP connection (${reason.direction}) left to collision detection`;
    case 'tcp-failed':
      return reason.error === undefined ? 'Peer closed the session' : `TCP connection failed (${reason.error})`;
    case 'delay-open-expired':
      return 'DelayOpen Timer Expired';
    case 'open-received':
      return 'Received OPEN';
    case 'open-rejected':
      return `${reason.notificationSent ? 'Sent NOTIFICATION' : 'Rejected OPEN:'} ${describeNotification(reason.code, reason.subcode)} (${reason.detail})`;
    case 'keepalive-received':
      return 'Received KEEPALIVE';
    case 'keepalive-timer-expired':
      return 'Keepalive Timer Expired';
    case 'update-received':
      return 'Received UPDATE';
    case 'update-sent':
      return 'Sent UPDATE';
    case 'hold-timer-expired':
      return 'Hold Timer Expired';
    case 'notification-received':
      return `Received NOTIFICATION ${describeNotification(reason.code, reason.subcode)}`;
    case 'message-error':
      return reason.notificationSent
        ? `Sent NOTIFICATION ${describeNotification(reason.code, reason.subcode)}`
        : `${describeNotification(reason.code, reason.subcode)} (before our OPEN: no NOTIFICATION sent)`;
    case 'fsm-error':
      return `Unexpected ${reason.event} in ${reason.state}${reason.notificationSent ? ': sent NOTIFICATION Finite State Machine Error' : ''}`;
    case 'collision-lost':
      return `Connection collision: ${reason.notificationSent ? 'sent NOTIFICATION ' : ''}${describeNotification(ErrorCode.Cease, CeaseSubcode.ConnectionCollisionResolution)}`;
  }
}
