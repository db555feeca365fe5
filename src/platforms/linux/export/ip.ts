import { formatIpv4, formatPrefix, makePrefix } from '../../../net/address.js';
import { headerLines, type Artifact, type ExportContext } from '../../artifacts.js';
import type { ModelRef } from '../../adapter.js';
import { NOT_IN_TOPOLOGY } from '../import/settings.js';
import type { LinuxGatewayModel, LinuxModel, LinuxXfrm } from '../model.js';

/*
 * ip.sh of one Linux gateway: the iproute2 commands the topology's `interfaces`, `xfrm` and
 * `routes` stand for, and the sysctls a VPN gateway needs. Idempotent: addresses and routes use
 * `replace`, an XFRM interface is added only when missing, the MSS clamp only when `iptables -C`
 * does not find it. The NICs are assumed to exist with the names the topology gives (cabling
 * them is not the script's business).
 */

function quote(word: string): string {
  return /^[A-Za-z0-9_.:/@%+=-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The NIC an XFRM interface rides on: its `dev`, else the NIC of the connection that uses its if_id. */
function underlying(gateway: LinuxGatewayModel, x: LinuxXfrm): string | undefined {
  if (x.resource.dev !== undefined) return x.resource.dev;
  const conn = gateway.connections.find((c) => c.children.some((ch) => ch.ifId?.value === x.ifId));
  return conn === undefined ? undefined : gateway.nics.find((n) => n.address === conn.local.value)?.name;
}

/** `<site>/<gateway>/ip.sh`. */
export function ipArtifact(ref: ModelRef<'linux', LinuxModel | undefined>, gateway: LinuxGatewayModel, context: ExportContext): Artifact {
  const lines = [
    '#!/bin/sh',
    ...headerLines(context, ref.site, `ip.sh of gateway '${gateway.name}'`, false).map((l) => `# ${l}`),
    ...(gateway.resource.description === undefined ? [] : [`# Gateway '${gateway.name}': ${gateway.resource.description.replace(/\s+/g, ' ')}`]),
    '# Run as root on the gateway, before strongSwan and FRR load their files; running it again',
    '# changes nothing (addresses and routes are replaced, interfaces and rules added when missing).',
    '# Nothing here survives a reboot: run it at boot (a systemd unit before strongswan and frr), or carry',
    '# the same settings into the distribution\'s network configuration (netplan, ifupdown, NetworkManager).',
    'set -eu',
    '',
    '# A gateway forwards, and no reverse-path filter may drop what a tunnel delivers on another',
    '# interface than the one its source is routed through.',
    'sysctl -qw net.ipv4.ip_forward=1',
    'sysctl -qw net.ipv4.conf.all.rp_filter=0',
    '',
    '# Network interfaces',
  ];
  for (const nic of gateway.nics) {
    const prefix = nic.prefix ?? makePrefix(nic.address, 32);
    const cabled = nic.attach === 'internet' ? ' (the Internet)' : nic.attach === undefined ? '' : ` (subnet ${nic.attach.subnet})`;
    lines.push(`# ${nic.name}${cabled}`);
    lines.push(`ip address replace ${formatIpv4(nic.address)}/${prefix.length} dev ${quote(nic.name)}`);
    lines.push(`ip link set ${quote(nic.name)}${nic.resource.mtu !== undefined ? ` mtu ${nic.resource.mtu}` : ''} up`);
    if (nic.resource.internet !== true) lines.push(`sysctl -qw net.ipv4.conf.${nic.name.replace(/\./g, '/')}.rp_filter=0`);
  }
  if (gateway.xfrm.length > 0) lines.push('', '# XFRM interfaces: the SAs with if_id_in/if_id_out N carry what is routed into the interface of if_id N');
  for (const x of gateway.xfrm) {
    const dev = underlying(gateway, x);
    const name = quote(x.name);
    if (x.resource.dev === undefined && dev !== undefined) lines.push(`# ${NOT_IN_TOPOLOGY}: dev ${dev} (the NIC of the connection with if_id ${x.ifId})`);
    lines.push(`ip link show ${name} >/dev/null 2>&1 || ip link add ${name} type xfrm${dev === undefined ? '' : ` dev ${quote(dev)}`} if_id ${x.ifId}`);
    lines.push(`ip link set ${name}${x.mtu !== undefined ? ` mtu ${x.mtu}` : ''} up`);
    for (const a of x.addresses) lines.push(`ip address replace ${formatIpv4(a.address)}/${a.prefix.length} dev ${name}`);
    lines.push(`sysctl -qw net.ipv4.conf.${x.name.replace(/\./g, '/')}.rp_filter=0`);
  }
  if (gateway.routes.length > 0) lines.push('', '# Static routes');
  for (const r of gateway.routes) {
    const words = [`ip route replace ${formatPrefix(r.prefix)}`];
    if (r.via !== undefined) words.push(`via ${formatIpv4(r.via)}`);
    if (r.dev !== undefined) words.push(`dev ${quote(r.dev.name)}`);
    if (r.resource.metric !== undefined) words.push(`metric ${r.resource.metric}`);
    lines.push(words.join(' '));
  }
  const clamped = gateway.xfrm.filter((x) => x.mss !== undefined);
  if (clamped.length > 0) lines.push('', '# TCP MSS clamping on the tunnel interfaces (iptables; with nftables: `tcp option maxseg size set N`)');
  for (const x of clamped) {
    const rule = `FORWARD -o ${quote(x.name)} -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss ${x.mss}`;
    lines.push(`iptables -t mangle -C ${rule} 2>/dev/null || iptables -t mangle -A ${rule}`);
  }
  return { path: `${ref.site.name}/${gateway.name}/ip.sh`, format: 'ip', text: `${lines.join('\n')}\n`, holdsSecrets: false };
}
