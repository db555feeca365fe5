import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Artifact, ExportFormat } from '../../src/platforms/artifacts.js';
import { exportNetwork } from '../../src/platforms/export.js';
import { loadTopologyFile } from '../../src/platforms/load.js';

/**
 * Every example topology (examples/ and its folders, broken ones included: check's errors are kept);
 * the folders' other files (vpnlab bgpd and ike configurations) have no top-level `sites:`.
 */
export function exampleFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.yaml') && /^sites:/m.test(readFileSync(join(dir, e.name), 'utf8'))) out.push(join(dir, e.name));
    }
  };
  walk('examples');
  return out.sort();
}

/** The artifacts of these formats that `vpnlab export FILE [--redact]` writes (every site, default formats). */
export function exportFile(file: string, formats: readonly ExportFormat[], options: { redact?: boolean } = {}): Artifact[] {
  const { network } = loadTopologyFile(file, { keepCheckErrors: true });
  const { artifacts } = exportNetwork(network, { provenance: { file, vpnlabVersion: 'test' }, redact: options.redact === true });
  return artifacts.filter((a) => (formats as readonly string[]).includes(a.format));
}

/**
 * A gateway with every field of the `linux:` block that reaches a file: two connections (one
 * route-based with encap, mobike, if_ids, an FQDN identity; one policy-based with defaults), a
 * child with every option, secrets with several identities and a key that needs quoting, BGP
 * neighbours with description, update-source by name and by address, timers, maximum-prefix,
 * ebgp-multihop, passive, remote-as external and internal. check finds errors in it (its peers
 * are not modelled): exported with them kept, as `vpnlab export --force` does.
 */
export const LINUX_KITCHEN_SINK = `${[
  "name: kitchen-sink-linux",
  "sites:",
  "  - name: Lab",
  "    platform: linux",
  "    addressSpace: [192.168.50.0/24]",
  "    subnets:",
  "      - { name: lan, prefix: 192.168.50.0/24 }",
  "    linux:",
  "      gateways:",
  "        - name: edge-1",
  "          description: every swanctl, frr and ip field vpnlab knows",
  "          interfaces:",
  "            - { name: eth0, address: 203.0.113.50/24, internet: true, mtu: 1500 }",
  "            - { name: eth1, address: 192.168.50.1, subnet: lan }",
  "          xfrm:",
  "            - { name: xfrm7, if_id: 7, mtu: 1400, set-mss: 1360, addresses: [169.254.21.2/30] }",
  "          routes:",
  "            - { to: 10.8.0.0/16, dev: xfrm7, metric: 50 }",
  "            - { to: 10.9.0.0/16, via: 192.168.50.254 }",
  "            - { to: 169.254.21.1/32, dev: xfrm7 }",
  "          swanctl:",
  "            connections:",
  "              routed:",
  "                version: 2",
  "                local_addrs: [203.0.113.50]",
  "                remote_addrs: [198.51.100.77]",
  "                proposals: [aes256-sha256-modp2048, aes128-sha1-modp1024]",
  "                rekey_time: 28800",
  "                dpd_delay: 30",
  "                encap: yes",
  "                mobike: no",
  "                if_id_in: 7",
  "                if_id_out: 7",
  "                local: { auth: psk, id: \"edge-1.example.net\" }",
  "                remote: { id: 198.51.100.77 }",
  "                children:",
  "                  routed-any:",
  "                    mode: tunnel",
  "                    local_ts: [0.0.0.0/0]",
  "                    remote_ts: [0.0.0.0/0]",
  "                    esp_proposals: [aes256gcm16, aes256-sha256-modp2048]",
  "                    rekey_time: 3600",
  "                    life_time: 3960",
  "                    start_action: trap",
  "                    dpd_action: clear",
  "                    close_action: none",
  "              policy:",
  "                local_addrs: [203.0.113.50]",
  "                remote_addrs: [198.51.100.88]",
  "                children:",
  "                  lan-to-lan:",
  "                    local_ts: [192.168.50.0/24]",
  "                    remote_ts: [10.20.0.0/16, 10.21.0.0/16]",
  "                    start_action: none",
  "            secrets:",
  "              ike-routed: { id: [edge-1.example.net, 198.51.100.77], secret: 'a \"quoted\" key with spaces # and \\ backslash' }",
  "              ike-any: { secret: any-peer-key }",
  "          frr:",
  "            router bgp:",
  "              asn: 65050",
  "              bgp router-id: 192.168.50.1",
  "              neighbors:",
  "                169.254.21.1:",
  "                  remote-as: 65515",
  "                  description: the cloud side, through xfrm7",
  "                  update-source: xfrm7",
  "                  timers: [10, 30]",
  "                  maximum-prefix: 100",
  "                10.8.0.4:",
  "                  remote-as: external",
  "                  ebgp-multihop: 2",
  "                  passive: true",
  "                  update-source: 192.168.50.1",
  "                192.168.50.2:",
  "                  remote-as: internal",
  "              network: [192.168.50.0/24, 169.254.21.0/30]",
].join('\n')}\n`;
