/*
 * A hybrid network of a given number of subnets, written as a topology file: Azure hub VNets,
 * each with a BGP-enabled VPN gateway, and on-premises RRAS branches, each with one IKEv2 tunnel
 * and one BGP session to its hub and SUBNETS_PER_BRANCH LAN subnets (one host on the first). Every
 * generic and platform check has work to do, and the file is valid, so `check` runs them all.
 *
 * Address plan: branch b owns the b-th block of 10.0.0.0/8 big enough for its /24s and answers from 198.18.0.0/15;
 * hub h owns 172.16.0.0/12's h-th /20 and answers from 198.19.255.0/24.
 */

export interface ScaleShape {
  /** LAN subnets of each branch (the last branch takes what is left). */
  readonly subnetsPerBranch: number;
  /** A host on every LAN subnet, not only on the first. */
  readonly hostPerSubnet: boolean;
}

/** Many branches of 50 subnets, as a hub-and-spoke network grows. */
export const SPREAD: ScaleShape = { subnetsPerBranch: 50, hostPerSubnet: false };
/** One branch holding every subnet, each with a host: the per-site checks at their largest. */
export const ONE_SITE: ScaleShape = { subnetsPerBranch: Number.MAX_SAFE_INTEGER, hostPerSubnet: true };
/** At most this many connections per Azure gateway (VpnGw1–3 take 30). */
export const BRANCHES_PER_HUB = 25;

function ipv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}

const BRANCH_BASE = 10 << 24;
const HUB_BASE = ((172 << 24) | (16 << 16)) >>> 0;
const BRANCH_PUBLIC = ((198 << 24) | (18 << 16)) >>> 0;
const HUB_PUBLIC = ((198 << 24) | (19 << 16) | (255 << 8)) >>> 0;

/** log2 of how many /24s one branch's address space holds. */
function spaceBits(perBranch: number): number {
  return Math.max(0, Math.ceil(Math.log2(perBranch)));
}

interface Branch {
  name: string;
  asn: number;
  space: number;
  lanAddress: string;
  publicAddress: string;
}

function branchOf(b: number, bits: number): Branch {
  const space = (BRANCH_BASE + b * 2 ** (bits + 8)) >>> 0;
  return { name: `branch${b}`, asn: 64512 + b, space, lanAddress: ipv4(space + 1), publicAddress: ipv4(BRANCH_PUBLIC + 1 + b) };
}

function hubSpace(h: number): number {
  return (HUB_BASE + h * (1 << 12)) >>> 0;
}

function hubBgpAddress(h: number): string {
  return ipv4(hubSpace(h) + 256 + 254);
}

function hubPublic(h: number): string {
  return ipv4(HUB_PUBLIC + 1 + h);
}

function branchSite(b: number, subnets: number, hub: number, bits: number, shape: ScaleShape): string {
  const br = branchOf(b, bits);
  const lines = [
    `  - name: ${br.name}`,
    '    platform: rras',
    `    addressSpace: [${ipv4(br.space)}/${24 - bits}]`,
    '    subnets:',
  ];
  for (let s = 0; s < subnets; s++) lines.push(`      - { name: lan${s}, prefix: ${ipv4(br.space + s * 256)}/24 }`);
  lines.push('    hosts:');
  for (let s = 0; s < (shape.hostPerSubnet ? subnets : 1); s++) {
    lines.push(`      - { name: pc${b}-${s}, os: windows, subnet: lan${s}, address: ${ipv4(br.space + s * 256 + 10)} }`);
  }
  lines.push(
    '    rras:',
    '      Server:',
    `        Name: RRAS${b}`,
    '        NetworkAdapters:',
    `          - { Name: Internet, IPAddress: ${br.publicAddress}/24, Internet: true }`,
    `          - { Name: LAN, IPAddress: ${br.lanAddress}, Subnet: lan0 }`,
    '      VpnS2SInterfaces:',
    `        - Name: "${hubPublic(hub)}"`,
    `          Destination: ["${hubPublic(hub)}"]`,
    '          Protocol: IKEv2',
    '          AuthenticationMethod: PSKOnly',
    '          ResponderAuthenticationMethod: PSKOnly',
    '          NumberOfTries: 3',
    '          IPv4Subnet: []',
    `          SharedSecret: Branch${b}Key7Qm4Xz`,
    '          InitiateConfigPayload: false',
    '          IdleDisconnectSeconds: 0',
    '          RedialOnLinkFailure: 1',
    '      VpnServerIPsecConfiguration: { EncryptionType: MaximumEncryption }',
    '      BgpRouter:',
    `        BgpIdentifier: ${br.lanAddress}`,
    `        LocalASN: ${br.asn}`,
    '      BgpPeers:',
    `        - { Name: Hub, LocalIPAddress: ${br.lanAddress}, PeerIPAddress: ${hubBgpAddress(hub)}, PeerASN: ${65000 + hub} }`,
    '      BgpCustomRoutes:',
    '        - Interface: [LAN]',
    '      NetRoutes:',
    `        - { DestinationPrefix: ${hubBgpAddress(hub)}/32, InterfaceAlias: "${hubPublic(hub)}" }`,
  );
  return lines.join('\n');
}

function hubSite(h: number, branches: readonly number[], bits: number): string {
  const space = hubSpace(h);
  const lines = [
    `  - name: hub${h}`,
    '    platform: azure',
    `    addressSpace: [${ipv4(space)}/20]`,
    '    subnets:',
    `      - { name: default, prefix: ${ipv4(space)}/24 }`,
    `      - { name: GatewaySubnet, prefix: ${ipv4(space + 256 + 224)}/27 }`,
    '    hosts:',
    `      - { name: vm${h}, os: linux, subnet: default, address: ${ipv4(space + 4)} }`,
    '    azure:',
    '      virtualNetworkGateways:',
    `        - name: hub${h}gw`,
    '          gatewayType: Vpn',
    '          vpnType: RouteBased',
    '          sku: VpnGw3',
    '          enableBgp: true',
    `          bgpSettings: { asn: ${65000 + h}, bgpPeeringAddress: ${hubBgpAddress(h)} }`,
    '          ipConfigurations:',
    `            - { name: ipconfig1, subnet: GatewaySubnet, publicIPAddress: ${hubPublic(h)} }`,
    '      localNetworkGateways:',
  ];
  for (const b of branches) {
    const br = branchOf(b, bits);
    lines.push(
      `        - name: ${br.name}`,
      `          gatewayIpAddress: ${br.publicAddress}`,
      `          localNetworkAddressSpace: { addressPrefixes: [${br.lanAddress}/32] }`,
      `          bgpSettings: { asn: ${br.asn}, bgpPeeringAddress: ${br.lanAddress} }`,
    );
  }
  lines.push('      connections:');
  for (const b of branches) {
    lines.push(
      `        - name: to-branch${b}`,
      '          connectionType: IPsec',
      `          virtualNetworkGateway1: hub${h}gw`,
      `          localNetworkGateway2: branch${b}`,
      `          sharedKey: Branch${b}Key7Qm4Xz`,
      '          enableBgp: true',
    );
  }
  return lines.join('\n');
}

/** The topology file of `subnets` LAN subnets (at most 400 branches, all inside 10.0.0.0/8). */
export function scaleTopology(subnets: number, shape: ScaleShape = SPREAD): string {
  const per = Math.min(shape.subnetsPerBranch, subnets);
  const branches = Math.ceil(subnets / per);
  const bits = spaceBits(per);
  if (branches > 400 || branches * 2 ** bits > 65536) throw new RangeError('at most 400 branches, inside 10.0.0.0/8');
  const hubs = Math.ceil(branches / BRANCHES_PER_HUB);
  const sites: string[] = [];
  for (let h = 0; h < hubs; h++) {
    const mine: number[] = [];
    for (let b = h * BRANCHES_PER_HUB; b < Math.min(branches, (h + 1) * BRANCHES_PER_HUB); b++) mine.push(b);
    sites.push(hubSite(h, mine, bits));
    for (const b of mine) sites.push(branchSite(b, Math.min(per, subnets - b * per), h, bits, shape));
  }
  return [`name: check-scale-${subnets}`, 'seed: 1', 'sites:', ...sites, ''].join('\n');
}
