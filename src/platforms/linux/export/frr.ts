import { headerLines, type Artifact, type ExportContext } from '../../artifacts.js';
import type { ModelRef } from '../../adapter.js';
import type { LinuxGatewayModel, LinuxModel } from '../model.js';

/*
 * frr.conf of one Linux gateway: FRR's integrated configuration with the `router bgp` of the
 * topology's `frr:` block, command word for command word (the block is written in FRR's names).
 * `frr defaults traditional` is written because vpnlab emulates that profile's timers (keepalive
 * 60, hold 180; LINUX_DEFAULTS); a build whose default is `datacenter` would otherwise run 3/9.
 * Neighbour settings that FRR keeps per address family (maximum-prefix) go under
 * `address-family ipv4 unicast` with the `network` statements.
 *
 * The topology has no route-map or prefix-list vocabulary: with FRR's default
 * `bgp ebgp-requires-policy` an eBGP neighbour exchanges no routes, exactly as vpnlab emulates it;
 * the file says so in a comment instead of inventing a policy.
 */

/** `<site>/<gateway>/frr.conf`; undefined for a gateway without an `frr:` block. */
export function frrArtifact(ref: ModelRef<'linux', LinuxModel | undefined>, gateway: LinuxGatewayModel, context: ExportContext): Artifact | undefined {
  const bgp = gateway.resource.frr?.['router bgp'];
  if (bgp === undefined) return undefined;
  const lines = [
    ...headerLines(context, ref.site, `frr.conf of gateway '${gateway.name}'`, false).map((l) => `! ${l}`),
    ...(gateway.resource.description === undefined ? [] : [`! Gateway '${gateway.name}': ${gateway.resource.description.replace(/\s+/g, ' ')}`]),
    '! Install as /etc/frr/frr.conf (bgpd=yes in /etc/frr/daemons) and apply with',
    '! `systemctl reload frr` (frr-reload.py applies the difference: idempotent).',
    '!',
    'frr defaults traditional',
    `hostname ${gateway.name}`,
    'log syslog informational',
    '!',
    `router bgp ${bgp.asn}`,
  ];
  if (bgp['bgp router-id'] !== undefined) lines.push(` bgp router-id ${bgp['bgp router-id']}`);
  if (bgp['bgp ebgp-requires-policy'] === false) lines.push(' no bgp ebgp-requires-policy');
  const ebgp = Object.values(bgp.neighbors).some((n) => n['remote-as'] === 'external' || (typeof n['remote-as'] === 'number' && n['remote-as'] !== bgp.asn));
  if (bgp['bgp ebgp-requires-policy'] !== false && ebgp) {
    lines.push(' ! bgp ebgp-requires-policy (FRR\'s default, RFC 8212): without route-maps the eBGP neighbours',
      ' ! below exchange no routes, as in the topology. vpnlab has no route-map vocabulary to export.');
  }
  const perFamily: string[] = [];
  for (const [address, n] of Object.entries(bgp.neighbors)) {
    const nb = ` neighbor ${address}`;
    lines.push(`${nb} remote-as ${n['remote-as']}`);
    if (n.description !== undefined) lines.push(`${nb} description ${n.description.replace(/\s+/g, ' ').trim()}`);
    if (n['update-source'] !== undefined) lines.push(`${nb} update-source ${n['update-source']}`);
    if (n['ebgp-multihop'] !== undefined) lines.push(`${nb} ebgp-multihop ${n['ebgp-multihop']}`);
    if (n['disable-connected-check'] === true) lines.push(`${nb} disable-connected-check`);
    if (n.passive === true) lines.push(`${nb} passive`);
    if (n.timers !== undefined) lines.push(`${nb} timers ${n.timers[0]} ${n.timers[1]}`);
    if (n['maximum-prefix'] !== undefined) perFamily.push(` ${nb} maximum-prefix ${n['maximum-prefix']}`);
  }
  const networks = (bgp.network ?? []).map((p) => `  network ${p}`);
  if (networks.length > 0 || perFamily.length > 0) {
    lines.push(' !', ' address-family ipv4 unicast', ...networks, ...perFamily, ' exit-address-family');
  }
  lines.push('exit', '!');
  return { path: `${ref.site.name}/${gateway.name}/frr.conf`, format: 'frr', text: `${lines.join('\n')}\n`, holdsSecrets: false };
}
