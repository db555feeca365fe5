import type { PlatformAdapter } from '../adapter.js';
import { checkLinuxSite } from './checks.js';
import { linuxExporter } from './export/index.js';
import { planLinuxSite } from './gateway.js';
import { linuxReaders } from './import/index.js';
import { resolveLinuxSite, type LinuxModel } from './model.js';
import { linuxViews } from './views.js';

/** A Linux site: hosts and routers, and in its `linux:` block VPN gateways running strongSwan and FRR. */
export const linuxAdapter: PlatformAdapter<'linux', LinuxModel | undefined> = {
  platform: 'linux',
  title: 'Linux',
  nodeNames: (site) => (site.linux?.gateways ?? []).map((g) => g.name),
  resolve: resolveLinuxSite,
  plan: (ref, _context, findings) => planLinuxSite(ref, findings),
  check: (ref, context, findings) => checkLinuxSite(ref, context, findings),
  pairing: {
    answerFix: (address) => `add a swanctl connection with remote_addrs = ${address} to a gateway of the linux: block`,
  },
  views: linuxViews,
  exporter: linuxExporter,
  readers: linuxReaders,
};
