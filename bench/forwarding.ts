/**
 * Simulator forwarding rate, in packet-hops per second on one core.
 *
 * A chain of ROUTERS Linux routers between two hosts (ROUTERS + 1 links plus two LAN segments);
 * the source host puts BATCH UDP datagrams on the wire every virtual millisecond and the sink
 * counts them. A packet-hop is one packet carried across one link and handed to the next node
 * (which for routers means: checksum check, TTL decrement, longest-prefix match, transmit).
 * Prints the median of RUNS runs.
 */
import { performance } from 'node:perf_hooks';
import { parseIpv4 } from '../src/net/address.js';
import { encodeIpv4, IpProtocol } from '../src/net/ipv4.js';
import { encodeUdp } from '../src/net/udp.js';
import { Network } from '../src/emulator/network.js';
import { parseTopology } from '../src/platforms/load.js';

const ROUTERS = Number(process.env.ROUTERS ?? 8);
const PACKETS = Number(process.env.PACKETS ?? 400_000);
const BATCH = 50;
const RUNS = Number(process.env.RUNS ?? 5);

function chainTopology(routers: number): string {
  const lines = ['name: forwarding-bench', 'sites:', '  - name: chain', '    platform: linux', '    subnets:',
    '      - {name: left, prefix: 10.0.0.0/24}', '      - {name: right, prefix: 10.0.1.0/24}',
    '    hosts:', '      - {name: src, os: linux, subnet: left, address: 10.0.0.10}',
    '      - {name: dst, os: linux, subnet: right, address: 10.0.1.10}', '    routers:'];
  for (let i = 0; i < routers; i++) {
    lines.push(`      - name: r${i}`, '        interfaces:');
    if (i === 0) lines.push('          - {name: lan, subnet: left, address: 10.0.0.1}');
    else lines.push(`          - {name: w, address: 172.16.${i - 1}.2/30}`);
    if (i === routers - 1) lines.push('          - {name: lan2, subnet: right, address: 10.0.1.1}');
    else lines.push(`          - {name: e, address: 172.16.${i}.1/30}`);
    lines.push('        staticRoutes:');
    if (i < routers - 1) lines.push(`          - {prefix: 10.0.1.0/24, nextHop: 172.16.${i}.2}`);
    if (i > 0) lines.push(`          - {prefix: 10.0.0.0/24, nextHop: 172.16.${i - 1}.1}`);
  }
  lines.push('links:');
  for (let i = 0; i < routers - 1; i++) lines.push(`  - {name: l${i}, between: [chain/r${i}/e, chain/r${i + 1}/w], latency: 1ms}`);
  return lines.join('\n');
}

function once(): { hops: number; seconds: number } {
  const net = new Network(parseTopology(chainTopology(ROUTERS)).topology, 1);
  const src = net.node('src').ip;
  const dstAddress = parseIpv4('10.0.1.10');
  let received = 0;
  net.node('dst').transport.bindUdp({ port: 9 }, () => received++);
  const srcAddress = parseIpv4('10.0.0.10');
  const udp = encodeUdp({ srcPort: 9, dstPort: 9, payload: new Uint8Array(64) }, srcAddress, dstAddress);
  const template = encodeIpv4({ tos: 0, identification: 0, dontFragment: true, moreFragments: false, fragmentOffset: 0, ttl: 64, protocol: IpProtocol.Udp, src: srcAddress, dst: dstAddress, options: new Uint8Array(0), payload: udp });
  const iface = src.interfaces.get('eth0')!;
  let sent = 0;
  const tick = (): void => {
    for (let i = 0; i < BATCH && sent < PACKETS; i++, sent++) iface.driver!.transmit(template.slice(), parseIpv4('10.0.0.1'));
    if (sent < PACKETS) net.scheduler.setTimer(1, tick);
  };
  tick();
  const start = performance.now();
  net.scheduler.run();
  const seconds = (performance.now() - start) / 1000;
  if (received !== PACKETS) throw new Error(`sink got ${received} of ${PACKETS}`);
  // Links crossed per packet: source LAN, ROUTERS-1 inter-router links, destination LAN.
  return { hops: PACKETS * (ROUTERS + 1), seconds };
}

const rates: number[] = [];
once(); // warm-up (JIT)
for (let i = 0; i < RUNS; i++) {
  const { hops, seconds } = once();
  rates.push(hops / seconds);
  console.log(`run ${i + 1}: ${hops} packet-hops in ${seconds.toFixed(3)} s = ${(hops / seconds / 1e6).toFixed(2)} M packet-hops/s`);
}
rates.sort((a, b) => a - b);
const median = rates[Math.floor(rates.length / 2)]!;
const target = 1_000_000;
console.log(`median: ${(median / 1e6).toFixed(2)} M packet-hops/s over ${ROUTERS} routers (${RUNS} runs); target ${target / 1e6} M: ratio ${(median / target).toFixed(2)}x`);
