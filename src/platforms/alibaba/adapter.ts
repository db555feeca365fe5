import type { PlatformAdapter } from '../adapter.js';
import { alibabaInstanceNames } from './facts.js';
import { ALIBABA_FABRIC, planAlibabaSite } from './gateway.js';
import { alibabaViews } from './views.js';

/** Alibaba Cloud VPCs: VPN gateways (one node per IPsec address), customer gateways, IPsec connections, the vRouter. */
export const alibabaAdapter: PlatformAdapter<'alibaba'> = {
  platform: 'alibaba',
  title: 'Alibaba Cloud',
  nodeNames: (site) => (site.alibaba === undefined ? [] : [ALIBABA_FABRIC, ...(site.alibaba.VpnGateways ?? []).flatMap(alibabaInstanceNames)]),
  plan: (ref, context, findings) => planAlibabaSite(ref, context, findings),
  views: alibabaViews,
};
