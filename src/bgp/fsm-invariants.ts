import type { FsmState } from './fsm-types.js';

/*
 * The consistency rules of FsmState: which timers may run in which state, when a connection and
 * negotiated parameters exist. `step` keeps them; the property tests check it does.
 */

/**
 * What must hold in every reachable state (used by the property tests; cheap enough for debug
 * assertions). Returns the violations, empty when the state is consistent.
 */
export function fsmStateProblems(s: FsmState): string[] {
  const problems: string[] = [];
  const want = (ok: boolean, what: string): void => { if (!ok) problems.push(`${s.name}: ${what}`); };
  const t = s.timers;
  const openish = s.name === 'OpenSent' || s.name === 'OpenConfirm' || s.name === 'Established';
  want(s.connectRetryCounter >= 0 && Number.isInteger(s.connectRetryCounter), 'ConnectRetryCounter is a count');
  want(!t.idleHold || s.name === 'Idle', 'IdleHoldTimer runs only in Idle');
  want(!t.connectRetry || s.name === 'Connect' || s.name === 'Active', 'ConnectRetryTimer runs only in Connect/Active');
  want(!t.delayOpen || s.name === 'Connect' || s.name === 'Active', 'DelayOpenTimer runs only in Connect/Active');
  want(!t.hold || openish, 'HoldTimer runs only from OpenSent on');
  want(!t.keepalive || s.name === 'OpenConfirm' || s.name === 'Established', 'KeepaliveTimer runs only in OpenConfirm/Established');
  want((s.negotiated !== undefined) === (s.name === 'OpenConfirm' || s.name === 'Established'), 'negotiated exactly in OpenConfirm/Established');
  switch (s.name) {
    case 'Idle':
      want(s.connection === undefined, 'no connection');
      break;
    case 'Connect':
      want(!s.passive, 'a passive FSM never connects');
      want(s.connection === undefined ? t.connectRetry && !t.delayOpen : t.delayOpen && !t.connectRetry,
        'connecting (ConnectRetryTimer) or delaying OPEN on a connection (DelayOpenTimer)');
      break;
    case 'Active':
      want(s.connection === undefined ? !t.delayOpen && t.connectRetry === !s.passive : t.delayOpen && !t.connectRetry,
        'listening (ConnectRetryTimer unless passive) or delaying OPEN on a connection (DelayOpenTimer)');
      break;
    case 'OpenSent':
      want(s.connection !== undefined && t.hold, 'a connection and the HoldTimer');
      break;
    case 'OpenConfirm':
    case 'Established': {
      const timed = (s.negotiated?.holdTime ?? 0) > 0;
      want(s.connection !== undefined, 'a connection');
      want(t.hold === timed && t.keepalive === timed, 'hold and keepalive timers run iff the hold time is non-zero');
      break;
    }
  }
  return problems;
}
