import { formatIpv4, type Ipv4Address } from '../../net/address.js';
import { IcmpType, UnreachableCode } from '../../net/icmp.js';
import type { ProbeResult, Traceroute, TracerouteStyle } from '../../apps/traceroute.js';

export function renderTraceroute(style: TracerouteStyle, dst: Ipv4Address, trace: Traceroute, maxHops: number): string {
  return style === 'windows' ? renderTracert(dst, trace, maxHops) : renderLinux(dst, trace, maxHops);
}

/** traceroute's annotations after a time: !N, !H, !P... (none for TTL exceeded or port unreachable). */
function linuxAnnotation(p: ProbeResult & { kind: 'reply' }): string {
  if (p.icmpType !== IcmpType.DestinationUnreachable) return '';
  switch (p.icmpCode) {
    case UnreachableCode.Port: return '';
    case UnreachableCode.Net: return ' !N';
    case UnreachableCode.Host: return ' !H';
    case UnreachableCode.Protocol: return ' !P';
    case UnreachableCode.FragmentationNeeded: return ' !F';
    case UnreachableCode.AdminProhibited: return ' !X';
    default: return ` !<${p.icmpCode}>`;
  }
}

function renderLinux(dst: Ipv4Address, trace: Traceroute, maxHops: number): string {
  const d = formatIpv4(dst);
  const lines = [`traceroute to ${d} (${d}), ${maxHops} hops max, 60 byte packets`];
  for (const hop of trace.hops) {
    let line = `${String(hop.ttl).padStart(2)} `;
    let last: Ipv4Address | undefined;
    for (const p of hop.probes) {
      if (p.kind !== 'reply') {
        line += ' *';
        continue;
      }
      if (p.from !== last) {
        const a = formatIpv4(p.from);
        line += ` ${a} (${a})`;
        last = p.from;
      }
      line += `  ${p.rttMs.toFixed(3)} ms${linuxAnnotation(p)}`;
    }
    lines.push(line);
  }
  return lines.join('\n') + '\n';
}

function windowsProbe(p: ProbeResult): string {
  if (p.kind !== 'reply') return '     *   ';
  const t = p.rttMs < 1 ? '<1' : String(Math.round(p.rttMs));
  return `${t.padStart(6)} ms`;
}

function windowsReport(p: ProbeResult & { kind: 'reply' }): string {
  if (p.icmpType !== IcmpType.DestinationUnreachable) return '';
  switch (p.icmpCode) {
    case UnreachableCode.Net: return ' reports: Destination net unreachable.';
    case UnreachableCode.Host: return ' reports: Destination host unreachable.';
    case UnreachableCode.Protocol: return ' reports: Destination protocol unreachable.';
    default: return ' reports: Destination unreachable.';
  }
}

function renderTracert(dst: Ipv4Address, trace: Traceroute, maxHops: number): string {
  const lines = ['', `Tracing route to ${formatIpv4(dst)} over a maximum of ${maxHops} hops`, ''];
  for (const hop of trace.hops) {
    const answered = hop.probes.find((p): p is ProbeResult & { kind: 'reply' } => p.kind === 'reply');
    const report = answered === undefined ? '' : windowsReport(answered);
    if (report !== '') {
      lines.push(`${String(hop.ttl).padStart(3)}  ${formatIpv4(answered!.from)} ${report}`);
      continue;
    }
    const probes = hop.probes.map(windowsProbe).join('');
    lines.push(`${String(hop.ttl).padStart(3)}${probes}  ${answered === undefined ? 'Request timed out.' : formatIpv4(answered.from)}`);
  }
  lines.push('', 'Trace complete.');
  return lines.join('\n') + '\n';
}
