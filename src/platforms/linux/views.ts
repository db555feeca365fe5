import { peerRecords, routeRecords, type PeerRecord } from '../../bgp/views.js';
import { formatIpv4 } from '../../net/address.js';
import type { ModelRef } from '../adapter.js';
import { tunnelState, type PlatformView, type RunningInstance, type RunningSite, type ViewCell } from '../view.js';
import type { LinuxGatewayModel, LinuxModel } from './model.js';

/*
 * What an engineer reads on a strongSwan + FRR box: `swanctl --list-sas` (one row per connection:
 * ESTABLISHED with its CHILD_SAs INSTALLED, CONNECTING, or nothing), `vtysh -c "show bgp summary"`
 * (State/PfxRcd: the prefix count when Established, "(Policy)" when RFC 8212 holds routes back) and
 * `vtysh -c "show ip bgp"`.
 */

const SA_STATE = { up: 'ESTABLISHED, INSTALLED', connecting: 'CONNECTING', down: '-' } as const;

/** FRR's State/PfxRcd column. */
function stateOrPrefixes(p: PeerRecord): string {
  if (p.state !== 'Established') return p.state;
  return p.missingPolicy ? '(Policy)' : String(p.prefixesAccepted);
}

function gatewayViews(site: string, gateway: LinuxGatewayModel, instance: RunningInstance): PlatformView[] {
  const sas = gateway.connections.map((c) => [c.name, `${formatIpv4(c.local.value)}...${formatIpv4(c.remote.value)}`, SA_STATE[tunnelState(instance, c.name)],
    c.children.map((ch) => `${ch.name}${ch.xfrm !== undefined ? ` (${ch.xfrm.name})` : ''}`).join(', ')]);
  const views: PlatformView[] = [
    { kind: 'heading', subject: `${site}/${gateway.name}`, title: 'Linux (strongSwan + FRR)' },
  ];
  if (sas.length > 0) views.push({ kind: 'table', caption: 'swanctl --list-sas', columns: ['CONNECTION', 'ADDRESSES', 'STATE', 'CHILDREN'], rows: sas });
  if (instance.bgp !== undefined) {
    const peers = peerRecords(instance.bgp).map((p): ViewCell[] => [p.address, String(p.asn), String(p.messages.in), String(p.messages.out),
      p.uptime === null ? 'never' : { seconds: p.uptime }, stateOrPrefixes(p), String(p.prefixesAdvertised)]);
    views.push({ kind: 'table', caption: 'vtysh -c "show bgp summary"', columns: ['Neighbor', 'AS', 'MsgRcvd', 'MsgSent', 'Up/Down', 'State/PfxRcd', 'PfxSnt'], rows: peers });
    const routes = routeRecords(instance.bgp).flatMap((r) => r.paths.map((p) => [`${p.best ? '*>' : p.eligible ? '* ' : '  '}`, r.prefix, p.nextHop ?? '0.0.0.0', p.from === 'local' ? 'i' : p.from]));
    views.push({ kind: 'table', caption: 'vtysh -c "show ip bgp"', columns: ['', 'Network', 'Next Hop', 'From'], rows: routes });
  }
  return views;
}

export function linuxViews(ref: ModelRef<'linux', LinuxModel | undefined>, running: RunningSite): PlatformView[] {
  const model = ref.model;
  if (model === undefined) return [];
  return model.gateways.flatMap((g) => {
    const instance = running.instances(g.name)[0];
    return instance === undefined ? [] : gatewayViews(ref.site.name, g, instance);
  });
}
