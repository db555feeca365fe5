import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { ConfigError, type ConfigIssue } from '../../src/config/issues.js';
import { parseTopology } from '../../src/platforms/load.js';
import { topologySchema } from '../../src/topology/schema.js';
import { partnersOf, describeAddress } from '../../src/platforms/pairing.js';
import { planAndPair } from '../../src/platforms/checks.js';
import { resolveNetwork } from '../../src/platforms/registry.js';
import { IGNORE_FINDINGS } from '../../src/platforms/adapter.js';
import { matchProposals } from '../../src/platforms/proposals.js';
import { AZURE_ESP_INITIATOR, AZURE_ESP_RESPONDER_EXTRA, AZURE_IKE_PROPOSALS } from '../../src/platforms/azure/defaults.js';
import { parseIpv4 } from '../../src/net/address.js';

/*
 * The platform pitfall checks (`vpnlab check`): the seeds are clean, each broken variant in
 * examples/broken reports exactly its pitfall (code, severity, path, a message naming the
 * resource), and the checks no file covers are exercised on mutated seeds. Then the pairing of
 * tunnel ends and the proposal intersection on their own. Files are read from the repository root
 * (the working directory of `node --test`).
 */

type Json = Record<string, unknown>;
type Expected = { code: string; severity: 'error' | 'warning'; path: string; names: string[] };

/** Every issue the file produces (warnings of a valid file, or the errors and warnings it is rejected with). */
function issuesOfText(text: string, file = 'test.yaml'): ConfigIssue[] {
  try {
    return parseTopology(text, file).warnings;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.issues;
  }
}

function issuesOf(file: string): ConfigIssue[] {
  return issuesOfText(readFileSync(`examples/${file}`, 'utf8'), file);
}

function summary(issues: readonly ConfigIssue[]): string {
  return issues.map((i) => `${i.severity} ${i.code} ${i.path}: ${i.message}`).join('\n');
}

/**
 * The issues must be exactly those expected — apart from the PFS warning every Alibaba-based file
 * inherits from the seed's defaults (asserted on the seed itself), unless expected.
 */
function assertIssues(all: readonly ConfigIssue[], expected: readonly Expected[]): void {
  const issues = expected.some((e) => e.code === 'PAIR_PFS_MISMATCH') ? all : all.filter((i) => i.code !== 'PAIR_PFS_MISMATCH');
  assert.deepEqual(issues.map((i) => `${i.severity} ${i.code} ${i.path}`).sort(), expected.map((e) => `${e.severity} ${e.code} ${e.path}`).sort(), summary(issues));
  for (const e of expected) {
    const issue = issues.find((i) => i.code === e.code && i.path === e.path)!;
    for (const n of e.names) assert.ok(issue.message.includes(n), `${e.code} message names ${n}: ${issue.message}`);
    assert.ok((issue.hint ?? '').length > 0, `${e.code} says how to fix it`);
  }
}

/** A seed, changed by `edit` (on the parsed document), as YAML text. */
function mutated(file: string, edit: (doc: Json, site: (name: string) => Json) => void): string {
  const doc = parse(readFileSync(`examples/${file}`, 'utf8')) as Json;
  const site = (name: string): Json => (doc.sites as Json[]).find((s) => s.name === name)!;
  edit(doc, site);
  assert.ok(topologySchema.safeParse(doc).success, 'the mutation keeps the document schema-valid');
  return stringify(doc);
}

function has(issues: readonly ConfigIssue[], code: string, severity: 'error' | 'warning', path: string, names: string[] = []): void {
  const issue = issues.find((i) => i.code === code && i.path === path);
  assert.ok(issue !== undefined, `expected ${code} at ${path}, got:\n${summary(issues)}`);
  assert.equal(issue.severity, severity);
  for (const n of names) assert.ok(issue.message.includes(n), `${code} message names ${n}: ${issue.message}`);
}

const RRAS = 'rras-azure-bgp.yaml';
const ALIBABA = 'alibaba-azure-dual-tunnel.yaml';
const obj = (v: unknown): Json => v as Json;
const list = (v: unknown): Json[] => v as Json[];
const azure = (s: Json): Json => obj(s.azure);
const rras = (s: Json): Json => obj(s.rras);
const alibaba = (s: Json): Json => obj(s.alibaba);
const tunnel = (s: Json, i: number): Json => list(list(alibaba(s).VpnConnections)[0]!.TunnelOptionsSpecification)[i]!;

/**
 * The RRAS seed with VNet1GW of `sku` and `extra` more site-to-site connections (Extra0, Extra1…),
 * each to its own local network gateway: the seed's two connections come first.
 */
function withConnections(sku: string, extra: number, options: { activeActive?: boolean; bgp?: boolean } = {}): string {
  return mutated(RRAS, (_, site) => {
    const block = azure(site('VNet1'));
    const gateway = list(block.virtualNetworkGateways)[0]!;
    gateway.sku = sku;
    if (options.bgp === false) {
      gateway.enableBgp = false;
      delete gateway.bgpSettings;
      for (const c of list(block.connections)) c.enableBgp = false;
    }
    if (options.activeActive === true) {
      gateway.activeActive = true;
      list(gateway.ipConfigurations).push({ name: 'gwipconfig2', subnet: 'GatewaySubnet', publicIPAddress: '198.51.100.11' });
      delete obj(gateway.bgpSettings).bgpPeeringAddress;
    }
    for (let i = 0; i < extra; i++) {
      list(block.localNetworkGateways).push({ name: `Extra${i}`, gatewayIpAddress: `198.18.${i >> 8}.${(i & 255) + 1}`, localNetworkAddressSpace: { addressPrefixes: [`172.16.${i}.0/24`] } });
      list(block.connections).push({ name: `Extra${i}`, connectionType: 'IPsec', virtualNetworkGateway1: 'VNet1GW', localNetworkGateway2: `Extra${i}`, sharedKey: 'AzureA1b2C3' });
    }
  });
}

describe('platform checks: the seeds', () => {
  for (const file of [RRAS, 'three-sites.yaml']) {
    it(`${file}: no errors, no warnings`, () => assert.deepEqual(issuesOf(file), []));
  }

  it(`${ALIBABA}: only the PFS pitfall of the platforms' defaults (Azure offers no PFS, Alibaba wants group2)`, () => {
    const pfs = (i: number): Expected => ({
      code: 'PAIR_PFS_MISMATCH', severity: 'warning', path: `sites[0].alibaba.VpnConnections[0].TunnelOptionsSpecification[${i}].TunnelIkeConfig`,
      names: [`Tunnel ${i + 1}`, `'ToAlibabaTunnel${i + 1}'`, 'Azure rekeys first (after 27000 s)', 'aes128-sha1-modp1024', 'NO_PROPOSAL_CHOSEN'],
    });
    assertIssues(issuesOf(ALIBABA), [pfs(0), pfs(1)]);
  });

  it('rras-azure-bgp-asn-mismatch.yaml: the seed\'s own 65023/65032 contradiction', () => {
    assertIssues(issuesOf('rras-azure-bgp-asn-mismatch.yaml'), [
      { code: 'PAIR_ASN_MISMATCH', severity: 'warning', path: 'sites[0].rras.BgpRouter.LocalASN', names: ['65032', '65023', "'Site5'", 'Bad Peer AS'] },
    ]);
  });

  it('alibaba-azure-policy-route-unpublished.yaml: the unpublished policy route', () => {
    assertIssues(issuesOf('alibaba-azure-policy-route-unpublished.yaml'), [
      { code: 'ALIBABA_ROUTE_UNPUBLISHED', severity: 'warning', path: 'sites[0].alibaba.VpnPbrRouteEntries[0].PublishVpc', names: ["'IPsecConnection'", '192.168.0.0/16', 'ping times out'] },
    ]);
  });
});

const BROKEN: Record<string, Expected[]> = {
  'rras-peer-asn-mismatch.yaml': [{ code: 'PAIR_PEER_ASN_MISMATCH', severity: 'warning', path: 'sites[0].rras.BgpPeers[0].PeerASN', names: ["'AzureS2S'", "'VNet1GW'", '65011', 'Bad Peer AS'] }],
  'rras-psk-mismatch.yaml': [{ code: 'PAIR_PSK_MISMATCH', severity: 'warning', path: 'sites[0].rras.VpnS2SInterfaces[0].SharedSecret', names: ["'198.51.100.10'", "'VNet1ToSite5'", 'AUTHENTICATION_FAILED'] }],
  'rras-no-bgp-host-route.yaml': [{ code: 'RRAS_NO_BGP_HOST_ROUTE', severity: 'warning', path: 'sites[0].rras.BgpPeers[0].PeerIPAddress', names: ["'AzureS2S'", '10.3.1.254', 'cannot come up'] }],
  'linux-no-bgp-host-route.yaml': [{ code: 'LINUX_NO_BGP_HOST_ROUTE', severity: 'warning', path: 'sites[0].linux.gateways[0].frr.router bgp.neighbors.10.3.1.254', names: ['10.3.1.254', 'never comes up'] }],
  'linux-bgp-connected-check.yaml': [{ code: 'LINUX_BGP_CONNECTED_CHECK', severity: 'warning', path: 'sites[0].linux.gateways[0].frr.router bgp.neighbors.10.3.1.254', names: ['10.3.1.254', 'Active'] }],
  'rras-wrong-peer-address.yaml': [
    { code: 'PAIR_BGP_PEER_ADDRESS', severity: 'warning', path: 'sites[0].rras.BgpPeers[0].PeerIPAddress', names: ["'AzureS2S'", '10.3.0.254', '10.3.1.254', "'VNet1GW'"] },
    { code: 'RRAS_NO_BGP_HOST_ROUTE', severity: 'warning', path: 'sites[0].rras.BgpPeers[0].PeerIPAddress', names: ["'AzureS2S'", '10.3.0.254'] },
  ],
  'rras-hold-time-low.yaml': [{ code: 'PAIR_HOLD_TIME_LOW', severity: 'warning', path: 'sites[0].rras.BgpPeers[0].HoldTimeSec', names: ["'AzureS2S'", "'VNet1GW'", '30', 'Hold Timer Expired'] }],
  'rras-apipa-server-mode.yaml': [{ code: 'PAIR_BGP_NO_INITIATOR', severity: 'warning', path: 'sites[0].rras.BgpPeers[0].OperationMode', names: ["'AzureS2S'", "'Site5'", '169.254.21.1', 'never comes up'] }],
  'azure-apipa-out-of-range.yaml': [{ code: 'AZURE_APIPA_OUT_OF_RANGE', severity: 'error', path: 'sites[1].azure.virtualNetworkGateways[0].bgpSettings.bgpPeeringAddresses[0].customBgpIpAddresses[0]', names: ["'VNet1GW'", '169.254.30.1', "'gwipconfig1'"] }],
  'azure-reserved-asn.yaml': [{ code: 'AZURE_RESERVED_ASN', severity: 'error', path: 'sites[1].azure.localNetworkGateways[0].bgpSettings.asn', names: ["'Site5'", '65515', 'reserved by Azure'] }],
  'vnet2vnet-bgp-off.yaml': [
    { code: 'PAIR_BGP_OFF', severity: 'warning', path: 'sites[2].azure.connections[0]', names: ["'VNet1ToVNet2'", "'VNet2ToVNet1' has enableBgp off", 'never comes up'] },
    { code: 'AZURE_TRANSIT_BGP_OFF', severity: 'warning', path: 'sites[2].azure.connections[0].enableBgp', names: ["'VNet2ToVNet1'", "VNet 'VNet2'", 'on-premises routes', "on premises never learns VNet 'VNet2'"] },
  ],
  'mtu-too-big.yaml': [{ code: 'PAIR_MTU_TOO_BIG', severity: 'warning', path: 'sites[0].hosts[0].mtu', names: ["host 'pc'", '1500', '1400'] }],
  'alibaba-psk-mismatch.yaml': [{ code: 'PAIR_PSK_MISMATCH', severity: 'warning', path: 'sites[0].alibaba.VpnConnections[0].TunnelOptionsSpecification[1].TunnelIkeConfig.Psk', names: ["'IPsecConnection' Tunnel 2", "'ToAlibabaTunnel2'", 'AUTHENTICATION_FAILED'] }],
  'alibaba-psk-invalid-for-azure.yaml': [
    { code: 'AZURE_SHARED_KEY_INVALID', severity: 'error', path: 'sites[1].azure.connections[0].sharedKey', names: ["'ToAlibabaTunnel1'", "'-'"] },
    { code: 'PAIR_PSK_INVALID_ON_PEER', severity: 'warning', path: 'sites[0].alibaba.VpnConnections[0].TunnelOptionsSpecification[0].TunnelIkeConfig.Psk', names: ["'IPsecConnection' Tunnel 1", "'ToAlibabaTunnel1'", "'-'"] },
  ],
  'alibaba-single-lng.yaml': [{ code: 'PAIR_DUAL_TUNNEL_LNG', severity: 'warning', path: 'sites[0].alibaba.VpnConnections[0].TunnelOptionsSpecification[1]', names: ["'IPsecConnection' Tunnel 2", '192.0.2.75', "'AzureVpnGateway'"] }],
  'alibaba-ts-mismatch.yaml': [{ code: 'PAIR_TS_MISMATCH', severity: 'warning', path: 'sites[0].alibaba.VpnConnections[0].RemoteSubnet', names: ["'IPsecConnection'", '192.168.1.0/24', '192.168.0.0/16', 'narrows the CHILD_SA to their overlap'] }],
  'alibaba-proposal-mismatch.yaml': [{ code: 'PAIR_NO_IKE_PROPOSAL', severity: 'warning', path: 'sites[0].alibaba.VpnConnections[0].TunnelOptionsSpecification[0].TunnelIkeConfig', names: ["'IPsecConnection' Tunnel 1", "'ToAlibabaTunnel1'", 'aes256-sha512-modp2048', 'aes128-sha1-modp1024', 'NO_PROPOSAL_CHOSEN'] }],
  'overlapping-address-space.yaml': [
    { code: 'TOPO_ADDRESS_OVERLAP', severity: 'error', path: 'sites[1].addressSpace[0]', names: ["'AlibabaVPC'", '192.168.0.0/16'] },
    { code: 'TOPO_ADDRESS_OVERLAP', severity: 'error', path: 'sites[1].azure.localNetworkGateways[0].localNetworkAddressSpace.addressPrefixes[0]', names: ["'AlibabaTunnel1'", "'AzureVNet'"] },
    { code: 'TOPO_ADDRESS_OVERLAP', severity: 'error', path: 'sites[1].azure.localNetworkGateways[1].localNetworkAddressSpace.addressPrefixes[0]', names: ["'AlibabaTunnel2'", "'AzureVNet'"] },
  ],
};

describe('platform checks: examples/broken, one pitfall each', () => {
  const files = readdirSync('examples/broken').filter((f) => f.endsWith('.yaml')).sort();

  it('every variant has its expectation here and its row in README.md', () => {
    assert.deepEqual(files, Object.keys(BROKEN).sort());
    const readme = readFileSync('examples/broken/README.md', 'utf8');
    for (const f of files) {
      assert.ok(readme.includes(f), `README lists ${f}`);
      for (const e of BROKEN[f]!) assert.ok(readme.includes(e.code), `README names ${e.code} for ${f}`);
    }
  });

  for (const [file, expected] of Object.entries(BROKEN)) {
    it(`${file}: ${expected.map((e) => e.code).join(', ')}`, () => {
      const text = readFileSync(`examples/broken/${file}`, 'utf8');
      assert.match(text, /^# yaml-language-server: \$schema=\.\.\/\.\.\/schema\/topology\.schema\.json\n#\n# BROKEN VARIANT of /);
      assertIssues(issuesOf(`broken/${file}`), expected);
    });
  }
});

describe('platform checks: Azure rules', () => {
  it('a reserved ASN on the gateway (65520); 65515 is its default and allowed', () => {
    const bad = issuesOfText(mutated(RRAS, (_, site) => { obj(list(azure(site('VNet1')).virtualNetworkGateways)[0]!.bgpSettings).asn = 65520; }));
    has(bad, 'AZURE_RESERVED_ASN', 'error', 'sites[1].azure.virtualNetworkGateways[0].bgpSettings.asn', ["'VNet1GW'", '65520']);
    const fine = issuesOfText(mutated(RRAS, (_, site) => { obj(list(azure(site('VNet2')).virtualNetworkGateways)[0]!.bgpSettings).asn = 65515; }));
    assert.ok(!fine.some((i) => i.code === 'AZURE_RESERVED_ASN'), summary(fine));
  });

  it('GatewaySubnet missing, or smaller than /29', () => {
    const missing = issuesOfText(mutated(RRAS, (_, site) => { list(site('VNet1').subnets)[1]!.name = 'gw'; }));
    has(missing, 'AZURE_GATEWAY_SUBNET', 'error', 'sites[1].azure.virtualNetworkGateways[0].ipConfigurations[0].subnet', ["'VNet1GW'", "'GatewaySubnet'"]);
    const small = issuesOfText(mutated(RRAS, (_, site) => { list(site('VNet1').subnets)[1]!.prefix = '10.3.1.252/30'; }));
    has(small, 'AZURE_GATEWAY_SUBNET', 'error', 'sites[1].subnets[1].prefix', ["'VNet1GW'", '/29']);
  });

  it('PolicyBased with BGP and VNet-to-VNet; Basic SKU with BGP', () => {
    const policy = issuesOfText(mutated(RRAS, (_, site) => { list(azure(site('VNet1')).virtualNetworkGateways)[0]!.vpnType = 'PolicyBased'; }));
    has(policy, 'AZURE_POLICY_BASED', 'error', 'sites[1].azure.virtualNetworkGateways[0].vpnType', ["'VNet1GW'", 'BGP', 'VNet-to-VNet']);
    const basic = issuesOfText(mutated(RRAS, (_, site) => { list(azure(site('VNet1')).virtualNetworkGateways)[0]!.sku = 'Basic'; }));
    has(basic, 'AZURE_BASIC_SKU', 'error', 'sites[1].azure.virtualNetworkGateways[0].sku', ["'VNet1GW'", 'BGP']);
  });

  it('Basic SKU with active-active (and no BGP): Azure refuses it too', () => {
    const issues = issuesOfText(mutated(RRAS, (_, site) => {
      const gateway = list(azure(site('VNet1')).virtualNetworkGateways)[0]!;
      Object.assign(gateway, { sku: 'Basic', enableBgp: false, activeActive: true, bgpSettings: undefined });
      list(gateway.ipConfigurations).push({ name: 'gwipconfig2', subnet: 'GatewaySubnet', publicIPAddress: '198.51.100.11' });
    }));
    has(issues, 'AZURE_BASIC_SKU', 'error', 'sites[1].azure.virtualNetworkGateways[0].sku', ["'VNet1GW'", 'active-active']);
  });

  it('200 connections on one VpnGw1 gateway: Azure refuses every connection past its 30 tunnels', () => {
    const issues = issuesOfText(withConnections('VpnGw1', 198));
    has(issues, 'AZURE_SKU_TUNNEL_LIMIT', 'error', 'sites[1].azure.connections[30]', ["'VNet1GW'", 'VpnGw1', '200 tunnels', '30', "'Extra28'"]);
    assert.equal(issues.filter((i) => i.code === 'AZURE_SKU_TUNNEL_LIMIT').length, 1, 'reported once per gateway');
  });

  it('the tunnel quota per SKU: 30 fit on VpnGw1, 31 do not; VpnGw4 takes 100; Basic 10; an active-active instance\'s tunnels count each', () => {
    const limit = (issues: ConfigIssue[]) => issues.filter((i) => i.code === 'AZURE_SKU_TUNNEL_LIMIT').map((i) => `${i.severity} ${i.path}`);
    assert.deepEqual(limit(issuesOfText(withConnections('VpnGw1', 28))), []);
    assert.deepEqual(limit(issuesOfText(withConnections('VpnGw1AZ', 29))), ['error sites[1].azure.connections[30]']);
    assert.deepEqual(limit(issuesOfText(withConnections('VpnGw4', 98))), []);
    assert.deepEqual(limit(issuesOfText(withConnections('VpnGw5AZ', 99))), ['error sites[1].azure.connections[100]']);
    assert.deepEqual(limit(issuesOfText(withConnections('Basic', 9, { bgp: false }))), ['error sites[1].azure.connections[10]']);
    // Active-active: every connection is two tunnels (one per instance), so 15 connections fill VpnGw1's 30.
    assert.deepEqual(limit(issuesOfText(withConnections('VpnGw1', 13, { activeActive: true }))), []);
    assert.deepEqual(limit(issuesOfText(withConnections('VpnGw1', 14, { activeActive: true }))), ['error sites[1].azure.connections[15]']);
  });

  it('a read-only bgpPeeringAddress that is not what Azure derives', () => {
    const issues = issuesOfText(mutated(RRAS, (_, site) => { obj(list(azure(site('VNet1')).virtualNetworkGateways)[0]!.bgpSettings).bgpPeeringAddress = '10.3.1.230'; }));
    has(issues, 'AZURE_BGP_ADDRESS_MISMATCH', 'error', 'sites[1].azure.virtualNetworkGateways[0].bgpSettings.bgpPeeringAddress', ["'VNet1GW'", '10.3.1.230', '10.3.1.254']);
  });

  it('a local network gateway naming the Azure side: its BGP address, its ASN', () => {
    const address = issuesOfText(mutated(RRAS, (_, site) => { obj(list(azure(site('VNet1')).localNetworkGateways)[0]!.bgpSettings).bgpPeeringAddress = '10.3.1.254'; }));
    has(address, 'AZURE_LNG_BGP_ADDRESS', 'error', 'sites[1].azure.localNetworkGateways[0].bgpSettings.bgpPeeringAddress', ["'Site5'", "'VNet1GW'", 'never comes up']);
    const inVnet = issuesOfText(mutated(RRAS, (_, site) => { obj(list(azure(site('VNet1')).localNetworkGateways)[0]!.bgpSettings).bgpPeeringAddress = '10.3.0.9'; }));
    has(inVnet, 'AZURE_LNG_BGP_ADDRESS', 'error', 'sites[1].azure.localNetworkGateways[0].bgpSettings.bgpPeeringAddress', ["'Site5'", "VNet 'VNet1'"]);
    const asn = issuesOfText(mutated(RRAS, (_, site) => { obj(list(azure(site('VNet1')).localNetworkGateways)[0]!.bgpSettings).asn = 65010; }));
    has(asn, 'AZURE_DUPLICATE_ASN', 'error', 'sites[1].azure.localNetworkGateways[0].bgpSettings.asn', ["'Site5'", "'VNet1GW'", '65010']);
  });

  it('no sharedKey; a GCM policy with a SHA integrity', () => {
    const key = issuesOfText(mutated(RRAS, (_, site) => { delete list(azure(site('VNet1')).connections)[0]!.sharedKey; }));
    has(key, 'AZURE_SHARED_KEY_MISSING', 'error', 'sites[1].azure.connections[0]', ["'VNet1ToSite5'", 'random key']);
    const policy = issuesOfText(mutated(RRAS, (_, site) => {
      list(azure(site('VNet1')).connections)[0]!.ipsecPolicies = [{
        saLifeTimeSeconds: 27000, saDataSizeKilobytes: 102400000, ipsecEncryption: 'GCMAES256', ipsecIntegrity: 'SHA256',
        ikeEncryption: 'AES256', ikeIntegrity: 'SHA256', dhGroup: 'DHGroup2', pfsGroup: 'None',
      }];
    }));
    has(policy, 'AZURE_IPSEC_POLICY', 'error', 'sites[1].azure.connections[0].ipsecPolicies[0].ipsecIntegrity', ["'VNet1ToSite5'", 'GCMAES256']);
  });

  it('BGP on one VNet-to-VNet connection only, no on-premises BGP: the VNets cannot reach each other (PAIR_BGP_OFF)', () => {
    const issues = issuesOfText(mutated(RRAS, (_, site) => {
      list(azure(site('VNet2')).connections)[0]!.enableBgp = false;
      list(azure(site('VNet1')).connections)[0]!.enableBgp = false;
      delete rras(site('OnPrem')).BgpPeers;
    }));
    has(issues, 'PAIR_BGP_OFF', 'warning', 'sites[2].azure.connections[0]', ["'VNet1ToVNet2'", "'VNet2ToVNet1' has enableBgp off"]);
  });

  it('a VNet-to-VNet connection without its way back; two VNets with one ASN', () => {
    const oneWay = issuesOfText(mutated(RRAS, (_, site) => { azure(site('VNet2')).connections = []; }));
    has(oneWay, 'PAIR_NO_PEER_TUNNEL', 'warning', 'sites[1].azure.connections[1]', ["'VNet1ToVNet2'", '198.51.100.20', "'VNet2GW'"]);
    const sameAsn = issuesOfText(mutated(RRAS, (_, site) => { obj(list(azure(site('VNet2')).virtualNetworkGateways)[0]!.bgpSettings).asn = 65010; }));
    has(sameAsn, 'PAIR_DUPLICATE_ASN', 'warning', 'sites[2].azure.virtualNetworkGateways[0].bgpSettings.asn', ["'VNet2GW'", "'VNet1GW'", '65010']);
  });
});

describe('platform checks: RRAS facing Azure', () => {
  it('the demand-dial toggles: IdleDisconnectSeconds, InitiateConfigPayload, RedialOnLinkFailure', () => {
    const issues = issuesOfText(mutated(RRAS, (_, site) => {
      const iface = list(rras(site('OnPrem')).VpnS2SInterfaces)[0]!;
      delete iface.IdleDisconnectSeconds;
      delete iface.InitiateConfigPayload;
      iface.RedialOnLinkFailure = 0;
    }));
    const at = 'sites[0].rras.VpnS2SInterfaces[0]';
    has(issues, 'RRAS_IDLE_DISCONNECT', 'warning', `${at}.IdleDisconnectSeconds`, ["'198.51.100.10'", 'drops when idle', '500']);
    has(issues, 'RRAS_CONFIG_PAYLOAD', 'warning', `${at}.InitiateConfigPayload`, ["'198.51.100.10'", "'VNet1GW'"]);
    has(issues, 'RRAS_NO_REDIAL', 'warning', `${at}.RedialOnLinkFailure`, ["'198.51.100.10'"]);
  });

  it('Protocol other than IKEv2, authentication other than PSKOnly', () => {
    const issues = issuesOfText(mutated(RRAS, (_, site) => {
      const iface = list(rras(site('OnPrem')).VpnS2SInterfaces)[0]!;
      iface.Protocol = 'SSTP';
      iface.AuthenticationMethod = 'MachineCertificates';
    }));
    has(issues, 'RRAS_PROTOCOL', 'error', 'sites[0].rras.VpnS2SInterfaces[0].Protocol', ["'198.51.100.10'", 'SSTP']);
    has(issues, 'RRAS_AUTH_METHOD', 'error', 'sites[0].rras.VpnS2SInterfaces[0].AuthenticationMethod', ["'198.51.100.10'", 'AUTHENTICATION_FAILED']);
  });

  it('a hold time RFC 4271 forbids', () => {
    const issues = issuesOfText(mutated(RRAS, (_, site) => { list(rras(site('OnPrem')).BgpPeers)[0]!.HoldTimeSec = 2; }));
    has(issues, 'RRAS_HOLD_TIME_INVALID', 'error', 'sites[0].rras.BgpPeers[0].HoldTimeSec', ["'AzureS2S'", 'Unacceptable Hold Time']);
  });

  it('more than 4,000 prefixes towards Azure', () => {
    const networks = Array.from({ length: 4001 }, (_, i) => `172.${16 + (i >> 8)}.${i & 255}.0/24`);
    const issues = issuesOfText(mutated(RRAS, (_, site) => { rras(site('OnPrem')).BgpCustomRoutes = [{ Interface: ['LAN'], Network: networks }]; }));
    has(issues, 'PAIR_PREFIX_LIMIT', 'warning', 'sites[0].rras.BgpCustomRoutes', ['4002', "'VNet1GW'", 'drops the BGP session']);
  });

  it('3,998 on-premises prefixes reach VNet2 by transit with VNet1\'s own: over Azure\'s 4,000 on the VNet-to-VNet session', () => {
    const networks = Array.from({ length: 3998 }, (_, i) => `172.${16 + (i >> 8)}.${i & 255}.0/24`);
    const issues = issuesOfText(mutated(RRAS, (_, site) => { rras(site('OnPrem')).BgpCustomRoutes = [{ Interface: ['LAN'], Network: networks }]; }));
    has(issues, 'PAIR_PREFIX_LIMIT', 'warning', 'sites[1].azure.virtualNetworkGateways[0].enableBgp', ["'VNet1GW'", "'VNet2GW'", 'learned from other peers', 'drops the BGP session']);
    assert.ok(!issues.some((i) => i.code === 'PAIR_PREFIX_LIMIT' && i.path.startsWith('sites[0]')), 'RRAS itself stays under the limit towards VNet1');
  });

  it('BGP on RRAS while the Azure connection has it off', () => {
    const issues = issuesOfText(mutated(RRAS, (_, site) => { list(azure(site('VNet1')).connections)[0]!.enableBgp = false; }));
    has(issues, 'PAIR_BGP_OFF', 'warning', 'sites[0].rras.BgpPeers[0]', ["'AzureS2S'", "'VNet1ToSite5'", 'never comes up']);
  });

  it('an RRAS interface with traffic selectors facing a policy-less Azure connection is compared with what Azure routes', () => {
    const issues = issuesOfText(mutated(RRAS, (_, site) => {
      const iface = list(rras(site('OnPrem')).VpnS2SInterfaces)[0]!;
      iface.LocalVpnTrafficSelector = [{ IPAddressRange: ['192.168.37.0', '192.168.37.255'] }];
      iface.RemoteVpnTrafficSelector = [{ IPAddressRange: ['10.3.0.0', '10.3.0.255'] }];
    }));
    has(issues, 'PAIR_TS_MISMATCH', 'warning', 'sites[0].rras.VpnS2SInterfaces[0].RemoteVpnTrafficSelector', ["'198.51.100.10'", '10.3.0.0/24', "VNet 'VNet1' address space 10.3.0.0/16"]);
    // What RRAS's own side covers is not compared: over BGP Azure learns it, the LNG lists only the /32.
    assert.ok(!issues.some((i) => i.path.endsWith('LocalVpnTrafficSelector')), summary(issues));
  });

  it('usePolicyBasedTrafficSelectors facing a route-based RRAS interface (any/any)', () => {
    const issues = issuesOfText(mutated(RRAS, (_, site) => { list(azure(site('VNet1')).connections)[0]!.usePolicyBasedTrafficSelectors = true; }));
    has(issues, 'PAIR_TS_MISMATCH', 'warning', 'sites[1].azure.connections[0].usePolicyBasedTrafficSelectors', ["'VNet1ToSite5'", 'TS_UNACCEPTABLE']);
  });
});

describe('platform checks: Alibaba rules and Alibaba facing Azure', () => {
  it('an omitted Psk is generated, and the peer cannot know it', () => {
    const issues = issuesOfText(mutated(ALIBABA, (_, site) => { delete tunnel(site('AlibabaVPC'), 0).TunnelIkeConfig; }));
    has(issues, 'ALIBABA_PSK_GENERATED', 'warning', 'sites[0].alibaba.VpnConnections[0].TunnelOptionsSpecification[0]', ["'IPsecConnection' Tunnel 1", '16-character']);
  });

  it('tunnel BGP: TunnelCidr rules, the customer gateway ASN 45104', () => {
    const issues = issuesOfText(mutated(ALIBABA, (_, site) => {
      const block = alibaba(site('AlibabaVPC'));
      list(block.VpnConnections)[0]!.EnableTunnelsBgp = true;
      tunnel(site('AlibabaVPC'), 0).TunnelBgpConfig = { TunnelCidr: '169.254.3.0/30', LocalBgpIp: '169.254.3.1' };
      tunnel(site('AlibabaVPC'), 1).TunnelBgpConfig = { TunnelCidr: '169.254.10.0/29', LocalBgpIp: '169.254.10.1' };
      list(block.CustomerGateways)[0]!.Asn = 45104;
      list(block.CustomerGateways)[1]!.Asn = 65515;
    }));
    const at = 'sites[0].alibaba.VpnConnections[0].TunnelOptionsSpecification';
    has(issues, 'ALIBABA_TUNNEL_CIDR', 'error', `${at}[0].TunnelBgpConfig.TunnelCidr`, ["'IPsecConnection' Tunnel 1", '169.254.3.0/30', 'reserved']);
    has(issues, 'ALIBABA_TUNNEL_CIDR', 'error', `${at}[1].TunnelBgpConfig.TunnelCidr`, ["'IPsecConnection' Tunnel 2", 'not a /30']);
    has(issues, 'ALIBABA_RESERVED_ASN', 'error', 'sites[0].alibaba.CustomerGateways[0].Asn', ["'AzureGW1'", '45104']);
    has(issues, 'PAIR_BGP_OFF', 'warning', 'sites[1].azure.connections[0]', ["'IPsecConnection' Tunnel 1", "'AzureVpnGateway' has BGP off"]);
  });

  it('the same TunnelCidr on both tunnels', () => {
    const issues = issuesOfText(mutated(ALIBABA, (_, site) => {
      list(alibaba(site('AlibabaVPC')).VpnConnections)[0]!.EnableTunnelsBgp = true;
      for (const i of [0, 1]) tunnel(site('AlibabaVPC'), i).TunnelBgpConfig = { TunnelCidr: '169.254.21.0/30', LocalBgpIp: '169.254.21.1' };
    }));
    has(issues, 'ALIBABA_TUNNEL_CIDR', 'error', 'sites[0].alibaba.VpnConnections[0].TunnelOptionsSpecification[1].TunnelBgpConfig.TunnelCidr', ['Tunnel 2', 'Tunnel 1', 'own /30']);
  });

  it('IKEv1 on Alibaba against Azure\'s IKEv2', () => {
    const issues = issuesOfText(mutated(ALIBABA, (_, site) => { obj(tunnel(site('AlibabaVPC'), 1).TunnelIkeConfig).IkeVersion = 'ikev1'; }));
    has(issues, 'PAIR_IKE_VERSION', 'warning', 'sites[0].alibaba.VpnConnections[0].TunnelOptionsSpecification[1].TunnelIkeConfig.IkeVersion', ["'IPsecConnection' Tunnel 2", "'ToAlibabaTunnel2'", 'IKEv1']);
  });

  it('a single-tunnel connection defaults to IKEv1, which Azure\'s IKEv2 connection does not speak', () => {
    const issues = issuesOfText(mutated(ALIBABA, (_, site) => {
      const conn = list(alibaba(site('AlibabaVPC')).VpnConnections)[0]!;
      delete conn.TunnelOptionsSpecification;
      conn.CustomerGatewayId = 'AzureGW1';
      conn.IkeConfig = { Psk: 'Tunnel1Key7Qm4Xz' };
    }));
    has(issues, 'PAIR_IKE_VERSION', 'warning', 'sites[0].alibaba.VpnConnections[0].IkeConfig.IkeVersion', ["IPsec connection 'IPsecConnection'", "'ToAlibabaTunnel1'", 'IKEv1']);
  });

  it('more than 50 prefixes towards Alibaba\'s BGP route table', () => {
    const issues = issuesOfText(mutated(ALIBABA, (_, site) => {
      const vnet = site('AzureVNet');
      vnet.addressSpace = ['192.168.0.0/16', ...Array.from({ length: 50 }, (_, i) => `172.16.${i}.0/24`)];
      const gateway = list(azure(vnet).virtualNetworkGateways)[0]!;
      gateway.enableBgp = true;
      gateway.bgpSettings = { asn: 65010 };
      for (const c of list(azure(vnet).connections)) c.enableBgp = true;
      list(azure(vnet).localNetworkGateways).forEach((l, i) => { l.bgpSettings = { asn: 45104, bgpPeeringAddress: `10.0.${i}.200` }; });
      const block = alibaba(site('AlibabaVPC'));
      list(block.VpnConnections)[0]!.EnableTunnelsBgp = true;
      for (const i of [0, 1]) tunnel(site('AlibabaVPC'), i).TunnelBgpConfig = { TunnelCidr: `169.254.2${i + 1}.0/30`, LocalBgpIp: `169.254.2${i + 1}.1` };
      for (const c of list(block.CustomerGateways)) c.Asn = 65010;
    }));
    has(issues, 'PAIR_PREFIX_LIMIT', 'warning', 'sites[1].azure.virtualNetworkGateways[0].enableBgp', ["'AzureVpnGateway'", '51 prefixes', 'quota of 50']);
    has(issues, 'PAIR_BGP_PEER_ADDRESS', 'warning', 'sites[0].alibaba.VpnConnections[0].TunnelOptionsSpecification[0].TunnelBgpConfig.LocalBgpIp', ["'AlibabaTunnel1'", '10.0.0.200']);
  });

  const policy = (pfsGroup: string, ipsecEncryption = 'AES128') => ({
    saLifeTimeSeconds: 27000, saDataSizeKilobytes: 102400000, ipsecEncryption, ipsecIntegrity: 'SHA1',
    ikeEncryption: 'AES128', ikeIntegrity: 'SHA1', dhGroup: 'DHGroup2', pfsGroup,
  });

  it('PFS on one side only: the first CHILD_SA comes up, its rekey fails', () => {
    const issues = issuesOfText(mutated(ALIBABA, (_, site) => { list(azure(site('AzureVNet')).connections)[0]!.ipsecPolicies = [policy('None')]; }));
    has(issues, 'PAIR_PFS_MISMATCH', 'warning', 'sites[0].alibaba.VpnConnections[0].TunnelOptionsSpecification[0].TunnelIkeConfig', ["'ToAlibabaTunnel1'", 'Azure rekeys first (after 27000 s)', 'NO_PROPOSAL_CHOSEN']);
  });

  it('no ESP proposal in common', () => {
    const issues = issuesOfText(mutated(ALIBABA, (_, site) => { list(azure(site('AzureVNet')).connections)[0]!.ipsecPolicies = [policy('PFS2', 'AES256')]; }));
    has(issues, 'PAIR_NO_ESP_PROPOSAL', 'warning', 'sites[0].alibaba.VpnConnections[0].TunnelOptionsSpecification[0].TunnelIkeConfig', ["'ToAlibabaTunnel1'", 'NO_PROPOSAL_CHOSEN']);
  });

  it('a protected data flow narrower than the VNet, against a route-based Azure connection: a warning', () => {
    const issues = issuesOfText(mutated(ALIBABA, (_, site) => { list(alibaba(site('AlibabaVPC')).VpnConnections)[0]!.RemoteSubnet = ['192.168.1.0/24']; }));
    has(issues, 'PAIR_TS_MISMATCH', 'warning', 'sites[0].alibaba.VpnConnections[0].RemoteSubnet', ["'IPsecConnection'", '192.168.1.0/24', "VNet 'AzureVNet' address space"]);
  });

  it('both tunnels on one customer gateway: Azure instance 1 has no tunnel', () => {
    const issues = issuesOfText(mutated(ALIBABA, (_, site) => { tunnel(site('AlibabaVPC'), 1).CustomerGatewayId = 'AzureGW1'; }));
    has(issues, 'PAIR_CUSTOMER_GATEWAY_MISSING', 'warning', 'sites[0].alibaba.VpnConnections[0]', ["'IPsecConnection'", 'instance 1', '198.51.100.166']);
  });

  it('a protected data flow with AutoConfigRoute false and no route entry: no route at all', () => {
    const issues = issuesOfText(mutated(ALIBABA, (_, site) => {
      const block = alibaba(site('AlibabaVPC'));
      list(block.VpnConnections)[0]!.AutoConfigRoute = false;
      block.VpnPbrRouteEntries = [];
    }));
    has(issues, 'ALIBABA_ROUTE_UNPUBLISHED', 'warning', 'sites[0].alibaba.VpnConnections[0].RemoteSubnet[0]', ["'IPsecConnection'", '192.168.0.0/16', 'no route']);
  });
});

describe('pairing: which tunnel ends face each other', () => {
  const load = (file: string) => parseTopology(readFileSync(`examples/${file}`, 'utf8'), file).topology;
  const pairingOf = (topology: ReturnType<typeof load>) => planAndPair(resolveNetwork(topology), IGNORE_FINDINGS).pairing;

  it('seed 000: RRAS ⇄ VNet1ToSite5 and VNet1ToVNet2 ⇄ VNet2ToVNet1', () => {
    const pairing = pairingOf(load(RRAS));
    const shown = pairing.pairs.map((p) => `${p.a.label} ⇄ ${p.b.label}`);
    assert.deepEqual(shown, ["Azure connection 'VNet1ToSite5' ⇄ RRAS S2S interface '198.51.100.10'", "Azure connection 'VNet1ToVNet2' ⇄ Azure connection 'VNet2ToVNet1'"]);
    const rrasEnd = pairing.ends.find((e) => e.platform === 'rras')!;
    assert.deepEqual(partnersOf(pairing, rrasEnd).map((e) => e.label), ["Azure connection 'VNet1ToSite5'"]);
    assert.equal(describeAddress(pairing, parseIpv4('203.0.113.10')), "203.0.113.10 (RRAS 'RRAS2016')");
    assert.equal(describeAddress(pairing, parseIpv4('198.51.100.20')), "198.51.100.20 (Azure gateway 'VNet2GW')");
  });

  it('seed 003: each Alibaba tunnel faces one instance of the active-active gateway; the other two Azure tunnels stay unanswered', () => {
    const pairing = pairingOf(load(ALIBABA));
    assert.equal(pairing.ends.filter((e) => e.platform === 'azure').length, 4);
    assert.equal(pairing.ends.filter((e) => e.platform === 'alibaba').length, 2);
    const shown = pairing.pairs.map((p) => `${p.a.label} ⇄ ${p.b.label}`);
    assert.deepEqual(shown, [
      "Azure connection 'ToAlibabaTunnel1' (instance 0) ⇄ Alibaba Cloud IPsec connection 'IPsecConnection' Tunnel 1 (master)",
      "Azure connection 'ToAlibabaTunnel2' (instance 1) ⇄ Alibaba Cloud IPsec connection 'IPsecConnection' Tunnel 2 (slave)",
    ]);
    assert.equal(describeAddress(pairing, parseIpv4('192.0.2.75')), "192.0.2.75 (Alibaba VPN gateway 'VpnGateway' IPsec address 2)");
  });

  it('an Azure gateway without GatewaySubnet has no facts and no ends (the Azure checks report it)', () => {
    const doc = parse(mutated(RRAS, (_, site) => { list(site('VNet2').subnets)[1]!.name = 'gw'; })) as unknown;
    const pairing = pairingOf(topologySchema.parse(doc));
    assert.deepEqual([...new Set(pairing.ends.filter((e) => e.platform === 'azure').map((e) => e.gateway.name))], ["Azure gateway 'VNet1GW'"]);
    assert.deepEqual(pairing.pairs.map((p) => p.a.label), ["Azure connection 'VNet1ToSite5'"]);
  });

  it('the same ends whichever platform is declared first: the cloud end is always `a`, findings go to the device', () => {
    const doc = parse(readFileSync(`examples/${RRAS}`, 'utf8')) as Json;
    (doc.sites as Json[]).reverse();
    const pairing = pairingOf(topologySchema.parse(doc));
    assert.ok(pairing.pairs.some((p) => p.a.platform === 'azure' && p.b.platform === 'rras'));
  });
});

describe('proposal intersection', () => {
  const azureDefaults = { ike: AZURE_IKE_PROPOSALS, esp: [...AZURE_ESP_INITIATOR, ...AZURE_ESP_RESPONDER_EXTRA] };

  it('Azure defaults against Alibaba dual-tunnel defaults: IKE, the first CHILD_SA and its rekeys all agree', () => {
    assert.deepEqual(matchProposals(azureDefaults, { ike: ['aes128-sha1-modp1024'], esp: ['aes128-sha1-modp1024'] }),
      { ike: 'aes128-sha1-modp1024', childSa: 'aes128-sha1', rekey: 'aes128-sha1-modp1024' });
  });

  it('PFS on one side: the first CHILD_SA (no KE in IKE_AUTH) agrees, the rekey does not', () => {
    assert.deepEqual(matchProposals({ ike: ['aes128-sha1-modp1024'], esp: ['aes128-sha1'] }, { ike: ['aes128-sha1-modp1024'], esp: ['aes128-sha1-modp2048'] }),
      { ike: 'aes128-sha1-modp1024', childSa: 'aes128-sha1', rekey: undefined });
  });

  it('a different DH group alone breaks IKE', () => {
    assert.equal(matchProposals({ ike: ['aes256-sha256-modp2048'], esp: ['aes256-sha256'] }, { ike: ['aes256-sha256-modp1024'], esp: ['aes256-sha256'] }).ike, undefined);
  });

  it('takes our preference order', () => {
    const ours = { ike: ['aes256-sha256-modp2048', 'aes128-sha1-modp1024'], esp: ['aes256gcm16', 'aes128-sha1'] };
    const theirs = { ike: ['aes128-sha1-modp1024', 'aes256-sha256-modp2048'], esp: ['aes128-sha1', 'aes256gcm16'] };
    assert.deepEqual(matchProposals(ours, theirs), { ike: 'aes256-sha256-modp2048', childSa: 'aes256gcm16', rekey: 'aes256gcm16' });
  });

  it('nothing in common', () => {
    assert.deepEqual(matchProposals({ ike: ['3des-sha1-modp1024'], esp: ['3des-sha1'] }, { ike: ['aes256-sha512-modp2048'], esp: ['aes256-sha512'] }),
      { ike: undefined, childSa: undefined, rekey: undefined });
  });
});
