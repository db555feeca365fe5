import type { PlatformAdapter } from '../adapter.js';
import { resolveAzureSite, type AzureModel } from './model.js';
import { checkAzureSite } from './checks.js';
import { azureSharedKeyProblem } from './defaults.js';
import { azureBlock, azureInstanceName } from './facts.js';
import { AZURE_FABRIC, planAzureSite } from './gateway.js';
import { azureViews } from './views.js';
import { azureExporter } from './export/index.js';
import { armReader } from './import/arm.js';
import { azureCliReader } from './import/cli.js';
import { terraformReader } from './import/terraform.js';

/** Azure VNets: virtual network gateways (one node per instance), local network gateways, connections, the VNet's routing. */
export const azureAdapter: PlatformAdapter<'azure', AzureModel> = {
  platform: 'azure',
  title: 'Azure',
  nodeNames: (site) => [AZURE_FABRIC, ...(azureBlock(site).virtualNetworkGateways ?? [])
    .flatMap((g) => (g.activeActive === true ? [0, 1] : [0]).map((i) => azureInstanceName(g, i)))],
  resolve: resolveAzureSite,
  plan: (ref, context, findings) => planAzureSite(ref, context, findings),
  check: (ref, context, findings) => checkAzureSite(ref, context, findings),
  pairing: {
    keyProblem: azureSharedKeyProblem,
    answerFix: (address) => `give that Azure gateway a connection to ${address} (a local network gateway with gatewayIpAddress ${address}, or the Vnet2Vnet connection back)`,
  },
  views: azureViews,
  exporter: azureExporter,
  readers: [armReader, terraformReader, azureCliReader],
};
