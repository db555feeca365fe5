import type { DocPath } from '../config/source.js';
import type { Site, SiteOf, Topology } from '../topology/schema.js';
import type { Findings, PlatformAdapter, PlatformName, SiteRef } from './adapter.js';
import { alibabaAdapter } from './alibaba/adapter.js';
import { azureAdapter } from './azure/adapter.js';
import { linuxAdapter } from './linux/adapter.js';
import type { PlanContext, SitePlan } from './plan.js';
import { rrasAdapter } from './rras/adapter.js';

/*
 * Every platform vpnlab knows, one adapter each. A new platform is a folder with its schema,
 * defaults and adapter, one line here, and its block in src/topology/schema.ts.
 */

export const PLATFORMS: { readonly [P in PlatformName]: PlatformAdapter<P> } = {
  azure: azureAdapter,
  alibaba: alibabaAdapter,
  rras: rrasAdapter,
  linux: linuxAdapter,
};

/** The adapter of a site's platform. */
export function adapterOf<P extends PlatformName>(site: SiteOf<P>): PlatformAdapter<P> {
  return PLATFORMS[site.platform as P];
}

export function siteRef<P extends PlatformName>(topology: Topology, site: SiteOf<P>): SiteRef<P> {
  const index = topology.sites.indexOf(site);
  const at: DocPath = site.platform === 'linux' ? ['sites', index] : ['sites', index, site.platform];
  return { site, index, at };
}

/** The node names a site's platform block adds (faults and commands may name them). */
export function platformNodeNames(site: Site): string[] {
  return adapterOf(site).nodeNames(site);
}

/** The gateways and fabric a site runs, by its platform; undefined for a site without platform gateways. */
export function planSite(site: Site, context: PlanContext, findings: Findings): SitePlan | undefined {
  return adapterOf(site).plan(siteRef(context.topology, site), context, findings);
}
