import type { PlatformAdapter } from '../adapter.js';
import { azureBlock } from './facts.js';
import { AZURE_FABRIC, planAzureSite } from './gateway.js';

/** Azure VNets: virtual network gateways (one node per instance), local network gateways, connections, the VNet's routing. */
export const azureAdapter: PlatformAdapter<'azure'> = {
  platform: 'azure',
  title: 'Azure',
  nodeNames: (site) => [AZURE_FABRIC, ...(azureBlock(site).virtualNetworkGateways ?? [])
    .flatMap((g) => (g.activeActive === true ? [`${g.name}_IN_0`, `${g.name}_IN_1`] : [g.name]))],
  plan: (ref, context, findings) => planAzureSite(ref, context, findings),
};
