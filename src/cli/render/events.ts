import { describeReason } from '../../bgp/fsm-reason.js';
import { CryptoSuite } from '../../crypto/suite.js';
import type { EmulationEvent, EmulationEventBody, FabricHop, Milestone } from '../../emulator/events.js';
import { formatChildSpi } from '../../ike/payloads/notify.js';
import { formatSelector } from '../../ike/payloads/ts.js';
import { describeChildRemoval, describeIkeSaReason } from '../../ike/reasons.js';
import { formatIpv4, formatPrefix } from '../../net/address.js';

/*
 * The emulation's events in words: the timeline `vpnlab up` prints (Events:) and the full log
 * (--verbose), one line per event, stamped with simulated time.
 */

/** `00:01:02.345` */
export function formatClock(ms: number): string {
  const total = Math.floor(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const s = Math.floor((total % 60_000) / 1000);
  return `${two(h)}:${two(m)}:${two(s)}.${String(total % 1000).padStart(3, '0')}`;
}

/** One line of the event log: simulated time, node, what happened. */
export function formatEvent(e: EmulationEvent): string {
  return `${formatClock(e.timeMs)}  ${e.node}  ${describeEvent(e)}`;
}

/** The state changes, one per line, stamped with simulated time; failures a working redundant design makes are left to the full log. */
export function renderMilestones(milestones: readonly Milestone[]): string {
  return milestones.filter((e) => !(e.kind === 'ike-sa-failed' && e.expected)).map(formatEvent).join('\n') + '\n';
}

/** What happened, without time or node. */
export function describeEvent(e: EmulationEventBody): string {
  switch (e.kind) {
    case 'ike-sa-up':
      return `IKE SA ${e.ikeSa} up (${describeIkeSaReason(e.reason)})`;
    case 'ike-sa-down':
      return `IKE SA ${e.ikeSa} down: ${describeIkeSaReason(e.reason)}`;
    case 'ike-sa-failed':
      return `IKE SA ${e.ikeSa} failed: ${describeIkeSaReason(e.reason)}${e.expected ? ' (expected: an IKE SA of this connection is up)' : ''}`;
    case 'tunnel-up':
      return `tunnel ${e.tunnel} up: CHILD_SA ${CryptoSuite.esp(e.suite).name}, ${e.localSelectors.map(formatSelector).join(',')} === ${e.remoteSelectors.map(formatSelector).join(',')}`;
    case 'child-sa-removed':
      return `tunnel ${e.tunnel} CHILD_SA ${formatChildSpi(e.inboundSpi)} removed: ${describeChildRemoval(e.reason)}`;
    case 'bgp-session':
      return `BGP ${e.neighbor}: ${e.from} -> ${e.to}${e.to === 'Established' ? '' : `: ${describeReason(e.reason)}`}`;
    case 'bgp-routes':
      return e.change === 'learned'
        ? `BGP routes learned: ${summarize(e.routes.map((r) => `${formatPrefix(r.prefix)} via ${formatIpv4(r.nextHop)}`))}`
        : `BGP routes withdrawn: ${summarize(e.routes.map(formatPrefix))}`;
    case 'fabric-route':
      return e.via.length === 0 ? `${formatPrefix(e.prefix)}: no gateway carries it any more` : `${formatPrefix(e.prefix)} via ${e.via.map(formatHop).join(', ')}`;
    case 'fault':
      if (e.unchanged) return `fault: ${e.target.kind} already ${e.up ? 'up' : 'down'}: nothing changes`;
      return `fault: ${e.target.kind} ${e.up ? 'restored' : 'down'}`;
    case 'provisioning':
      return e.state;
    case 'log':
      return e.source === 'bgp' ? `BGP ${e.line}` : e.line;
  }
}

function formatHop(hop: FabricHop): string {
  return 'instance' in hop ? hop.instance : formatIpv4(hop.address);
}

function summarize(items: readonly string[]): string {
  return items.length <= 4 ? items.join(', ') : `${items.slice(0, 4).join(', ')} and ${items.length - 4} more`;
}
