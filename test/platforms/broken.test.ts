import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { UnreachableCode } from '../../src/net/icmp.js';
import { IpProtocol } from '../../src/net/ipv4.js';
import { parseIpv4 } from '../../src/net/address.js';
import { Network } from '../../src/emulator/network.js';
import { runUntilSettled } from '../../src/emulator/settle.js';
import { loadTopologyFile } from '../../src/platforms/load.js';

/*
 * The broken variants (examples/broken/, and the two next to the seeds), run anyway with
 * `--force`: each fails the way the real platforms would. `check` reporting each pitfall is
 * test/platforms/checks.test.ts; variants the platforms refuse to create (a reserved ASN, an APIPA
 * address out of range, a key Azure does not accept, overlapping address spaces) have no run-time
 * behaviour to show and are only checked.
 */

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(['node', 'vpnlab', ...args, '--force'], { out: (t) => { out += t; }, err: () => {} });
  return { code, out };
}

/** Timeline lines only (those start with a simulated time). */
function timeline(out: string): string[] {
  return out.split('\n').filter((l) => /^\d\d:\d\d:\d\d\.\d{3} {2}/.test(l));
}

interface Variant {
  file: string;
  what: string;
  /** `up` output must match each of these (timeline lines or the platform tables). */
  up: RegExp[];
  /** Optional: a ping that must fail, and what the drop report must say. */
  ping?: { from: string; to: string; dropped: RegExp };
}

const VARIANTS: Variant[] = [
  {
    file: 'examples/rras-azure-bgp-asn-mismatch.yaml', what: "the seed's -LocalASN 65032 against the LNG's 65023: Azure closes BGP with Bad Peer AS",
    up: [/VNet1\/VNet1GW {2}BGP VNet1ToSite5: OpenSent -> Idle: Sent NOTIFICATION OPEN Message Error\/Bad Peer AS \(expected AS 65023, got AS 65032\)/,
      /OnPrem\/RRAS2016 {2}BGP AzureS2S: OpenConfirm -> Idle: Received NOTIFICATION OPEN Message Error\/Bad Peer AS/,
      /AzureS2S 192\.168\.37\.1 {3}10\.3\.1\.254 {4}65010 {3}Mixed {9}Connecting/],
    ping: { from: 'pc', to: '10.3.0.4', dropped: /no route to the destination/ },
  },
  {
    file: 'examples/broken/rras-peer-asn-mismatch.yaml', what: 'RRAS PeerASN 65011 for an AS 65010 gateway: RRAS sends Bad Peer AS',
    up: [/OnPrem\/RRAS2016 {2}BGP AzureS2S: OpenSent -> Idle: Sent NOTIFICATION OPEN Message Error\/Bad Peer AS \(expected AS 65011, got AS 65010\)/],
  },
  {
    file: 'examples/broken/rras-psk-mismatch.yaml', what: 'wrong SharedSecret: AUTHENTICATION_FAILED, the S2S interface stays disconnected',
    up: [/IKE SA VNet1ToSite5\[\d+\] failed: AUTHENTICATION_FAILED: pre-shared key mismatch/, /IKE SA 198\.51\.100\.10\[\d+\] failed: IKE_AUTH refused: AUTHENTICATION_FAILED/,
      /198\.51\.100\.10 \{198\.51\.100\.10\} True {8}Disconnected/],
  },
  {
    file: 'examples/broken/linux-no-bgp-host-route.yaml', what: 'strongSwan + FRR without the route to 10.3.1.254 into ipsec0: the tunnel is up, bgpd never connects',
    up: [/3 sites: 2 of 2 tunnels up, 1 of 2 BGP sessions established; 1 failure:/, /BGP OnPrem\/gw:10\.3\.1\.254 Connect/],
    ping: { from: 'pc', to: '10.3.0.4', dropped: /internet: 2 packet\(s\) 192\.168\.37\.10 -> 10\.3\.0\.4 \(VNet1\/vm1\): no route to the destination/ },
  },
  {
    file: 'examples/broken/linux-bgp-connected-check.yaml', what: 'FRR eBGP to a peer behind the tunnel without disable-connected-check: the neighbour stays Active',
    up: [/3 sites: 2 of 2 tunnels up, 1 of 2 BGP sessions established; 1 failure:/, /BGP OnPrem\/gw:10\.3\.1\.254 Active/],
  },
  {
    file: 'examples/broken/rras-no-bgp-host-route.yaml', what: 'no host route to 10.3.1.254 through the tunnel: the tunnel is up, BGP is not',
    up: [/tunnel 198\.51\.100\.10 up/, /AzureS2S 192\.168\.37\.1 {3}10\.3\.1\.254 {4}65010 {3}Mixed {9}Connecting/],
  },
  {
    file: 'examples/broken/rras-wrong-peer-address.yaml', what: 'PeerIPAddress 10.3.0.254: nobody speaks BGP there',
    up: [/AzureS2S 192\.168\.37\.1 {3}10\.3\.0\.254 {4}65010 {3}Mixed {9}Connecting/],
  },
  {
    file: 'examples/broken/rras-hold-time-low.yaml', what: "hold time 30 s against Azure's fixed 60 s keepalives: the session flaps",
    up: [/OnPrem\/RRAS2016 {2}BGP AzureS2S: Established -> Idle: Hold Timer Expired/],
  },
  {
    file: 'examples/broken/rras-apipa-server-mode.yaml', what: 'APIPA peering with RRAS in Server mode: nobody initiates, the session never opens',
    up: [/AzureS2S 169\.254\.21\.1 {3}169\.254\.21\.2 {2}65010 {3}Server {8}Connecting/],
  },
  {
    file: 'examples/broken/vnet2vnet-bgp-off.yaml', what: 'BGP off on one VNet-to-VNet connection: VNet2 is not reachable from on-premises',
    up: [/10\.3\.1\.254 {3}10\.5\.1\.254 {3}65011 Connecting/],
    ping: { from: 'pc', to: '10.5.0.4', dropped: /internet: 2 packet\(s\) 192\.168\.37\.10 -> 10\.5\.0\.4 \(VNet2\/vm2\): no route/ },
  },
  {
    file: 'examples/broken/alibaba-psk-mismatch.yaml', what: 'Tunnel 2 key differs: AUTHENTICATION_FAILED, no standby tunnel',
    up: [/AUTHENTICATION_FAILED/, /IPsecConnection {2}Tunnel 2 {2}slave {3}192\.0\.2\.75 {3}198\.51\.100\.166 {2}ike_sa_not_established/],
  },
  {
    file: 'examples/broken/alibaba-single-lng.yaml', what: 'one LNG for an active-active gateway: Tunnel 2 never comes up',
    up: [/IPsecConnection {2}Tunnel 2 {2}slave .* ike_sa_not_established/],
  },
  {
    file: 'examples/broken/alibaba-proposal-mismatch.yaml', what: 'no common IKE proposal on Tunnel 1: NO_PROPOSAL_CHOSEN',
    up: [/AlibabaVPC\/VpnGateway_1 {2}IKE SA IPsecConnection\[\d+\] failed: the responder answered NO_PROPOSAL_CHOSEN/,
      /IPsecConnection {2}Tunnel 1 {2}master .* ike_sa_not_established/],
  },
  {
    file: 'examples/broken/alibaba-ts-mismatch.yaml', what: 'protected data flows narrower than the Azure VNet: the tunnel is up but the VM is outside its selectors',
    up: [/IPsecConnection {2}Tunnel 1 {2}master .* ipsec_sa_established/, /192\.168\.0\.0\/16 === 10\.0\.0\.0\/16|10\.0\.0\.0\/16 === 192\.168\.1\.0\/24/],
    ping: { from: 'vm', to: '10.0.0.1', dropped: /the tunnel refused it: outside the traffic selectors/ },
  },
];

describe('broken variants fail at run time as the platforms would', () => {
  for (const v of VARIANTS) {
    it(`${v.file.replace('examples/', '')}: ${v.what}`, async () => {
      const { code, out } = await cli('up', v.file);
      assert.equal(code, 0);
      for (const pattern of v.up) {
        assert.ok(timeline(out).some((l) => pattern.test(l)) || pattern.test(out), `up output matches ${pattern}`);
      }
      if (v.ping !== undefined) {
        const ping = await cli('ping', v.file, v.ping.to, '--from', v.ping.from, '-c', '2');
        assert.equal(ping.code, 1, 'no reply');
        assert.match(ping.out, /vpnlab: where the packets were dropped:/);
        assert.match(ping.out, v.ping.dropped);
      }
    });
  }
});

describe('mtu-too-big.yaml: a 1500-byte MTU behind a 1400-byte tunnel', () => {
  it('a full-size packet with DF set is refused with "fragmentation needed" (MTU 1400) by the RRAS tunnel; without DF it is fragmented and gets through', async () => {
    const network = new Network(loadTopologyFile('examples/broken/mtu-too-big.yaml', { keepCheckErrors: true }).topology);
    assert.ok(runUntilSettled(network, 30 * 60_000).settled);
    const pc = network.node('pc').ip;
    const mtus: number[] = [];
    pc.addIcmpListener((m) => {
      if (m.kind === 'destination-unreachable' && m.code === UnreachableCode.FragmentationNeeded) mtus.push(m.nextHopMtu);
    });
    pc.send(IpProtocol.Udp, parseIpv4('10.3.0.4'), new Uint8Array(1472), { dontFragment: true });
    network.scheduler.advance(1000);
    assert.deepEqual(mtus, [1400], 'PMTU discovery learns the tunnel MTU (a host that ignores it black-holes)');
    const run = (await cli('ping', 'examples/broken/mtu-too-big.yaml', '10.3.0.4', '--from', 'pc', '-s', '1472', '-c', '1'));
    assert.equal(run.code, 0, 'without DF the gateway fragments');
  });
});
