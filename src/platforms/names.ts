import type { Site } from '../topology/schema.js';
import { ALIBABA_FABRIC } from './alibaba/gateway.js';
import { AZURE_FABRIC } from './azure/gateway.js';

/**
 * The node names a platform block adds to its site (without building anything): the RRAS server,
 * each Azure gateway instance (`<gateway>`, or `<gateway>_IN_0`/`_IN_1` when active-active), each
 * Alibaba IPsec address (`<gateway>`, or `<gateway>_1`/`_2` for a dual-tunnel gateway), and the
 * cloud fabric. What faults and commands may name.
 */
export function platformNodeNames(site: Site): string[] {
  switch (site.platform) {
    case 'rras': return site.rras === undefined ? [] : [site.rras.Server.Name ?? 'RRAS'];
    case 'azure': return [AZURE_FABRIC, ...(site.azure?.virtualNetworkGateways ?? [])
      .flatMap((g) => (g.activeActive === true ? [`${g.name}_IN_0`, `${g.name}_IN_1`] : [g.name]))];
    case 'alibaba': return site.alibaba === undefined ? [] : [ALIBABA_FABRIC, ...(site.alibaba.VpnGateways ?? [])
      .flatMap((g) => (g.DisasterRecoveryVSwitchId !== undefined ? [`${g.Name}_1`, `${g.Name}_2`] : [g.Name]))];
    case 'linux': return [];
  }
}
