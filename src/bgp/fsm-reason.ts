import {
  CeaseSubcode, FsmErrorSubcode, HeaderErrorSubcode, NotificationCode, OpenErrorSubcode, UpdateErrorSubcode,
  type TransitionReason,
} from './fsm-types.js';

/*
 * Human-readable transition reasons, worded like FRR's `show bgp neighbor` ("Hold Timer Expired",
 * "Received NOTIFICATION OPEN Message Error/Bad Peer AS").
 */

const CODE_NAMES: Readonly<Record<number, string>> = {
  [NotificationCode.MessageHeaderError]: 'Message Header Error',
  [NotificationCode.OpenMessageError]: 'OPEN Message Error',
  [NotificationCode.UpdateMessageError]: 'UPDATE Message Error',
  [NotificationCode.HoldTimerExpired]: 'Hold Timer Expired',
  [NotificationCode.FiniteStateMachineError]: 'Finite State Machine Error',
  [NotificationCode.Cease]: 'Cease',
  [NotificationCode.RouteRefreshMessageError]: 'ROUTE-REFRESH Message Error',
};

const SUBCODE_NAMES: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  [NotificationCode.MessageHeaderError]: {
    [HeaderErrorSubcode.ConnectionNotSynchronized]: 'Connection Not Synchronized',
    [HeaderErrorSubcode.BadMessageLength]: 'Bad Message Length',
    [HeaderErrorSubcode.BadMessageType]: 'Bad Message Type',
  },
  [NotificationCode.OpenMessageError]: {
    [OpenErrorSubcode.UnsupportedVersionNumber]: 'Unsupported Version Number',
    [OpenErrorSubcode.BadPeerAs]: 'Bad Peer AS',
    [OpenErrorSubcode.BadBgpIdentifier]: 'Bad BGP Identifier',
    [OpenErrorSubcode.UnsupportedOptionalParameter]: 'Unsupported Optional Parameter',
    [OpenErrorSubcode.UnacceptableHoldTime]: 'Unacceptable Hold Time',
    [OpenErrorSubcode.UnsupportedCapability]: 'Unsupported Capability',
    [OpenErrorSubcode.RoleMismatch]: 'Role Mismatch',
  },
  [NotificationCode.UpdateMessageError]: {
    [UpdateErrorSubcode.MalformedAttributeList]: 'Malformed Attribute List',
    [UpdateErrorSubcode.UnrecognizedWellKnownAttribute]: 'Unrecognized Well-known Attribute',
    [UpdateErrorSubcode.MissingWellKnownAttribute]: 'Missing Well-known Attribute',
    [UpdateErrorSubcode.AttributeFlagsError]: 'Attribute Flags Error',
    [UpdateErrorSubcode.AttributeLengthError]: 'Attribute Length Error',
    [UpdateErrorSubcode.InvalidOriginAttribute]: 'Invalid ORIGIN Attribute',
    [UpdateErrorSubcode.InvalidNextHopAttribute]: 'Invalid NEXT_HOP Attribute',
    [UpdateErrorSubcode.OptionalAttributeError]: 'Optional Attribute Error',
    [UpdateErrorSubcode.InvalidNetworkField]: 'Invalid Network Field',
    [UpdateErrorSubcode.MalformedAsPath]: 'Malformed AS_PATH',
  },
  [NotificationCode.FiniteStateMachineError]: {
    [FsmErrorSubcode.UnexpectedMessageInOpenSent]: 'Receive Unexpected Message in OpenSent State',
    [FsmErrorSubcode.UnexpectedMessageInOpenConfirm]: 'Receive Unexpected Message in OpenConfirm State',
    [FsmErrorSubcode.UnexpectedMessageInEstablished]: 'Receive Unexpected Message in Established State',
  },
  [NotificationCode.Cease]: {
    [CeaseSubcode.MaximumPrefixesReached]: 'Maximum Number of Prefixes Reached',
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
      return `Admin. stop (${describeNotification(NotificationCode.Cease, reason.subcode)})`;
    case 'auto-stop':
      return `Automatic stop (${describeNotification(NotificationCode.Cease, reason.subcode)})`;
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
      return `Connection collision: ${reason.notificationSent ? 'sent NOTIFICATION ' : ''}${describeNotification(NotificationCode.Cease, CeaseSubcode.ConnectionCollisionResolution)}`;
  }
}
