import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ikeOverUdp4500, natKeepalive, NAT_T_PORT } from '../../src/esp/udp-encap.js';
import { IpsecDrop } from '../../src/ipsec/errors.js';
import { PolicyBasedIpsec, type AcquireRequest, type SecurityPolicy } from '../../src/ipsec/policy-based.js';
import { parseIpv4 } from '../../src/net/address.js';
import { IpProtocol } from '../../src/net/ipv4.js';
import type { Network } from '../../src/emulator/network.js';
import { runPing } from '../../src/emulator/session.js';
import {
  ANY, childPair, gatewayPlane, GW_A_PUBLIC, GW_B_PUBLIC, INTERNET_LINK_A, PC_A, PC_B, selector, tapLink, twoSites, type GatewayPlane,
} from './helpers.js';

interface PolicySetup {
  net: Network;
  a: GatewayPlane & { policies: PolicyBasedIpsec; acquires: AcquireRequest[] };
  b: GatewayPlane & { policies: PolicyBasedIpsec; acquires: AcquireRequest[] };
}

/** Alibaba-style protected data flow: site A's LAN <-> site B's LAN, child `lans`, no routes into any tunnel. */
const A_LAN = selector('10.1.1.0/24');
const B_LAN = selector('10.2.1.0/24');

function policyBased(aPolicy: SecurityPolicy = { childName: 'lans', peer: 'site-b', localSelectors: [A_LAN], remoteSelectors: [B_LAN] }): PolicySetup {
  const net = twoSites();
  const withPolicies = (name: string, policy: SecurityPolicy) => {
    const plane = gatewayPlane(net, name);
    const acquires: AcquireRequest[] = [];
    const policies = new PolicyBasedIpsec({ node: plane.node.ip, sad: plane.sad, socket: plane.socket, onAcquire: (r) => acquires.push(r) });
    policies.addPolicy(policy);
    return { ...plane, policies, acquires };
  };
  const mirrored = { childName: aPolicy.childName, localSelectors: aPolicy.remoteSelectors, remoteSelectors: aPolicy.localSelectors };
  return { net, a: withPolicies('gw-a', aPolicy), b: withPolicies('gw-b', mirrored) };
}

function installLans(s: PolicySetup, options: Parameters<typeof childPair>[0] = {}): void {
  const pair = childPair({ childName: 'lans', aLocal: [A_LAN], aRemote: [B_LAN], ...options });
  s.a.sad.install(pair.a);
  s.b.sad.install(pair.b);
}

describe('policy-based IPsec', () => {
  it("encrypts only the selector pair's traffic; the rest is routed in clear", () => {
    const s = policyBased();
    installLans(s);
    const wire = tapLink(s.net, INTERNET_LINK_A);

    const protectedRun = runPing(s.net, 'pc-a', '10.2.1.10', 3);
    assert.deepEqual(protectedRun.ping.events.map((e) => (e.kind === 'reply' ? e.ttl : e.kind)), [126, 126, 126]);
    assert.equal(wire.length, 6);
    assert.deepEqual(wire.filter((w) => w.kind !== 'esp-in-udp'), []);
    assert.equal(s.b.policies.iface.counters.rxPackets, 3, 'decrypted requests arrive on the policy interface');

    wire.length = 0;
    const clearRun = runPing(s.net, 'gw-a', '198.51.100.1', 2);
    assert.deepEqual(clearRun.ping.events.map((e) => e.kind), ['reply', 'reply']);
    runPing(s.net, 'pc-a', '10.2.2.5', 1); // another subnet of site B: no policy covers it
    const clear = wire.map((w) => (w.kind === 'clear' ? [w.protocol, w.src, w.dst] : [w.kind]));
    assert.deepEqual(clear.slice(0, 4), [
      [IpProtocol.Icmp, GW_A_PUBLIC, GW_B_PUBLIC], [IpProtocol.Icmp, GW_B_PUBLIC, GW_A_PUBLIC],
      [IpProtocol.Icmp, GW_A_PUBLIC, GW_B_PUBLIC], [IpProtocol.Icmp, GW_B_PUBLIC, GW_A_PUBLIC],
    ]);
    assert.deepEqual(clear[4], [IpProtocol.Icmp, PC_A, parseIpv4('10.2.2.5')]);
    assert.deepEqual(s.a.sad.counters('lans'), { packetsIn: 3, bytesIn: 3 * 84, packetsOut: 3, bytesOut: 3 * 84, drops: {} });
  });

  it("protects the gateway's own answers too: a ping to gw-b's LAN address comes back through the SA", () => {
    const s = policyBased();
    installLans(s);
    const wire = tapLink(s.net, INTERNET_LINK_A);
    const run = runPing(s.net, 'pc-a', '10.2.1.1', 2);
    assert.deepEqual(run.ping.events.map((e) => (e.kind === 'reply' ? e.ttl : e.kind)), [64 - 1, 64 - 1]);
    assert.deepEqual(wire.map((w) => w.kind), Array(4).fill('esp-in-udp'));
  });

  it('drops traffic that matches a policy with no SA, asks the engine once, and carries it once the SA is up', () => {
    const s = policyBased();
    const wire = tapLink(s.net, INTERNET_LINK_A);
    const run = runPing(s.net, 'pc-a', '10.2.1.10', 4);
    assert.equal(run.ping.events.length, 1, 'only the last request settles: every request was dropped');
    assert.equal(run.ping.events[0]?.kind, 'timeout');
    assert.deepEqual(s.a.acquires.map((r) => [r.peer, r.childName, r.flow.src, r.flow.dst, r.flow.protocol]), [['site-b', 'lans', PC_A, PC_B, IpProtocol.Icmp]],
      'one acquire within the retry interval, however many packets');
    assert.equal(s.a.policies.counters.noSa, 4);
    assert.deepEqual(s.a.sad.counters('lans').drops, { [IpsecDrop.NoSa]: 4 });
    assert.deepEqual(wire, [], 'nothing left in clear');
  });

  it('starts "on traffic": the first packet triggers negotiation and the following ones go through', () => {
    const s = policyBased();
    s.a.policies.close();
    const policies = new PolicyBasedIpsec({
      node: s.a.node.ip, sad: s.a.sad, socket: s.a.socket,
      onAcquire: (r) => {
        s.a.acquires.push(r);
        s.net.scheduler.setTimer(50, () => installLans(s));
      },
    });
    policies.addPolicy({ childName: 'lans', localSelectors: [A_LAN], remoteSelectors: [B_LAN] });
    const run = runPing(s.net, 'pc-a', '10.2.1.10', 3);
    assert.deepEqual(run.ping.events.map((e) => [e.seq, e.kind]), [[2, 'reply'], [3, 'reply']]);
    assert.equal(s.a.acquires.length, 1);
  });

  it('prefers the most specific selector pair, then the first added', () => {
    const s = policyBased();
    s.a.policies.addPolicy({ childName: 'wide', localSelectors: [selector('10.1.0.0/16')], remoteSelectors: [selector('10.2.0.0/16')] });
    s.a.policies.addPolicy({ childName: 'host', localSelectors: [A_LAN], remoteSelectors: [selector('10.2.1.10/32')] });
    s.a.policies.addPolicy({ childName: 'same-as-lans', localSelectors: [A_LAN], remoteSelectors: [B_LAN] });
    const flow = (dst: string) => ({ src: PC_A, dst: parseIpv4(dst), protocol: IpProtocol.Icmp, srcPort: 0x800, dstPort: 0x800 });
    assert.equal(s.a.policies.policyFor(flow('10.2.1.10')), 'host');
    assert.equal(s.a.policies.policyFor(flow('10.2.1.11')), 'lans');
    assert.equal(s.a.policies.policyFor(flow('10.2.7.1')), 'wide');
    assert.equal(s.a.policies.policyFor(flow('10.3.0.1')), undefined);
  });

  it("lets the gateway's own IKE and ESP bypass a 0.0.0.0/0 policy, and sorts UDP 4500", () => {
    const s = policyBased({ childName: 'lans', localSelectors: [ANY], remoteSelectors: [ANY] });
    installLans(s, { aLocal: [ANY], aRemote: [ANY] });
    const run = runPing(s.net, 'pc-a', '10.2.1.10', 2);
    assert.deepEqual(run.ping.events.map((e) => e.kind), ['reply', 'reply'], 'the ESP packets themselves were not caught by the policy');

    const ike = Uint8Array.from({ length: 28 }, (_, i) => i + 1);
    const socket = s.a.node.transport.bindUdp({ port: 4501 }, () => undefined);
    socket.send({ address: GW_B_PUBLIC, port: NAT_T_PORT }, ikeOverUdp4500(ike));
    socket.send({ address: GW_B_PUBLIC, port: NAT_T_PORT }, natKeepalive());
    s.net.runUntilIdle();
    assert.deepEqual(s.b.ikeMessages, [ike], 'IKE handed back to the engine without its Non-ESP Marker');
    assert.equal(s.b.socket.counters.keepalives, 1);
  });
});
