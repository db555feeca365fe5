import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { peerRecords } from '../../src/bgp/views.js';
import { Network } from '../../src/emulator/network.js';
import { runningSite } from '../../src/emulator/running-site.js';
import { runPing } from '../../src/emulator/session.js';
import { runUntilSettled } from '../../src/emulator/settle.js';
import type { Artifact } from '../../src/platforms/artifacts.js';
import { formatIpv4 } from '../../src/net/address.js';
import { exportNetwork } from '../../src/platforms/export.js';
import { parseTopology } from '../../src/platforms/load.js';
import { linuxEquivalent, type LinuxEquivalent } from '../../src/platforms/rras/export/linux-equivalent.js';
import type { RrasModel } from '../../src/platforms/rras/model.js';
import { tunnelState } from '../../src/platforms/view.js';
import type { Site } from '../../src/topology/schema.js';
import { exampleFiles } from './onprem-examples.js';
import { validateFrr } from './validators/frr.js';
import { startSwanctlValidator, type SwanctlValidator } from './validators/strongswan.js';

/*
 * An RRAS site exported as its strongSwan + FRR equivalent (issue 14: `vpnlab export
 * examples/rras-azure-bgp.yaml` writes the Linux artifacts too). The proof that the mapping is an
 * equivalent and not a look-alike: the RRAS site of each example is replaced by the Linux site the
 * mapping builds (same name, subnets, hosts) and run in the emulator — every tunnel comes up,
 * every BGP session is Established, the PC pings every VNet with the TTLs the RRAS original gets
 * — and check finds nothing the original did not. Then the written files load in real strongSwan
 * and FRR, and what RRAS has that they cannot carry is said in them.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SEED = 'examples/rras-azure-bgp.yaml';
const ACTIVE_ACTIVE = 'examples/rras-azure-active-active.yaml';
const LINUX_SEED = 'examples/linux-azure-bgp.yaml';

function load(text: string, file: string) {
  return parseTopology(text, file, { keepCheckErrors: true });
}

/** The mapping of the RRAS site of `text`. */
function equivalentOf(text: string, file: string, siteName = 'OnPrem'): LinuxEquivalent {
  const loaded = load(text, file);
  const resolved = loaded.network.sites.find((s) => s.ref.site.name === siteName)!;
  const site = resolved.ref.site as Site & { platform: 'rras' };
  assert.equal(site.platform, 'rras');
  return linuxEquivalent(site, resolved.ref.model as RrasModel, loaded.topology);
}

/** The topology with its RRAS site replaced by the Linux site the mapping builds. */
function replaced(text: string, file: string): { text: string; equivalent: LinuxEquivalent } {
  const equivalent = equivalentOf(text, file);
  const doc = parse(text) as Json;
  const sites = doc.sites as Json[];
  const index = sites.findIndex((s) => s.name === equivalent.site.name);
  sites[index] = JSON.parse(JSON.stringify(equivalent.site)) as Json;
  return { text: stringify(doc), equivalent };
}

function findings(text: string, file: string): string[] {
  return load(text, file).warnings.map((w) => `${w.code} ${w.message}`);
}

function run(text: string, file: string): Network {
  const loaded = load(text, file);
  const network = new Network(loaded.topology, undefined, { resolved: loaded.network });
  assert.equal(runUntilSettled(network, 600_000).settled, true);
  return network;
}

/** Every VNet host's ping replies (TTL, or what happened instead) from the on-premises PC. */
function pings(network: Network, topology: Json): Record<string, (number | string)[]> {
  const out: Record<string, (number | string)[]> = {};
  for (const site of topology.sites as Json[]) {
    if (site.platform !== 'azure') continue;
    for (const host of site.hosts as Json[]) {
      out[host.address as string] = runPing(network, 'OnPrem/pc', host.address as string, 2).ping.events.map((e) => (e.kind === 'reply' ? e.ttl : e.kind));
    }
  }
  return out;
}

function bgpStates(network: Network, node: string): string[] {
  const bgp = network.gateways.get(node)?.bgp;
  return bgp === undefined ? [] : peerRecords(bgp).map((p) => p.state);
}

for (const file of [SEED, ACTIVE_ACTIVE]) {
  describe(`${file}: the RRAS server replaced by its strongSwan + FRR equivalent`, () => {
    const original = readFileSync(file, 'utf8');
    const { text, equivalent } = replaced(original, file);
    const gw = equivalent.site.linux!.gateways[0]!;
    const connections = Object.keys(gw.swanctl?.connections ?? {});

    it('the Linux site keeps the RRAS site\'s name, subnets and hosts, and one gateway named after the server', () => {
      const rras = (parse(original) as Json).sites.find((s: Json) => s.name === 'OnPrem') as Json;
      assert.equal(equivalent.site.platform, 'linux');
      assert.deepEqual(equivalent.site.subnets, rras.subnets);
      assert.deepEqual(equivalent.site.hosts, rras.hosts);
      assert.deepEqual(equivalent.site.addressSpace, rras.addressSpace);
      assert.equal(gw.name, rras.rras.Server.Name);
      assert.deepEqual(connections, (rras.rras.VpnS2SInterfaces as Json[]).map((i) => (i.Name as string).replace(/\./g, '-')));
    });

    it('check finds nothing on the Linux site that it did not find on the RRAS original', () => {
      const before = findings(original, file);
      const after = findings(text, file);
      const codes = (list: string[]): Set<string> => new Set(list.map((f) => f.split(' ')[0]!.replace(/^(RRAS|LINUX)_/, '')));
      const added = [...codes(after)].filter((c) => !codes(before).has(c));
      assert.deepEqual(added, [], after.join('\n'));
    });

    it('up: every tunnel is up, every BGP session Established, and the PC pings every VNet with the TTLs it gets through RRAS', () => {
      const rrasNet = run(original, file);
      const linuxNet = run(text, file);
      const instance = runningSite(linuxNet, 'OnPrem').instances(gw.name)[0]!;
      assert.ok(connections.length > 0);
      for (const c of connections) assert.equal(tunnelState(instance, c), 'up', `tunnel ${c}`);
      const node = `OnPrem/${gw.name}`;
      const bgpExpected = bgpStates(rrasNet, node);
      const bgp = bgpStates(linuxNet, node);
      assert.equal(bgp.length, bgpExpected.length);
      for (const state of bgp) assert.equal(state, 'Established');
      for (const [site, states] of [...linuxNet.gateways.entries()].filter(([n]) => !n.startsWith('OnPrem/')).map(([n]) => [n, bgpStates(linuxNet, n)] as const)) {
        for (const state of states) assert.equal(state, 'Established', `BGP at ${site}`);
      }
      const topology = parse(original) as Json;
      const expected = pings(rrasNet, topology);
      const got = pings(linuxNet, topology);
      assert.ok(Object.keys(got).length >= 1);
      for (const replies of Object.values(got)) assert.ok(replies.length > 0 && replies.every((r) => typeof r === 'number'), JSON.stringify(got));
      assert.deepEqual(got, expected);
    });
  });
}

/** Every example with an RRAS site, the broken ones included. */
const RRAS_EXAMPLES = exampleFiles().filter((f) => ((parse(readFileSync(f, 'utf8')) as Json).sites as Json[]).some((s) => s.platform === 'rras'));

/** An example with each RRAS site replaced by its Linux equivalent. */
function allReplaced(text: string, file: string): string {
  const loaded = load(text, file);
  const doc = parse(text) as Json;
  for (const { ref } of loaded.network.sites) {
    if (ref.site.platform !== 'rras') continue;
    const { site } = linuxEquivalent(ref.site as Site & { platform: 'rras' }, ref.model as RrasModel, loaded.topology);
    doc.sites[ref.index] = JSON.parse(JSON.stringify(site)) as Json;
  }
  return stringify(doc);
}

/** What a run shows: every gateway's BGP sessions, each on-premises gateway's tunnels (by peer address), the PC's pings. */
function transcript(network: Network, topology: Json): Json {
  const out: Json = {};
  for (const [node, gw] of network.gateways) out[node] = gw.bgp === undefined ? [] : peerRecords(gw.bgp).map((p) => `${p.address} ${p.state}`);
  for (const site of topology.sites as Json[]) {
    if (site.platform !== 'rras' && site.platform !== 'linux') continue;
    const gateway = site.platform === 'rras' ? (site.rras.Server.Name as string | undefined) ?? 'RRAS' : site.linux.gateways[0].name as string;
    for (const instance of runningSite(network, site.name as string).instances(gateway)) {
      out[`${site.name} tunnels`] = (instance.plan.ipsec?.peers ?? []).map((p) => `${p.remoteAddress === undefined ? 'any' : formatIpv4(p.remoteAddress)} ${tunnelState(instance, p.name)}`).sort();
    }
  }
  if ((topology.sites as Json[]).some((s) => (s.hosts as Json[] | undefined)?.some((h) => h.name === 'pc'))) out['pings'] = pings(network, topology);
  return out;
}

describe('every example with an RRAS site: the Linux equivalent behaves as RRAS does, mistakes included', () => {
  it('there are RRAS examples, broken ones among them', () => {
    assert.ok(RRAS_EXAMPLES.length >= 5 && RRAS_EXAMPLES.some((f) => f.includes('broken')), RRAS_EXAMPLES.join(', '));
  });
  for (const file of RRAS_EXAMPLES) {
    const text = readFileSync(file, 'utf8');
    it(`${file}: check finds the same problems (RRAS_X as LINUX_X), up shows the same sessions, tunnels and pings`, () => {
      const linux = allReplaced(text, file);
      const codes = (t: string): string[] => load(t, file).warnings.map((w) => w.code.replace(/^(RRAS|LINUX)_/, '')).sort();
      assert.deepEqual(codes(linux), codes(text));
      assert.deepEqual(transcript(run(linux, file), parse(linux) as Json), transcript(run(text, file), parse(text) as Json));
    });
  }
});

describe('the mapping of seed 000\'s RRAS server is examples/linux-azure-bgp.yaml\'s hand-written gateway', () => {
  const mapped = equivalentOf(readFileSync(SEED, 'utf8'), SEED).site.linux!.gateways[0]! as Json;
  const hand = (parse(readFileSync(LINUX_SEED, 'utf8')) as Json).sites[0].linux.gateways[0] as Json;

  it('same interfaces, XFRM interface (if_id, MTU 1400, MSS 1350), routes', () => {
    assert.deepEqual(mapped.interfaces, hand.interfaces);
    assert.deepEqual(mapped.xfrm, hand.xfrm);
    assert.deepEqual(mapped.routes, hand.routes);
  });

  it('same router bgp, the neighbour described by the RRAS peer name', () => {
    const { description, ...neighbor } = mapped.frr['router bgp'].neighbors['10.3.1.254'] as Json;
    assert.equal(description, 'RRAS BGP peer AzureS2S');
    assert.deepEqual({ ...mapped.frr['router bgp'], neighbors: { '10.3.1.254': neighbor } }, hand.frr['router bgp']);
  });

  it('the same connection but for what RRAS itself offers: MaximumEncryption\'s proposals, its lifetimes and DPD', () => {
    const conn = mapped.swanctl.connections['198-51-100-10'] as Json;
    const handConn = hand.swanctl.connections.azure as Json;
    const { children, proposals, dpd_delay, ...rest } = conn;
    const { children: handChildren, proposals: handProposals, dpd_delay: handDpd, ...handRest } = handConn;
    assert.deepEqual(rest, handRest);
    assert.deepEqual(proposals, ['aes256-sha256-modp1024', 'aes256-sha1-modp1024', 'aes256-sha256-modp2048', 'aes256-sha1-modp2048']);
    assert.ok((proposals as string[]).includes((handProposals as string[])[0]!), 'RRAS offers what Azure\'s default policy accepts');
    assert.equal(dpd_delay, 15, 'RRAS NetworkOutageTimeSeconds default');
    assert.equal(handDpd, 45);
    const { esp_proposals, rekey_time, ...child } = children['198-51-100-10'] as Json;
    const { esp_proposals: handEsp, rekey_time: handRekey, ...handChild } = handChildren['azure-vnet'] as Json;
    assert.deepEqual(child, handChild);
    assert.deepEqual(esp_proposals, ['aes256gcm16', 'aes256-sha256', 'aes256-sha1']);
    assert.ok((esp_proposals as string[]).includes((handEsp as string[])[0]!));
    assert.equal(rekey_time, 3600, 'RRAS SALifeTimeSeconds default');
    assert.equal(handRekey, 27000);
    assert.deepEqual(mapped.swanctl.secrets, { 'ike-198-51-100-10': hand.swanctl.secrets['ike-azure'] });
  });
});

describe('the mapping has teeth: a mistake in it shows in the emulator and in check', () => {
  it('without disable-connected-check the BGP session never comes up and check says why', () => {
    const { text } = replaced(readFileSync(SEED, 'utf8'), SEED);
    const doc = parse(text) as Json;
    delete doc.sites[0].linux.gateways[0].frr['router bgp'].neighbors['10.3.1.254']['disable-connected-check'];
    const broken = stringify(doc);
    assert.ok(findings(broken, SEED).some((f) => f.startsWith('LINUX_BGP_CONNECTED_CHECK')));
    assert.deepEqual(bgpStates(run(broken, SEED), 'OnPrem/RRAS2016').filter((s) => s === 'Established'), []);
  });
});

/** What `vpnlab export FILE` writes (every site, default formats). */
function exportText(text: string, file: string, options: { redact?: boolean; formats?: ('powershell' | 'swanctl' | 'frr' | 'ip')[] } = {}): Artifact[] {
  const { network } = load(text, file);
  return exportNetwork(network, {
    provenance: { file, vpnlabVersion: 'test' }, redact: options.redact === true, ...(options.formats !== undefined ? { formats: options.formats } : {}),
  }).artifacts;
}

describe('vpnlab export of an RRAS site writes the Linux equivalent beside the PowerShell', () => {
  const artifacts = exportText(readFileSync(SEED, 'utf8'), SEED);
  const onPrem = artifacts.filter((a) => a.path.startsWith('OnPrem/'));

  it('OnPrem/RRAS2016.ps1 and OnPrem/linux/RRAS2016/{swanctl.conf,frr.conf,ip.sh}, each opening with what it stands for', () => {
    assert.deepEqual(onPrem.map((a) => [a.path, a.format]), [
      ['OnPrem/RRAS2016.ps1', 'powershell'],
      ['OnPrem/linux/RRAS2016/swanctl.conf', 'swanctl'],
      ['OnPrem/linux/RRAS2016/frr.conf', 'frr'],
      ['OnPrem/linux/RRAS2016/ip.sh', 'ip'],
    ]);
    for (const a of onPrem.slice(1)) {
      const lines = a.text.split('\n');
      const first = a.format === 'ip' ? lines[1]! : lines[0]!;
      if (a.format === 'ip') assert.equal(lines[0], '#!/bin/sh');
      assert.equal(first, `${a.format === 'frr' ? '!' : '#'} The strongSwan + FRR equivalent of RRAS server 'RRAS2016' of site 'OnPrem': the same design for a Linux gateway`);
      assert.match(a.text, /generated by vpnlab test\n/);
    }
    assert.equal(onPrem.find((a) => a.format === 'swanctl')!.holdsSecrets, true);
    const manifest = JSON.parse(artifacts.find((a) => a.format === 'manifest')!.text) as Json;
    assert.deepEqual(manifest.sites[0].artifacts, onPrem.filter((a) => a.format === 'powershell').map((a) => a.path));
    assert.deepEqual(manifest.sites[0].equivalents, onPrem.filter((a) => a.format !== 'powershell').map((a) => a.path), 'import reads the RRAS script, not the Linux equivalent');
  });

  it('the files say what they are built from: the XFRM interface, the route to the Azure BGP peer, the neighbour', () => {
    const text = (f: string): string => onPrem.find((a) => a.format === f)!.text;
    assert.match(text('ip'), /^ip link show ipsec0 >\/dev\/null 2>&1 \|\| ip link add ipsec0 type xfrm dev eth0 if_id 42$/m);
    assert.match(text('ip'), /^ip route replace 10\.3\.1\.254\/32 dev ipsec0$/m);
    assert.match(text('ip'), /--set-mss 1350$/m);
    assert.match(text('frr'), /^ neighbor 10\.3\.1\.254 disable-connected-check$/m);
    assert.match(text('frr'), /^ no bgp ebgp-requires-policy$/m);
    assert.match(text('swanctl'), /^ {4}proposals = aes256-sha256-modp1024,aes256-sha1-modp1024,aes256-sha256-modp2048,aes256-sha1-modp2048$/m);
    assert.match(text('swanctl'), /^# What the RRAS server has and this file cannot carry:\n# {3}- S2S interface '198\.51\.100\.10' NumberOfTries/m);
  });

  it('--redact: no key in the Linux files either', () => {
    const redacted = exportText(readFileSync(SEED, 'utf8'), SEED, { redact: true }).filter((a) => a.path.startsWith('OnPrem/'));
    for (const a of redacted) {
      assert.equal(a.holdsSecrets, false, a.path);
      assert.doesNotMatch(a.text, /AzureA1b2C3/, a.path);
    }
    assert.match(redacted.find((a) => a.format === 'swanctl')!.text, /secret = "REDACTED-PSK-/);
  });

  it('--format picks among them: powershell alone, or frr alone', () => {
    assert.deepEqual(exportText(readFileSync(SEED, 'utf8'), SEED, { formats: ['powershell'] }).filter((a) => a.path.startsWith('OnPrem/')).map((a) => a.path), ['OnPrem/RRAS2016.ps1']);
    assert.deepEqual(exportText(readFileSync(SEED, 'utf8'), SEED, { formats: ['frr'] }).filter((a) => a.path.startsWith('OnPrem/')).map((a) => a.path), ['OnPrem/linux/RRAS2016/frr.conf']);
  });
});

/** The seed with its OnPrem `rras:` block using the fields the mapping reads and those it cannot carry. */
function kitchenSink(): string {
  const doc = parse(readFileSync(SEED, 'utf8')) as Json;
  const rras = (doc.sites as Json[]).find((s) => s.name === 'OnPrem')!.rras as Json;
  rras.Server.NetworkAdapters[1].DefaultGateway = '192.168.37.254';
  rras.VpnS2SInterfaces.push({
    Name: 'Branch', Destination: ['198.51.100.99', '198.51.100.98'], Protocol: 'IKEv2', AuthenticationMethod: 'PSKOnly',
    SharedSecret: "it's a key", IPv4Subnet: ['10.60.0.0/16:10', '10.61.0.0/16:20'],
    SourceIpAddress: '203.0.113.10', Persistent: true, AdminStatus: false, IdleDisconnectSeconds: 300,
    NetworkOutageTimeSeconds: 30, SALifeTimeSeconds: 27000, MMSALifeTimeSeconds: 14400, SADataSizeForRenegotiationKilobytes: 102400000,
    CustomPolicy: true, EncryptionMethod: 'AES256', IntegrityCheckMethod: 'SHA256', CipherTransformConstants: 'GCMAES256',
    AuthenticationTransformConstants: 'GCMAES256', DHGroup: 'ECP384', PfsGroup: 'ECP384',
    LocalVpnTrafficSelector: [{ Type: 'IPv4', IPAddressRange: ['192.168.37.0', '192.168.37.255'], PortRange: [0, 65535], ProtocolId: 0 },
      { IPAddressRange: ['169.254.21.2', '169.254.21.2'] }],
    RemoteVpnTrafficSelector: [{ IPAddressRange: ['10.60.0.0', '10.61.255.255'], ProtocolId: 6, PortRange: [443, 443] },
      { IPAddressRange: ['169.254.21.1', '169.254.21.1'] }],
  });
  rras.VpnS2SInterfaces.push({ Name: 'Legacy', Destination: ['198.51.100.77'], Protocol: 'L2TP', AuthenticationMethod: 'PSKOnly', SharedSecret: 'x' });
  Object.assign(rras.BgpRouter, { TransitRouting: 'Disabled', CompareMEDAcrossASN: true, RouteReflector: 'Enabled', ClusterId: 7 });
  Object.assign(rras.BgpPeers[0], { LocalASN: 65099, HoldTimeSec: 90, IdleHoldTimeSec: 10, MaxAllowedPrefix: 1000, Weight: 100 });
  rras.BgpPeers.push({ Name: 'BranchBgp', LocalIPAddress: '169.254.21.2', PeerIPAddress: '169.254.21.1', PeerASN: 65050, OperationMode: 'Server' });
  rras.BgpCustomRoutes.push({ Network: ['192.168.38.0/24'] });
  rras.NetRoutes.push({ DestinationPrefix: '192.168.38.0/24', InterfaceAlias: 'LAN', NextHop: '192.168.37.254', RouteMetric: 10 });
  rras.NetRoutes.push({ DestinationPrefix: '169.254.21.1/32', InterfaceAlias: 'Branch' });
  return stringify(doc);
}

describe('an RRAS server using more of what RRAS has', () => {
  const text = kitchenSink();
  const { site, notCarried } = equivalentOf(text, 'kitchen-sink.yaml');
  const gw = site.linux!.gateways[0]! as Json;

  it('maps each field to its strongSwan, FRR or ip equivalent', () => {
    assert.deepEqual(gw.xfrm, [
      { name: 'ipsec0', if_id: 42, dev: 'eth0', mtu: 1400, 'set-mss': 1350 },
      { name: 'ipsec1', if_id: 43, dev: 'eth0', addresses: ['169.254.21.2/32'] },
    ]);
    assert.deepEqual(gw.routes, [
      { to: '0.0.0.0/0', dev: 'eth1', via: '192.168.37.254' },
      { to: '192.168.38.0/24', dev: 'eth1', via: '192.168.37.254', metric: 10 },
      { to: '10.3.1.254/32', dev: 'ipsec0' },
      { to: '10.60.0.0/16', dev: 'ipsec1', metric: 10 },
      { to: '10.61.0.0/16', dev: 'ipsec1', metric: 20 },
      { to: '169.254.21.1/32', dev: 'ipsec1' },
    ]);
    assert.deepEqual(gw.swanctl.connections.Branch, {
      version: 2, local_addrs: ['203.0.113.10'], remote_addrs: ['198.51.100.99', '198.51.100.98'],
      proposals: ['aes256-sha256-ecp384'], rekey_time: 14400, dpd_delay: 30, if_id_in: 43, if_id_out: 43,
      local: { auth: 'psk', id: '203.0.113.10' }, remote: { auth: 'psk', id: '198.51.100.99' },
      children: {
        Branch: {
          local_ts: ['192.168.37.0/24', '169.254.21.2/32'], remote_ts: ['10.60.0.0/15', '169.254.21.1/32'], esp_proposals: ['aes256gcm16-ecp384'],
          rekey_time: 27000, start_action: 'none', dpd_action: 'restart',
        },
      },
    });
    assert.deepEqual(gw.swanctl.secrets['ike-Branch'], { id: ['198.51.100.99', '198.51.100.98'], secret: "it's a key" });
    assert.equal(gw.swanctl.connections.Legacy, undefined);
    const bgp = gw.frr['router bgp'] as Json;
    assert.deepEqual(bgp.neighbors['10.3.1.254'], {
      'remote-as': 65010, 'update-source': '192.168.37.1', 'disable-connected-check': true, timers: [30, 90], 'maximum-prefix': 1000, description: 'RRAS BGP peer AzureS2S',
    });
    assert.deepEqual(bgp.neighbors['169.254.21.1'], { 'remote-as': 65050, 'update-source': '169.254.21.2', 'disable-connected-check': true, passive: true, description: 'RRAS BGP peer BranchBgp' });
    assert.deepEqual(bgp.network, ['192.168.37.0/24', '192.168.38.0/24']);
  });

  it('says what it cannot carry, in the file it concerns', () => {
    const said = notCarried.map((n) => `${n.format}: ${n.text}`).join('\n');
    for (const re of [
      /swanctl: S2S interface 'Branch' RemoteVpnTrafficSelector: protocol 6 ports 443-443 are dropped/,
      /swanctl: S2S interface 'Branch' has 2 Destinations/,
      /swanctl: S2S interface 'Branch' IdleDisconnectSeconds 300/,
      /swanctl: S2S interface 'Branch' SADataSizeForRenegotiationKilobytes 102400000/,
      /swanctl: S2S interface 'Legacy' uses Protocol L2TP/,
      /frr: BGP peer 'AzureS2S' LocalASN 65099/,
      /frr: BGP peer 'AzureS2S' Weight 100/,
      /frr: TransitRouting Disabled/,
      /frr: CompareMEDAcrossASN/,
      /frr: RouteReflector/,
    ]) assert.match(said, re);
    const files = exportText(text, 'kitchen-sink.yaml').filter((a) => a.path.startsWith('OnPrem/linux/'));
    const frr = files.find((a) => a.format === 'frr')!.text;
    assert.match(frr, /^! {3}- BGP peer 'AzureS2S' Weight 100: `neighbor X weight` is not in vpnlab's frr block$/m);
    assert.doesNotMatch(frr, /IdleDisconnectSeconds/);
    assert.match(files.find((a) => a.format === 'swanctl')!.text, /^# {3}- S2S interface 'Legacy' uses Protocol L2TP/m);
  });
});

describe('the Linux equivalents load in real strongSwan and FRR', () => {
  let swan: SwanctlValidator | undefined;
  before(async () => {
    swan = await startSwanctlValidator();
  });
  after(async () => {
    await swan?.close();
  });
  const cases: [string, string][] = [...RRAS_EXAMPLES.map((f): [string, string] => [f, readFileSync(f, 'utf8')]), ['kitchen-sink.yaml', kitchenSink()]];
  const seedFiles = exportText(readFileSync(SEED, 'utf8'), SEED).filter((a) => a.path.startsWith('OnPrem/linux/'));

  for (const [file, text] of cases) {
    const gw = equivalentOf(text, file).site.linux!.gateways[0]!;
    const files = exportText(text, file).filter((a) => a.path.startsWith('OnPrem/linux/'));
    const expected = { connections: Object.keys(gw.swanctl?.connections ?? {}), secrets: Object.keys(gw.swanctl?.secrets ?? {}) };
    it(`${file}: swanctl --load-all loads every connection and secret`, async () => {
      assert.ok(expected.connections.length > 0);
      assert.deepEqual(await swan!.validate(files.find((a) => a.format === 'swanctl')!.text, expected), []);
    });
    if (gw.frr === undefined) continue;
    it(`${file}: FRR reads frr.conf without an error or warning`, async () => {
      assert.deepEqual(await validateFrr(files.find((a) => a.format === 'frr')!.text), []);
    });
  }

  it('a tampered equivalent fails: a misspelt swanctl key, an FRR command FRR does not have', async () => {
    const swanctl = seedFiles.find((a) => a.format === 'swanctl')!.text;
    const misspelt = swanctl.replace('dpd_delay = 15', 'dpd_dealy = 15');
    assert.notEqual(misspelt, swanctl);
    const problems = await swan!.validate(misspelt, { connections: ['198-51-100-10'], secrets: ['ike-198-51-100-10'] });
    assert.ok(problems.some((p) => /dpd_dealy/.test(p)), problems.join('\n'));
    const frr = seedFiles.find((a) => a.format === 'frr')!.text;
    const wrong = frr.replace('disable-connected-check', 'disable-connect-check');
    assert.notEqual(wrong, frr);
    assert.ok((await validateFrr(wrong)).length > 0);
  });
});
