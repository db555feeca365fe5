import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EspErrorCode } from '../../src/esp/errors.js';
import { IpsecDrop } from '../../src/ipsec/errors.js';
import { DEFAULT_TUNNEL_MTU, RouteBasedTunnel } from '../../src/ipsec/route-based.js';
import { parseIpv4, parsePrefix } from '../../src/net/address.js';
import { UnreachableCode } from '../../src/net/icmp.js';
import { IpProtocol } from '../../src/net/ipv4.js';
import { runPing } from '../../src/emulator/session.js';
import type { Endpoint, TcpSocket } from '../../src/transport/types.js';
import {
  CBC_256_SHA256, childPair, GCM_256, gatewayPlane, GW_A_PUBLIC, installPair, INTERNET_LINK_A, PC_B, routeBased, selector, tapLink, twoSites, type RouteBasedSetup,
} from './helpers.js';

function egressTowards(s: RouteBasedSetup, gateway: 'a' | 'b', address: number): string | undefined {
  return s[gateway].node.ip.routes.lookup(address)?.paths[0]?.iface.name;
}

describe('route-based tunnel', () => {
  for (const [label, suite] of [['AES-GCM-16-256', GCM_256], ['AES-CBC-256/HMAC-SHA2-256-128', CBC_256_SHA256]] as const) {
    it(`carries ping between the sites with ${label}; the Internet sees only ESP in UDP 4500`, () => {
      const s = routeBased();
      const pair = installPair(s, { suite });
      const wire = tapLink(s.net, INTERNET_LINK_A);
      const run = runPing(s.net, 'pc-a', '10.2.1.10', 4);
      assert.equal(run.ping.events.length, 4);
      for (const e of run.ping.events) {
        assert.equal(e.kind, 'reply');
        if (e.kind !== 'reply') continue;
        assert.equal(e.from, PC_B);
        assert.equal(e.ttl, 128 - 2, 'windows replier, two gateways on the way back');
        // LAN 0.1 ms + two Internet access links of 5 ms, each way.
        assert.ok(Math.abs(e.rttMs - 2 * (0.1 + 5 + 5 + 0.1)) < 1e-9, `rtt ${e.rttMs}`);
      }
      assert.equal(wire.length, 8, 'four requests and four replies');
      const spis = new Set(wire.map((w) => (w.kind === 'esp-in-udp' ? w.spi : -1)));
      assert.deepEqual([...spis].sort(), [pair.a.inboundSpi, pair.a.outboundSpi].sort(), 'every packet is ESP-in-UDP with the child SPIs');
      const out = s.a.sad.counters('net');
      assert.equal(out.packetsOut, 4);
      assert.equal(out.packetsIn, 4);
      assert.equal(out.bytesOut, 4 * (20 + 8 + 56), 'inner IPv4 + ICMP + iputils payload');
      assert.deepEqual(out.drops, {});
      assert.equal(s.tunnelA.iface.counters.txPackets, 4);
      assert.equal(s.tunnelA.iface.counters.rxPackets, 4);
    });
  }

  it('requests arrive at pc-b with the TTL decremented by both gateways', () => {
    const s = routeBased();
    installPair(s);
    const ttls: number[] = [];
    const pcB = s.net.node('pc-b').ip;
    pcB.setProtocolHandler(IpProtocol.Udp, (d) => ttls.push(d.packet.ttl));
    s.net.node('pc-a').transport.sendUdpProbe(PC_B, 40000, 9, new Uint8Array(10), 64);
    s.net.runUntilIdle();
    assert.deepEqual(ttls, [62]);
  });

  it('sends raw ESP (IP protocol 50) when the child is not UDP-encapsulated', () => {
    const s = routeBased();
    installPair(s, { udpEncapsulation: false });
    const wire = tapLink(s.net, INTERNET_LINK_A);
    const run = runPing(s.net, 'pc-a', '10.2.1.10', 2);
    assert.deepEqual(run.ping.events.map((e) => e.kind), ['reply', 'reply']);
    assert.deepEqual(wire.map((w) => w.kind), ['esp', 'esp', 'esp', 'esp']);
  });

  it('leaves room for ESP: big packets are fragmented to the tunnel MTU, DF ones get "fragmentation needed" with it', () => {
    const s = routeBased();
    installPair(s, { suite: CBC_256_SHA256 });
    assert.equal(s.tunnelA.iface.mtu, DEFAULT_TUNNEL_MTU);
    const outerSizes: number[] = [];
    s.net.link(INTERNET_LINK_A).addTap((_t, packet) => outerSizes.push(packet.length));
    const run = runPing(s.net, 'pc-a', '10.2.1.10', 1, 2000);
    assert.equal(run.ping.events[0]?.kind, 'reply');
    // 2028 bytes leave each host as fragments of 1500 + 548; the gateway splits the 1500 again for the 1400-byte tunnel.
    assert.equal(outerSizes.length, 6, 'request and reply, three fragments each, each in its own ESP packet');
    assert.ok(outerSizes.every((n) => n <= 1500), `outer sizes ${outerSizes.join(', ')}`);

    const errors: number[] = [];
    const pcA = s.net.node('pc-a').ip;
    pcA.addIcmpListener((m) => {
      if (m.kind === 'destination-unreachable' && m.code === UnreachableCode.FragmentationNeeded) errors.push(m.nextHopMtu);
    });
    pcA.send(IpProtocol.Udp, PC_B, new Uint8Array(1450), { dontFragment: true });
    s.net.runUntilIdle();
    assert.deepEqual(errors, [DEFAULT_TUNNEL_MTU]);
  });

  it('has no carrier without a CHILD_SA: routes into it leave the FIB until one is installed', () => {
    const s = routeBased();
    assert.equal(s.tunnelA.carrierUp(), false);
    assert.equal(egressTowards(s, 'a', PC_B), 'wan0', 'the default route takes over, as with a down VTI');
    const pair = installPair(s);
    assert.equal(s.tunnelA.carrierUp(), true);
    assert.equal(egressTowards(s, 'a', PC_B), 'vti-net');
    s.a.sad.remove({ inboundSpi: pair.a.inboundSpi, childName: 'net' });
    assert.equal(egressTowards(s, 'a', PC_B), 'wan0');
  });

  it('on traffic: a trapped tunnel keeps its route, asks for a CHILD_SA on the first packet, and carries packets once one is installed', () => {
    const s = routeBased();
    const acquires: string[] = [];
    // A second, trapped tunnel for child `trapped`, with the route to site B moved onto it.
    const trapped = new RouteBasedTunnel({ node: s.a.node.ip, sad: s.a.sad, socket: s.a.socket, childName: 'trapped', interfaceName: 'vti-trap', onAcquire: (c) => acquires.push(c) });
    s.a.node.ip.routes.remove((r) => r.interface === 'vti-net');
    s.a.node.ip.routes.add({ prefix: parsePrefix('10.2.0.0/16'), interface: 'vti-trap', source: 'static' });
    assert.equal(trapped.carrierUp(), true, 'the route stays while no SA exists');
    assert.equal(egressTowards(s, 'a', PC_B), 'vti-trap');
    const wire = tapLink(s.net, INTERNET_LINK_A);
    const first = runPing(s.net, 'pc-a', '10.2.1.10', 2);
    assert.deepEqual(acquires, ['trapped', 'trapped'], 'each packet without an SA asks (the engine ignores repeats while negotiating)');
    assert.equal(first.ping.events.filter((e) => e.kind === 'reply').length, 0);
    assert.deepEqual(wire, [], 'nothing leaves in clear');
    assert.equal(trapped.acquireDrops, 2);
    const pair = childPair();
    s.a.sad.install({ ...pair.a, childName: 'trapped' });
    s.b.sad.install(pair.b);
    const then = runPing(s.net, 'pc-a', '10.2.1.10', 2);
    assert.equal(then.ping.events.filter((e) => e.kind === 'reply').length, 2);
  });

  it('a packet routed into a tunnel without an SA comes back as host unreachable, never in clear', () => {
    const s = routeBased();
    // Without a fallback route the route into the tunnel is the only one and its interface is down.
    s.a.node.ip.routes.remove((r) => r.prefix.length === 0);
    const wire = tapLink(s.net, INTERNET_LINK_A);
    const run = runPing(s.net, 'pc-a', '10.2.1.10', 1);
    assert.equal(run.ping.events[0]?.kind, 'error');
    assert.deepEqual(wire, []);
  });

  it('goes down at hard expiry: soft then hard reported, and the site becomes unreachable', () => {
    const s = routeBased();
    // Only the peer's public address is reachable in clear, so nothing falls back to the Internet.
    s.a.node.ip.routes.remove((r) => r.prefix.length === 0);
    s.a.node.ip.routes.add({ prefix: parsePrefix('198.51.100.1/32'), interface: 'wan0', source: 'static' });
    installPair(s, { lifetimes: { rekeySeconds: 2, lifeSeconds: 3 } });
    const run = runPing(s.net, 'pc-a', '10.2.1.10', 5);
    assert.deepEqual(run.ping.events.map((e) => e.kind), ['reply', 'reply', 'reply', 'error', 'error']);
    assert.deepEqual(s.a.expiries.map((e) => [e.level, e.cause, e.childName]), [['soft', 'seconds', 'net'], ['hard', 'seconds', 'net']]);
    assert.equal(s.tunnelA.carrierUp(), false);
    assert.equal(egressTowards(s, 'a', PC_B), undefined);
  });

  it('drops and counts decrypted packets from outside the selectors the peer agreed to', () => {
    const s = routeBased();
    // gw-a's child covers everything; gw-b agreed to 10.1.1.0/24 <-> 10.2.1.0/24 only.
    const pair = childPair();
    s.a.sad.install(pair.a);
    s.b.sad.install({ ...pair.b, localSelectors: [selector('10.2.1.0/24')], remoteSelectors: [selector('10.1.1.0/24')] });
    const arrived: number[] = [];
    s.net.node('pc-b').ip.setProtocolHandler(IpProtocol.Udp, (d) => arrived.push(d.packet.src));
    s.a.node.transport.sendUdpProbe(PC_B, 40000, 9, new Uint8Array(10), 64); // from gw-a's own 10.1.1.1: inside
    s.a.node.ip.send(IpProtocol.Udp, PC_B, new Uint8Array(8), { src: GW_A_PUBLIC }); // from 203.0.113.1: outside
    s.net.runUntilIdle();
    assert.deepEqual(arrived, [parseIpv4('10.1.1.1')]);
    assert.deepEqual(s.b.sad.counters('net').drops, { [IpsecDrop.SelectorMismatch]: 1 });
    assert.equal(s.b.sad.counters('net').packetsIn, 1);
  });

  it('drops a replayed ESP packet and one with an unknown SPI, injected on the Internet side', () => {
    const s = routeBased();
    installPair(s);
    const captured: Uint8Array[] = [];
    s.net.link(INTERNET_LINK_A).addTap((_t, packet) => captured.push(packet.slice()));
    const delivered: number[] = [];
    s.net.node('pc-b').ip.setProtocolHandler(IpProtocol.Udp, (d) => delivered.push(d.packet.ttl));
    s.net.node('pc-a').transport.sendUdpProbe(PC_B, 40000, 9, new Uint8Array(10), 64);
    s.net.runUntilIdle();
    assert.equal(delivered.length, 1);

    const wan = s.b.node.ip.interfaces.get('wan0')!;
    const unknownSpi = captured[0]!.slice();
    unknownSpi[28] = unknownSpi[28]! ^ 0xff; // first SPI byte, after the IPv4 (20) and UDP (8) headers
    unknownSpi[26] = 0; // RFC 3948 §3.1.2: UDP checksum 0, not verified
    unknownSpi[27] = 0;
    s.b.node.ip.receive(wan, captured[0]!); // the request's ESP packet, as it left gw-a, a second time
    s.b.node.ip.receive(wan, unknownSpi);
    s.net.runUntilIdle();
    assert.equal(delivered.length, 1, 'neither reached pc-b');
    assert.deepEqual(s.b.sad.counters('net').drops, { [EspErrorCode.Replay]: 1 });
    assert.deepEqual(s.b.sad.unattributedDrops, { [IpsecDrop.UnknownSpi]: 1 });
  });

  it('carries a TCP session to a /32 peer address on the far gateway (the RRAS BGP peer case)', () => {
    const net = twoSites();
    const a = gatewayPlane(net, 'gw-a');
    const b = gatewayPlane(net, 'gw-b');
    const peerA = parseIpv4('10.1.255.254');
    const peerB = parseIpv4('10.2.255.30');
    new RouteBasedTunnel({ node: a.node.ip, sad: a.sad, socket: a.socket, childName: 'net', interfaceName: 'vti-azure',
      addresses: [{ address: peerA, prefix: parsePrefix('10.1.255.254/32') }] });
    new RouteBasedTunnel({ node: b.node.ip, sad: b.sad, socket: b.socket, childName: 'net', interfaceName: 'vti-onprem',
      addresses: [{ address: peerB, prefix: parsePrefix('10.2.255.30/32') }] });
    // Only the peer addresses are routed into the tunnels, as RRAS's Add-VpnS2SInterface -IPv4Subnet "10.2.255.30/32:100".
    a.node.ip.routes.add({ prefix: parsePrefix('10.2.255.30/32'), interface: 'vti-azure', source: 'static' });
    b.node.ip.routes.add({ prefix: parsePrefix('10.1.255.254/32'), interface: 'vti-onprem', source: 'static' });
    const pair = childPair();
    a.sad.install(pair.a);
    b.sad.install(pair.b);
    const wire = tapLink(net, INTERNET_LINK_A);

    const received = { atB: '', atA: '' };
    let accepted: Endpoint | undefined;
    b.node.transport.listenTcp({ address: peerB, port: 179 }, (socket: TcpSocket) => {
      accepted = socket.remote;
      socket.setHandlers({ onData: (d) => {
        received.atB += new TextDecoder().decode(d);
        socket.write(new TextEncoder().encode('OPEN from B'));
      } });
    });
    let connected = false;
    const client = a.node.transport.connectTcp({ remote: { address: peerB, port: 179 } }, {
      onConnect: () => {
        connected = true;
        client.write(new TextEncoder().encode('OPEN from A'));
      },
      onData: (d) => { received.atA += new TextDecoder().decode(d); },
    });
    net.runUntilIdle(10_000);
    assert.ok(connected);
    assert.equal(accepted?.address, peerA, 'the source is the tunnel interface address');
    assert.deepEqual(received, { atB: 'OPEN from A', atA: 'OPEN from B' });
    assert.ok(wire.length >= 5, 'handshake and data crossed the Internet');
    assert.ok(wire.every((w) => w.kind === 'esp-in-udp'), 'all of it inside ESP');
    assert.equal(a.node.ip.routes.lookup(PC_B)?.paths[0]?.iface.name, 'wan0', 'the LANs are not routed into the tunnel');
  });
});
