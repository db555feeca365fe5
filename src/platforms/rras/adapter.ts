import type { PlatformAdapter } from '../adapter.js';
import { rrasServerName } from './facts.js';
import { planRrasSite } from './gateway.js';
import { rrasViews } from './views.js';

/** Windows Server RRAS: one server with its adapters, S2S interfaces and BGP router. */
export const rrasAdapter: PlatformAdapter<'rras'> = {
  platform: 'rras',
  title: 'RRAS',
  nodeNames: (site) => (site.rras === undefined ? [] : [rrasServerName(site.rras)]),
  plan: (ref, _context, findings) => planRrasSite(ref, findings),
  views: rrasViews,
};
