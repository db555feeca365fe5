import { parseIpv4, type Ipv4Address, type Prefix } from '../../net/address.js';
import { ANY, assignedPublicAddress, prefixesOf } from '../common.js';
import type { IkeConfig, IpsecConfig, VpnConnection, VpnGateway } from '../../topology/platforms/alibaba.js';

/*
 * What an Alibaba block comes to, as the platform reads it: the emulator (gateway.ts) and the
 * checks (../pairing.ts) both ask here.
 */

export interface AlibabaTunnel {
  /** 1 = master / IPsec address 1, 2 = slave / IPsec address 2. */
  readonly address: 1 | 2;
  readonly customerGateway: string;
  readonly ike: IkeConfig | undefined;
  readonly ipsec: IpsecConfig | undefined;
  readonly dpd: boolean;
  /** Its index in TunnelOptionsSpecification (dual tunnel), undefined for a single-tunnel connection. */
  readonly specIndex: number | undefined;
}

/** A connection's tunnels: the two of TunnelOptionsSpecification, or the single tunnel. */
export function alibabaTunnels(conn: VpnConnection): AlibabaTunnel[] {
  if (conn.TunnelOptionsSpecification !== undefined) {
    return conn.TunnelOptionsSpecification.map((t, i) => ({
      address: t.Role === 'master' ? 1 : 2, customerGateway: t.CustomerGatewayId, ike: t.TunnelIkeConfig, ipsec: t.TunnelIpsecConfig,
      dpd: t.EnableDpd ?? true, specIndex: i,
    }));
  }
  return [{ address: 1, customerGateway: conn.CustomerGatewayId!, ike: conn.IkeConfig, ipsec: conn.IpsecConfig, dpd: conn.EnableDpd ?? true, specIndex: undefined }];
}

/** Its nodes: one per IPsec address, `<name>_1` and `<name>_2` for a dual-tunnel gateway. */
export function alibabaInstanceNames(gateway: VpnGateway): string[] {
  return gateway.DisasterRecoveryVSwitchId !== undefined ? [`${gateway.Name}_1`, `${gateway.Name}_2`] : [gateway.Name];
}

/** The gateway's IPsec addresses (two for a dual-tunnel gateway); stand-ins where the file leaves them to the platform. */
export function ipsecAddresses(siteIndex: number, gatewayIndex: number, gateway: VpnGateway): Ipv4Address[] {
  const given = [gateway.InternetIp, gateway.DisasterRecoveryInternetIp];
  const count = gateway.DisasterRecoveryVSwitchId !== undefined ? 2 : 1;
  return given.slice(0, count).map((text, k) => (text !== undefined ? parseIpv4(text) : assignedPublicAddress(siteIndex, gatewayIndex * 2 + k)));
}

function isAnyAny(list: readonly string[] | undefined): boolean {
  return list === undefined || (list.length === 1 && list[0] === '0.0.0.0/0');
}

/** Protected-data-flow mode: specific LocalSubnet/RemoteSubnet, used as phase-2 traffic selectors. */
export function isProtectedDataFlows(conn: VpnConnection): boolean {
  return conn.RoutingMode === 'ProtectedDataFlows' || !(isAnyAny(conn.LocalSubnet) && isAnyAny(conn.RemoteSubnet));
}

/** The connection's traffic selectors in protected-data-flow mode (a side left out is any); undefined for any ⇄ any. */
export function protectedFlows(conn: VpnConnection): { local: Prefix[]; remote: Prefix[] } | undefined {
  if (!isProtectedDataFlows(conn)) return undefined;
  const side = (list: readonly string[] | undefined): Prefix[] => (list === undefined ? [ANY] : prefixesOf(list));
  return { local: side(conn.LocalSubnet), remote: side(conn.RemoteSubnet) };
}
