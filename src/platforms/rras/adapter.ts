import type { PlatformAdapter } from '../adapter.js';
import { checkRrasSite } from './checks.js';
import { rrasExporter } from './export/index.js';
import { rrasPowerShellReader } from './import/powershell.js';
import { planRrasSite } from './gateway.js';
import { resolveRrasSite, rrasServerName, type RrasModel } from './model.js';
import { rrasViews } from './views.js';

/** Windows Server RRAS: one server with its adapters, S2S interfaces and BGP router. */
export const rrasAdapter: PlatformAdapter<'rras', RrasModel | undefined> = {
  platform: 'rras',
  title: 'RRAS',
  nodeNames: (site) => (site.rras === undefined ? [] : [rrasServerName(site.rras)]),
  resolve: resolveRrasSite,
  plan: (ref, _context, findings) => planRrasSite(ref, findings),
  check: (ref, context, findings) => checkRrasSite(ref, context, findings),
  pairing: {
    answerFix: (address) => `give that RRAS server an S2S interface with Destination ${address}`,
  },
  views: rrasViews,
  exporter: rrasExporter,
  readers: [rrasPowerShellReader],
};
