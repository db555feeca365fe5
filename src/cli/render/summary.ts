import { describeReason } from '../../bgp/fsm-reason.js';
import type { NetworkSummary, SummaryFailure } from '../../emulator/summary.js';
import { describeIkeSaReason } from '../../ike/reasons.js';

/*
 * The summary `vpnlab up` prints first (src/emulator/summary.ts): one line of counts, then each
 * expected tunnel or session that is not up with why, at most MAX_FAILURES of them.
 */

/** Failures listed one per line; the rest are counted (a network with many fits a screen). */
export const MAX_FAILURES = 20;

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function failureLine(f: SummaryFailure): string {
  const where = `${f.end.instance}:${f.end.name}`;
  if (f.kind === 'tunnel-down') {
    return `  tunnel ${where} not up${f.reason === undefined ? ': no IKE SA established' : `: ${describeIkeSaReason(f.reason)}`}`;
  }
  return `  BGP ${where} ${f.state}${f.reason === undefined ? '' : `: ${describeReason(f.reason)}`}`;
}

/** The counts line, then the failures (none when everything expected is up). */
export function renderSummary(summary: NetworkSummary): string[] {
  const { tunnels, sessions, failures } = summary;
  const lines = [`${plural(summary.sites, 'site')}: ${tunnels.up} of ${plural(tunnels.expected, 'tunnel')} up, `
    + `${sessions.expected === 0 ? 'no BGP sessions' : `${sessions.established} of ${plural(sessions.expected, 'BGP session')} established`}`
    + `${failures.length === 0 ? '' : `; ${plural(failures.length, 'failure')}:`}`];
  lines.push(...failures.slice(0, MAX_FAILURES).map(failureLine));
  if (failures.length > MAX_FAILURES) lines.push(`  … and ${failures.length - MAX_FAILURES} more (--verbose shows every site)`);
  return lines;
}
