import type { PlatformAdapter } from '../adapter.js';
import { checkAlibabaSite } from './checks.js';
import { alibabaPskProblem } from './defaults.js';
import { alibabaExporter } from './export/index.js';
import { alibabaAliyunCliReader } from './import/aliyun-cli.js';
import { alibabaTerraformReader } from './import/terraform.js';
import { ALIBABA_FABRIC, planAlibabaSite } from './gateway.js';
import { alibabaInstanceNames, resolveAlibabaSite, type AlibabaModel } from './model.js';
import { alibabaViews } from './views.js';

/** Alibaba Cloud VPCs: VPN gateways (one node per IPsec address), customer gateways, IPsec connections, the vRouter. */
export const alibabaAdapter: PlatformAdapter<'alibaba', AlibabaModel> = {
  platform: 'alibaba',
  title: 'Alibaba Cloud',
  nodeNames: (site) => (site.alibaba === undefined ? [] : [ALIBABA_FABRIC, ...(site.alibaba.VpnGateways ?? []).flatMap(alibabaInstanceNames)]),
  resolve: resolveAlibabaSite,
  plan: (ref, context, findings) => planAlibabaSite(ref, context, findings),
  check: (ref, _context, findings) => checkAlibabaSite(ref, findings),
  pairing: {
    keyProblem: alibabaPskProblem,
    answerFix: (address) => `give that Alibaba VPN gateway a customer gateway with IpAddress ${address} and a tunnel to it`,
    addTunnelFix: (address) => `create a customer gateway with IpAddress ${address} and use it for the other tunnel: one customer gateway per public IP of the gateway it faces`,
  },
  views: alibabaViews,
  exporter: alibabaExporter,
  readers: [alibabaTerraformReader, alibabaAliyunCliReader],
};
