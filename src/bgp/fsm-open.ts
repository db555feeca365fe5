import { InvalidArgumentError } from '../core/errors.js';
import { AS_TRANS, type Asn } from './types.js';
import {
  BGP_VERSION, ErrorCode, OpenMessageSubcode,
  type FsmConfig, type Negotiated, type NotificationInfo, type OpenInfo,
} from './fsm-types.js';
import { FSM_DEFAULTS, isUnacceptableHoldTime, keepaliveInterval } from './timers.js';

/*
 * Checking a received OPEN against the configuration (RFC 4271 §6.2 with RFC 6286 and RFC 6793)
 * and building a complete FsmConfig from the few values that have no default.
 */

export type OpenValidation =
  | { readonly ok: true; readonly negotiated: Negotiated }
  | { readonly ok: false; readonly notification: NotificationInfo; readonly detail: string };

const MAX_2_OCTET_AS = 0xffff;

function openError(subcode: number, detail: string, data: Uint8Array = new Uint8Array(0)): OpenValidation {
  return { ok: false, notification: { code: ErrorCode.OpenMessage, subcode, data }, detail };
}

function u16(n: number): Uint8Array {
  return Uint8Array.of((n >>> 8) & 0xff, n & 0xff);
}

function u32(n: number): Uint8Array {
  return Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/**
 * The peer's AS as RFC 6793 §4.2.1 defines it: from the 4-octet AS capability when present (the
 * My AS field then holds AS_TRANS, or the same AS when it fits in 2 octets), else the My AS field.
 * Returns undefined when the two disagree.
 */
export function peerAsOf(open: OpenInfo): Asn | undefined {
  const as4 = open.fourOctetAs;
  if (as4 === undefined) return open.myAs;
  if (as4 === 0) return undefined;
  if (as4 > MAX_2_OCTET_AS) return open.myAs === AS_TRANS ? as4 : undefined;
  return open.myAs === as4 ? as4 : undefined;
}

function formatId(id: number): string {
  return [24, 16, 8, 0].map((s) => (id >>> s) & 0xff).join('.');
}

/**
 * Checks a received OPEN, in RFC 4271 §6.2's order: version, AS, hold time, BGP Identifier.
 * - Version other than 4 → Unsupported Version Number, data = the version we speak (2 octets).
 * - AS: the real AS (see `peerAsOf`) must be the configured peer AS → Bad Peer AS, data = the AS
 *   field as received (4 octets when it came from the capability, as FRR does).
 * - Hold Time 1 or 2 → Unacceptable Hold Time; otherwise the smaller of ours and theirs is used.
 * - BGP Identifier 0, or equal to ours on an iBGP session → Bad BGP Identifier (RFC 6286 §2.2: an
 *   eBGP peer may share our identifier).
 */
export function validateOpen(open: OpenInfo, config: FsmConfig): OpenValidation {
  if (open.version !== BGP_VERSION) {
    return openError(OpenMessageSubcode.UnsupportedVersionNumber, `version ${open.version}, only ${BGP_VERSION} is supported`, u16(BGP_VERSION));
  }
  const peerAs = peerAsOf(open);
  if (peerAs === undefined) {
    return openError(OpenMessageSubcode.BadPeerAs,
      `My AS ${open.myAs} does not match the 4-octet AS capability's ${open.fourOctetAs}`, u32(open.fourOctetAs ?? 0));
  }
  if (peerAs !== config.peerAs) {
    const data = open.fourOctetAs !== undefined ? u32(peerAs) : u16(peerAs);
    return openError(OpenMessageSubcode.BadPeerAs, `expected AS ${config.peerAs}, got AS ${peerAs}`, data);
  }
  if (isUnacceptableHoldTime(open.holdTime)) {
    return openError(OpenMessageSubcode.UnacceptableHoldTime, `peer offered ${open.holdTime} s; must be 0 or at least 3`);
  }
  const internal = peerAs === config.localAs;
  if (open.bgpId === 0) {
    return openError(OpenMessageSubcode.BadBgpIdentifier, 'BGP Identifier 0.0.0.0');
  }
  if (internal && open.bgpId >>> 0 === config.bgpId >>> 0) {
    return openError(OpenMessageSubcode.BadBgpIdentifier, `iBGP peer has our own BGP Identifier ${formatId(open.bgpId)}`);
  }
  const holdTime = Math.min(config.holdTime, open.holdTime);
  return {
    ok: true,
    negotiated: {
      holdTime,
      keepaliveTime: keepaliveInterval(holdTime, config),
      peerAs,
      peerBgpId: open.bgpId >>> 0,
      internal,
      fourOctetAs: open.fourOctetAs !== undefined,
    },
  };
}

// ---- Configuration ----

export type FsmConfigInput = Pick<FsmConfig, 'localAs' | 'peerAs' | 'bgpId'> & Partial<FsmConfig>;

function check(ok: boolean, field: string, value: unknown, fix: string): void {
  if (!ok) throw new InvalidArgumentError(`BGP FSM config: ${field} = ${String(value)} is invalid; ${fix}`);
}

const isAs = (n: number): boolean => Number.isInteger(n) && n > 0 && n <= 0xffffffff;
const isSeconds = (n: number, max = 0xffff): boolean => Number.isInteger(n) && n >= 0 && n <= max;

/** A complete configuration: defaults (FSM_DEFAULTS; active, automatic start with damping) plus `input`. */
export function makeFsmConfig(input: FsmConfigInput): FsmConfig {
  const c: FsmConfig = {
    holdTime: FSM_DEFAULTS.holdTime,
    keepaliveTime: undefined,
    connectRetryTime: FSM_DEFAULTS.connectRetryTime,
    openHoldTime: FSM_DEFAULTS.openHoldTime,
    passive: false,
    delayOpen: false,
    delayOpenTime: FSM_DEFAULTS.delayOpenTime,
    allowAutomaticStart: true,
    dampPeerOscillations: true,
    idleHoldTime: FSM_DEFAULTS.idleHoldTime,
    idleHoldTimeMax: FSM_DEFAULTS.idleHoldTimeMax,
    idleHoldForgetTime: FSM_DEFAULTS.idleHoldForgetTime,
    sendNotificationWithoutOpen: true,
    ...input,
  };
  check(isAs(c.localAs), 'localAs', c.localAs, 'use an AS number from 1 to 4294967295');
  check(isAs(c.peerAs), 'peerAs', c.peerAs, 'use an AS number from 1 to 4294967295');
  check(Number.isInteger(c.bgpId) && c.bgpId !== 0 && c.bgpId >>> 0 === c.bgpId, 'bgpId', c.bgpId, 'use a non-zero unsigned 32-bit router ID');
  check(isSeconds(c.holdTime) && !isUnacceptableHoldTime(c.holdTime), 'holdTime', c.holdTime, 'use 0 (no keepalives) or 3 to 65535 seconds');
  check(c.keepaliveTime === undefined || (isSeconds(c.keepaliveTime) && c.keepaliveTime > 0), 'keepaliveTime', c.keepaliveTime, 'use 1 to 65535 seconds, or leave it unset for a third of the hold time');
  check(isSeconds(c.connectRetryTime) && c.connectRetryTime > 0, 'connectRetryTime', c.connectRetryTime, 'use 1 to 65535 seconds');
  check(isSeconds(c.openHoldTime) && c.openHoldTime >= 3, 'openHoldTime', c.openHoldTime, 'use 3 to 65535 seconds (RFC 4271 suggests 240)');
  check(isSeconds(c.delayOpenTime) && (!c.delayOpen || c.delayOpenTime > 0), 'delayOpenTime', c.delayOpenTime, 'use 1 to 65535 seconds');
  check(isSeconds(c.idleHoldTime) && c.idleHoldTime > 0, 'idleHoldTime', c.idleHoldTime, 'use 1 to 65535 seconds');
  check(isSeconds(c.idleHoldTimeMax) && c.idleHoldTimeMax >= c.idleHoldTime, 'idleHoldTimeMax', c.idleHoldTimeMax, 'use at least idleHoldTime');
  check(isSeconds(c.idleHoldForgetTime, 0xffffffff), 'idleHoldForgetTime', c.idleHoldForgetTime,
    'use a whole number of seconds, longer than idleHoldTimeMax for the backoff to reach its cap');
  return c;
}
