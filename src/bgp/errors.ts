import { VpnlabError } from '../core/errors.js';

/*
 * BGP NOTIFICATION error codes and subcodes (RFC 4271 §4.5 and §6, RFC 5492 §5, RFC 6608,
 * RFC 4486 with RFC 8538 and RFC 9384 for Cease, RFC 7313 for ROUTE-REFRESH), the RFC 7606
 * error-handling actions, and BgpError, the one error the BGP decoders throw.
 */

export const ErrorCode = {
  MessageHeader: 1,
  OpenMessage: 2,
  UpdateMessage: 3,
  HoldTimerExpired: 4,
  FiniteStateMachine: 5,
  Cease: 6,
  /** RFC 7313 §5. */
  RouteRefreshMessage: 7,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** "If no appropriate Error Subcode is defined, then a zero (Unspecific) value is used" (RFC 4271 §4.5). */
export const UNSPECIFIC = 0;

export const MessageHeaderSubcode = {
  Unspecific: 0,
  ConnectionNotSynchronized: 1,
  BadMessageLength: 2,
  BadMessageType: 3,
} as const;

export const OpenMessageSubcode = {
  Unspecific: 0,
  UnsupportedVersionNumber: 1,
  BadPeerAs: 2,
  BadBgpIdentifier: 3,
  UnsupportedOptionalParameter: 4,
  /** 5 was Authentication Failure, deprecated by RFC 4271 (Appendix A). */
  UnacceptableHoldTime: 6,
  /** RFC 5492 §5. */
  UnsupportedCapability: 7,
  /** RFC 9234 §4.2. */
  RoleMismatch: 11,
} as const;

export const UpdateMessageSubcode = {
  Unspecific: 0,
  MalformedAttributeList: 1,
  UnrecognizedWellKnownAttribute: 2,
  MissingWellKnownAttribute: 3,
  AttributeFlagsError: 4,
  AttributeLengthError: 5,
  InvalidOriginAttribute: 6,
  /** 7 was AS Routing Loop, deprecated by RFC 4271 (Appendix A). */
  InvalidNextHopAttribute: 8,
  OptionalAttributeError: 9,
  InvalidNetworkField: 10,
  MalformedAsPath: 11,
} as const;

/** RFC 6608. */
export const FsmSubcode = {
  Unspecified: 0,
  UnexpectedMessageInOpenSent: 1,
  UnexpectedMessageInOpenConfirm: 2,
  UnexpectedMessageInEstablished: 3,
} as const;

/** RFC 4486 §4 (1–8), RFC 8538 §5 (Hard Reset), RFC 9384 §2 (BFD Down). */
export const CeaseSubcode = {
  Unspecific: 0,
  MaximumNumberOfPrefixesReached: 1,
  AdministrativeShutdown: 2,
  PeerDeconfigured: 3,
  AdministrativeReset: 4,
  ConnectionRejected: 5,
  OtherConfigurationChange: 6,
  ConnectionCollisionResolution: 7,
  OutOfResources: 8,
  HardReset: 9,
  BfdDown: 10,
} as const;

/** RFC 7313 §5. */
export const RouteRefreshSubcode = {
  Unspecific: 0,
  InvalidMessageLength: 1,
} as const;

const NAMES: Readonly<Record<number, string>> = {
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
    [CeaseSubcode.BfdDown]: 'BFD Down',
  },
  [ErrorCode.RouteRefreshMessage]: {
    [RouteRefreshSubcode.InvalidMessageLength]: 'Invalid Message Length',
  },
};

/** The stable keys of BgpError codes: ERR_BGP_<KEY>. */
const CODE_KEYS: Record<number, string> = {
  [ErrorCode.MessageHeader]: 'MESSAGE_HEADER',
  [ErrorCode.OpenMessage]: 'OPEN_MESSAGE',
  [ErrorCode.UpdateMessage]: 'UPDATE_MESSAGE',
  [ErrorCode.HoldTimerExpired]: 'HOLD_TIMER_EXPIRED',
  [ErrorCode.FiniteStateMachine]: 'FSM',
  [ErrorCode.Cease]: 'CEASE',
  [ErrorCode.RouteRefreshMessage]: 'ROUTE_REFRESH_MESSAGE',
};

/** The RFC's name of an error code ("OPEN Message Error"), undefined when unknown. */
export function errorCodeName(code: number): string | undefined {
  return NAMES[code];
}

/** The RFC's name of a subcode ("Bad Peer AS"), undefined for 0 or an unknown value. */
export function subcodeName(code: number, subcode: number): string | undefined {
  return SUBCODE_NAMES[code]?.[subcode];
}

/** "UPDATE Message Error / Malformed As Path (3/11)": for logs and messages, never for matching. */
export function describeNotification(code: number, subcode: number): string {
  const name = errorCodeName(code);
  if (name === undefined) return `unknown error code ${code}/${subcode}`;
  const sub = subcodeName(code, subcode);
  return `${name}${sub !== undefined ? ` / ${sub}` : subcode !== 0 ? ` / subcode ${subcode}` : ''} (${code}/${subcode})`;
}

/**
 * RFC 7606 §2 error-handling approaches, strongest first. Session reset: send the NOTIFICATION
 * and close. AFI/SAFI disable: RFC 4760 §7, drop and ignore the routes of one AFI/SAFI.
 * Treat-as-withdraw: every route in the UPDATE is withdrawn. Attribute discard: the attribute is
 * dropped and the UPDATE is processed without it.
 */
export type ErrorAction = 'session-reset' | 'afisafi-disable' | 'treat-as-withdraw' | 'attribute-discard';

const STRENGTH: Record<ErrorAction | 'none', number> = {
  none: 0,
  'attribute-discard': 1,
  'treat-as-withdraw': 2,
  'afisafi-disable': 3,
  'session-reset': 4,
};

/** RFC 7606 §3 (h): with several errors, the approach with the strongest action is used. */
export function strongerAction<A extends ErrorAction | 'none'>(a: A, b: A): A {
  return STRENGTH[b] > STRENGTH[a] ? b : a;
}

export function actionStrength(a: ErrorAction | 'none'): number {
  return STRENGTH[a];
}

export interface AfiSafi {
  afi: number;
  safi: number;
}

const EMPTY = new Uint8Array(0);

/**
 * A BGP protocol error: the NOTIFICATION it maps to (`errorCode`, `subcode`, `data` exactly as
 * RFC 4271 §6 and the later RFCs define the Data field) and what RFC 7606 says to do about it.
 * Decoders throw it only for session-reset errors; UPDATE decoding reports the softer ones in
 * its outcome. Only the session turns a BgpError into a NOTIFICATION.
 *
 * `code` (inherited) is a stable string such as `ERR_BGP_UPDATE_MESSAGE`; the numeric RFC code is
 * `errorCode`, because VpnlabError already uses `code` for the string.
 */
export class BgpError extends VpnlabError {
  readonly errorCode: number;
  readonly subcode: number;
  readonly data: Uint8Array;
  readonly action: ErrorAction;
  /** For MP_REACH_NLRI / MP_UNREACH_NLRI errors: the AFI/SAFI concerned, when it could be read. */
  readonly afiSafi: AfiSafi | undefined;
  private readonly detail: string | undefined;

  constructor(errorCode: number, subcode: number, data: Uint8Array = EMPTY, action: ErrorAction = 'session-reset', detail?: string, afiSafi?: AfiSafi) {
    const summary = describeNotification(errorCode, subcode);
    super(`ERR_BGP_${CODE_KEYS[errorCode] ?? 'UNKNOWN'}`, detail === undefined ? summary : `${summary}: ${detail}`);
    this.errorCode = errorCode;
    this.subcode = subcode;
    this.data = data;
    this.action = action;
    this.afiSafi = afiSafi;
    this.detail = detail;
  }

  /** The same NOTIFICATION content under another RFC 7606 action. */
  withAction(action: ErrorAction, afiSafi: AfiSafi | undefined = this.afiSafi): BgpError {
    return new BgpError(this.errorCode, this.subcode, this.data, action, this.detail, afiSafi);
  }

  /**
   * Sets data, action and AFI/SAFI on an error the caller has just caught from a decoder it
   * called and that nobody else has seen (the attribute-list decoder completing what an attribute
   * codec threw). Saves building a second Error, whose stack capture dominates decoding cost on
   * malformed input.
   */
  static complete(e: BgpError, data: Uint8Array, action: ErrorAction, afiSafi?: AfiSafi): BgpError {
    const m = e as { -readonly [K in 'data' | 'action' | 'afiSafi']: BgpError[K] };
    m.data = data;
    m.action = action;
    m.afiSafi = afiSafi;
    return e;
  }
}

export function headerError(subcode: number, data: Uint8Array = EMPTY, detail?: string): BgpError {
  return new BgpError(ErrorCode.MessageHeader, subcode, data, 'session-reset', detail);
}

export function openError(subcode: number, data: Uint8Array = EMPTY, detail?: string): BgpError {
  return new BgpError(ErrorCode.OpenMessage, subcode, data, 'session-reset', detail);
}

/** An UPDATE error; attribute decoders throw these and the attribute-list decoder sets data and action. */
export function updateError(subcode: number, detail?: string, data: Uint8Array = EMPTY, action: ErrorAction = 'session-reset'): BgpError {
  return new BgpError(ErrorCode.UpdateMessage, subcode, data, action, detail);
}

/** A big-endian u16 as bytes, for Data fields (Bad Message Length, Unsupported Version Number...). */
export function u16Bytes(v: number): Uint8Array {
  return Uint8Array.of((v >>> 8) & 0xff, v & 0xff);
}
