import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Artifact, ExportFormat } from '../../src/platforms/artifacts.js';
import { exportNetwork } from '../../src/platforms/export.js';
import { parseTopology } from '../../src/platforms/load.js';

/*
 * What the Alibaba export tests share: every example with an Alibaba site, a topology that sets
 * every field of the `alibaba:` block (so that a test can see none is lost), and the export of a
 * file's Alibaba sites in one format.
 */

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return name.endsWith('.yaml') ? [path] : [];
  });
}

/** Every example with an Alibaba site, with its text. */
export const ALIBABA_EXAMPLES: { file: string; text: string }[] = yamlFiles('examples')
  .map((file) => ({ file, text: readFileSync(file, 'utf8') }))
  .filter((e) => /platform:\s*alibaba\b/.test(e.text));

/** An Alibaba VPC with every field of the block set: a dual-tunnel connection with BGP, a single-tunnel one with BGP and a health check, both kinds of routes. */
export const EVERY_FIELD = `
name: alibaba-every-field
sites:
  - name: Ali.VPC
    platform: alibaba
    region: ap-southeast-1
    description: every field of the alibaba block
    addressSpace: [10.10.0.0/16, 10.20.0.0/16]
    subnets:
      - { name: vsw-1, prefix: 10.10.0.0/24, zone: ap-southeast-1a, description: first }
      - { name: vsw-2, prefix: 10.10.1.0/24, zone: ap-southeast-1b }
      - { name: vsw-3, prefix: 10.20.0.0/24 }
    alibaba:
      VpnGateways:
        - Name: gw-dual
          VpcId: vpc-t4nexample0001
          VSwitchId: vsw-1
          DisasterRecoveryVSwitchId: vsw-2
          NetworkType: public
          VpnType: Normal
          Bandwidth: 200
          EnableIpsec: true
          EnableSsl: true
          SslConnections: 10
          AutoPropagate: false
          InternetIp: 203.0.113.10
          DisasterRecoveryInternetIp: 203.0.113.11
          Description: the dual-tunnel gateway
      CustomerGateways:
        - { Name: cgw-a, IpAddress: 198.51.100.1, Asn: 65001, AuthKey: "md5'key\\"$x", Description: peer A }
        - { Name: cgw-b, IpAddress: 198.51.100.2, Asn: "1.10" }
      VpnConnections:
        - Name: vco-dual
          VpnGatewayId: gw-dual
          RoutingMode: DestinationRouting
          LocalSubnet: [0.0.0.0/0]
          RemoteSubnet: [0.0.0.0/0]
          EffectImmediately: true
          AutoConfigRoute: false
          EnableTunnelsBgp: true
          Description: two tunnels
          TunnelOptionsSpecification:
            - Role: master
              CustomerGatewayId: cgw-a
              EnableDpd: true
              EnableNatTraversal: false
              TunnelIkeConfig: { Psk: "p\${s}k'1%{x}", IkeVersion: ikev2, IkeMode: main, IkeEncAlg: aes256, IkeAuthAlg: sha256, IkePfs: group14, IkeLifetime: 28800, LocalId: ali.example, RemoteId: peer.example }
              TunnelIpsecConfig: { IpsecEncAlg: aes256, IpsecAuthAlg: sha256, IpsecPfs: group14, IpsecLifetime: 3600 }
              TunnelBgpConfig: { LocalAsn: 65100, TunnelCidr: 169.254.30.0/30, LocalBgpIp: 169.254.30.1 }
            - Role: slave
              CustomerGatewayId: cgw-b
              TunnelIkeConfig: { Psk: psk-two }
              TunnelBgpConfig: { TunnelCidr: 169.254.31.0/30, LocalBgpIp: 169.254.31.1 }
        - Name: vco-single
          VpnGatewayId: gw-dual
          CustomerGatewayId: cgw-b
          LocalSubnet: [10.10.0.0/24, 10.10.1.0/24]
          RemoteSubnet: [172.16.0.0/16]
          EnableDpd: false
          EnableNatTraversal: true
          IkeConfig: { Psk: single-psk, IkeVersion: ikev1, IkeMode: aggressive, IkeEncAlg: aes, IkeAuthAlg: sha1, IkePfs: group2, IkeLifetime: 86400, LocalId: 203.0.113.10, RemoteId: 198.51.100.2 }
          IpsecConfig: { IpsecEncAlg: aes, IpsecAuthAlg: sha1, IpsecPfs: disabled, IpsecLifetime: 86400 }
          BgpConfig: { EnableBgp: true, LocalAsn: "2.20", TunnelCidr: 169.254.40.0/30, LocalBgpIp: 169.254.40.1 }
          HealthCheckConfig: { enable: true, dip: 172.16.0.1, sip: 10.10.0.5, interval: 5, retry: 4, policy: reserve_route }
      VpnPbrRouteEntries:
        - { VpnGatewayId: gw-dual, RouteSource: 10.10.0.0/24, RouteDest: 172.16.0.0/16, NextHop: vco-single, Weight: 100, Priority: 5, PublishVpc: true, Description: system route }
        - { VpnGatewayId: gw-dual, RouteSource: 10.20.0.0/16, RouteDest: 172.17.0.0/16, NextHop: vco-dual, Weight: 0, Priority: 20, PublishVpc: false, Description: own route }
      VpnRouteEntries:
        - { VpnGatewayId: gw-dual, RouteDest: 172.18.0.0/16, NextHop: vco-dual, Weight: 100, PublishVpc: true, Description: dest route }
`;

/** The Alibaba sites' artifacts of a topology in one format (check errors kept, as --force does). */
export function exportAlibaba(text: string, file: string, format: ExportFormat, redact = false): Artifact[] {
  const loaded = parseTopology(text, file, { keepCheckErrors: true });
  const alibaba = loaded.topology.sites.filter((s) => s.platform === 'alibaba' && s.alibaba !== undefined);
  return alibaba.flatMap((site) => exportNetwork(loaded.network, {
    provenance: { file, vpnlabVersion: 'test' }, redact, site: site.name, formats: [format],
  }).artifacts.filter((a) => a.format === format));
}
