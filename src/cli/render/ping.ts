import { formatIpv4, type Ipv4Address } from '../../net/address.js';
import { IcmpType, UnreachableCode } from '../../net/icmp.js';
import type { Ping, PingEvent, PingStyle } from '../../apps/ping.js';

/** iputils prints round trips with 3 significant digits: 0.045, 4.12, 12.3, 123. */
export function iputilsTime(ms: number): string {
  const us = Math.round(ms * 1000);
  if (us >= 100_000) return `${Math.floor(us / 1000)}`;
  if (us >= 10_000) return `${Math.floor(us / 1000)}.${Math.floor((us % 1000) / 100)}`;
  if (us >= 1000) return `${Math.floor(us / 1000)}.${String(Math.floor((us % 1000) / 10)).padStart(2, '0')}`;
  return `0.${String(us).padStart(3, '0')}`;
}

function linuxIcmpError(type: number, code: number, mtu: number): string {
  if (type === IcmpType.TimeExceeded) return 'Time to live exceeded';
  switch (code) {
    case UnreachableCode.Net: return 'Destination Net Unreachable';
    case UnreachableCode.Host: return 'Destination Host Unreachable';
    case UnreachableCode.Protocol: return 'Destination Protocol Unreachable';
    case UnreachableCode.Port: return 'Destination Port Unreachable';
    case UnreachableCode.FragmentationNeeded: return `Frag needed and DF set (mtu = ${mtu})`;
    case UnreachableCode.AdminProhibited: return 'Packet filtered';
    default: return `Dest Unreachable, Bad Code: ${code}`;
  }
}

function windowsIcmpError(type: number, code: number): string {
  if (type === IcmpType.TimeExceeded) return 'TTL expired in transit.';
  switch (code) {
    case UnreachableCode.Net: return 'Destination net unreachable.';
    case UnreachableCode.Host: return 'Destination host unreachable.';
    case UnreachableCode.Protocol: return 'Destination protocol unreachable.';
    case UnreachableCode.Port: return 'Destination port unreachable.';
    case UnreachableCode.FragmentationNeeded: return 'Packet needs to be fragmented but DF set.';
    default: return 'Destination unreachable.';
  }
}

export function renderPing(style: PingStyle, dst: Ipv4Address, ping: Ping, size: number): string {
  return style === 'windows' ? renderWindows(dst, ping, size) : renderLinux(dst, ping, size);
}

function bySeq(events: readonly PingEvent[]): PingEvent[] {
  return [...events].sort((a, b) => a.at - b.at || a.seq - b.seq);
}

function renderLinux(dst: Ipv4Address, ping: Ping, size: number): string {
  const d = formatIpv4(dst);
  const lines = [`PING ${d} (${d}) ${size}(${size + 28}) bytes of data.`];
  const rtts: number[] = [];
  let errors = 0;
  let lastAt = ping.startedAt;
  for (const e of bySeq(ping.events)) {
    lastAt = Math.max(lastAt, e.at);
    if (e.kind === 'reply') {
      rtts.push(e.rttMs);
      lines.push(`${e.bytes + 8} bytes from ${formatIpv4(e.from)}: icmp_seq=${e.seq} ttl=${e.ttl} time=${iputilsTime(e.rttMs)} ms`);
    } else if (e.kind === 'error') {
      errors++;
      lines.push(`From ${formatIpv4(e.from)} icmp_seq=${e.seq} ${linuxIcmpError(e.icmpType, e.icmpCode, e.nextHopMtu)}`);
    } else if (e.kind === 'send-failed') {
      errors++;
      lines.push('ping: sendmsg: Network is unreachable');
    }
  }
  const sent = ping.sent;
  const loss = sent === 0 ? 0 : Math.round(((sent - rtts.length) / sent) * 100);
  const elapsed = Math.round(lastAt - ping.startedAt);
  lines.push('', `--- ${d} ping statistics ---`);
  lines.push(`${sent} packets transmitted, ${rtts.length} received${errors > 0 ? `, +${errors} errors` : ''}, ${loss}% packet loss, time ${elapsed}ms`);
  if (rtts.length > 0) {
    const min = Math.min(...rtts);
    const max = Math.max(...rtts);
    const avg = rtts.reduce((a, b) => a + b, 0) / rtts.length;
    const mdev = Math.sqrt(rtts.reduce((a, b) => a + (b - avg) ** 2, 0) / rtts.length);
    lines.push(`rtt min/avg/max/mdev = ${[min, avg, max, mdev].map((v) => v.toFixed(3)).join('/')} ms`);
  }
  return lines.join('\n') + '\n';
}

function windowsTime(ms: number): string {
  return ms < 1 ? 'time<1ms' : `time=${Math.round(ms)}ms`;
}

/**
 * Windows ping: note that it counts an ICMP error reply ("Destination net unreachable") as
 * received, a well-known quirk reproduced here.
 */
function renderWindows(dst: Ipv4Address, ping: Ping, size: number): string {
  const d = formatIpv4(dst);
  const lines = ['', `Pinging ${d} with ${size} bytes of data:`];
  const rtts: number[] = [];
  let received = 0;
  for (const e of bySeq(ping.events)) {
    if (e.kind === 'reply') {
      received++;
      rtts.push(Math.round(e.rttMs));
      lines.push(`Reply from ${formatIpv4(e.from)}: bytes=${e.bytes} ${windowsTime(e.rttMs)} TTL=${e.ttl}`);
    } else if (e.kind === 'error') {
      received++;
      lines.push(`Reply from ${formatIpv4(e.from)}: ${windowsIcmpError(e.icmpType, e.icmpCode)}`);
    } else if (e.kind === 'timeout') {
      lines.push('Request timed out.');
    } else {
      lines.push('PING: transmit failed. General failure. ');
    }
  }
  const sent = ping.sent;
  const lost = sent - received;
  lines.push('', `Ping statistics for ${d}:`);
  lines.push(`    Packets: Sent = ${sent}, Received = ${received}, Lost = ${lost} (${sent === 0 ? 0 : Math.round((lost / sent) * 100)}% loss),`);
  if (rtts.length > 0) {
    const min = Math.min(...rtts);
    const max = Math.max(...rtts);
    const avg = Math.round(rtts.reduce((a, b) => a + b, 0) / rtts.length);
    lines.push('Approximate round trip times in milli-seconds:');
    lines.push(`    Minimum = ${min}ms, Maximum = ${max}ms, Average = ${avg}ms`);
  }
  return lines.join('\n') + '\n';
}
