import {
  CeaseSubcode, FsmSubcode, MessageHeaderSubcode, ErrorCode, OpenMessageSubcode, UpdateMessageSubcode,
  type TransitionReason,
} from './fsm-types.js';

/*
 * Human-readable transition reasons, worded like FRR's `show bgp neighbor` ("Hold Timer Expired",
 * "Received NOTIFICATION OPEN Message Error/Bad Peer AS").
 */

const CODE_NAMES: Readonly<Record<number, string>> = {
  [ErrorCode.MessageHeader]: 'Message Header Error',
  [ErrorCode.OpenMessage]: 'OPEN Message Error',
  [ErrorCode.UpdateMessage]: 'UPDATE Message Error',
  [ErrorCode.HoldTimerExpired]: 'Hold Timer Expired',
  [ErrorCode.FiniteStateMachine]: 'Finite State Machine Error',
  [ErrorCode.Cease]: 'Cease',
  [ErrorCode.RouteRefreshMessage]: 'ROUTE-REFRESH Message Error',
};

const SUBCODE_NAMES: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  [ErrorCode.MessageHeader]: {
    [MessageHeaderSubcode.ConnectionNotSynchronized]: 'Connection Not Synchronized',
    [MessageHeaderSubcode.BadMessageLength]: 'Bad Message Length',
    [MessageHeaderSubcode.BadMessageType]: 'Bad Message Type',
  },
  [ErrorCode.OpenMessage]: {
    [OpenMessageSubcode.UnsupportedVersionNumber]: 'Unsupported Version Number',
    [OpenMessageSubcode.BadPeerAs]: 'Bad Peer AS',
    [OpenMessageSubcode.BadBgpIdentifier]: 'Bad BGP Identifier',
    [OpenMessageSubcode.UnsupportedOptionalParameter]: 'Unsupported Optional Parameter',
    [OpenMessageSubcode.UnacceptableHoldTime]: 'Unacceptable Hold Time',
    [OpenMessageSubcode.UnsupportedCapability]: 'Unsupported Capability',
    [OpenMessageSubcode.RoleMismatch]: 'Role Mismatch',
  },
  [ErrorCode.UpdateMessage]: {
    [UpdateMessageSubcode.MalformedAttributeList]: 'Malformed Attribute List',
    [UpdateMessageSubcode.UnrecognizedWellKnownAttribute]: 'Unrecognized Well-known Attribute',
    [UpdateMessageSubcode.MissingWellKnownAttribute]: 'Missing Well-known Attribute',
    [UpdateMessageSubcode.AttributeFlagsError]: 'Attribute Flags Error',
    [UpdateMessageSubcode.AttributeLengthError]: 'Attribute Length Error',
    [UpdateMessageSubcode.InvalidOriginAttribute]: 'Invalid ORIGIN Attribute',
    [UpdateMessageSubcode.InvalidNextHopAttribute]: 'Invalid NEXT_HOP Attribute',
    [UpdateMessageSubcode.OptionalAttributeError]: 'Optional Attribute Error',
    [UpdateMessageSubcode.InvalidNetworkField]: 'Invalid Network Field',
    [UpdateMessageSubcode.MalformedAsPath]: 'Malformed AS_PATH',
  },
  [ErrorCode.FiniteStateMachine]: {
    [FsmSubcode.UnexpectedMessageInOpenSent]: 'Receive Unexpected Message in OpenSent State',
    [FsmSubcode.UnexpectedMessageInOpenConfirm]: 'Receive Unexpected Message in OpenConfirm State',
    [FsmSubcode.UnexpectedMessageInEstablished]: 'Receive Unexpected Message in Established State',
  },
  [ErrorCode.Cease]: {
    [CeaseSubcode.MaximumNumberOfPrefixesReached]: 'Maximum Number of Prefixes Reached',
    [CeaseSubcode.AdministrativeShutdown]: 'Administrative Shutdown',
    [CeaseSubcode.PeerDeconfigured]: 'Peer De-configured',
    [CeaseSubcode.AdministrativeReset]: 'Administrative Reset',
    [CeaseSubcode.ConnectionRejected]: 'Connection Rejected',
    [CeaseSubcode.OtherConfigurationChange]: 'Other Configuration Change',
    [CeaseSubcode.ConnectionCollisionResolution]: 'Connection Collision Resolution',
    [CeaseSubcode.OutOfResources]: 'Out of Resources',
    [CeaseSubcode.HardReset]: 'Hard Reset',
  },
};

/** "OPEN Message Error/Bad Peer AS"; just the code's name for subcode 0; numbers for unknown values. */
export function describeNotification(code: number, subcode: number): string {
  const name = CODE_NAMES[code] ?? `Unknown error code ${code}`;
  if (subcode === 0) return name;
  return `${name}/${SUBCODE_NAMES[code]?.[subcode] ?? `subcode ${subcode}`}`;
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
