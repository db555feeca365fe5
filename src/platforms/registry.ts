import type { DocPath } from '../config/source.js';
import { siteLayout } from '../topology/layout.js';
import type { Site, SiteOf, Topology } from '../topology/schema.js';
import { SeededRng } from '../core/rng.js';
import { IGNORE_FINDINGS, type Findings, type ModelRef, type PlatformAdapter, type PlatformName, type SiteRef } from './adapter.js';
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

/** The platforms in table order: the pair checks report at the end of the platform listed later. */
export const PLATFORM_ORDER = Object.keys(PLATFORMS) as PlatformName[];

/** The adapter of a site's platform. */
export function adapterOf<P extends PlatformName>(site: SiteOf<P>): PlatformAdapter<P> {
  return PLATFORMS[site.platform as P];
}

function siteRef<P extends PlatformName>(topology: Topology, site: SiteOf<P>): SiteRef<P> {
  const index = topology.sites.indexOf(site);
  const at: DocPath = ['sites', index, site.platform];
  return { site, index, at, layout: siteLayout(topology, index) };
}

/** The node names a site's platform block adds (faults and commands may name them). */
export function platformNodeNames(site: Site): string[] {
  return adapterOf(site).nodeNames(site);
}

/** A site of a run: its adapter and the model the adapter resolved once for the run. */
export interface ResolvedSite {
  readonly adapter: PlatformAdapter<PlatformName>;
  readonly ref: ModelRef<PlatformName, unknown>;
}

/** A topology with every site's model resolved once, for check, up and the views to share. */
export interface ResolvedNetwork {
  readonly topology: Topology;
  /** In file order. */
  readonly sites: readonly ResolvedSite[];
  /** A site's model by site name (undefined for a name no site has). */
  modelOf(site: string): unknown;
  /** The plans made so far, by site index, seed and fromScratch: what check planned, up runs. */
  readonly plans: Map<string, SitePlan | undefined>;
}

export function resolveNetwork(topology: Topology): ResolvedNetwork {
  const sites = topology.sites.map((site): ResolvedSite => {
    const adapter = adapterOf(site);
    const ref = siteRef(topology, site);
    return { adapter, ref: { ...ref, model: adapter.resolve(ref) } };
  });
  const byName = new Map(sites.map((s) => [s.ref.site.name, s.ref.model] as const));
  return { topology, sites, modelOf: (name) => byName.get(name), plans: new Map() };
}

/**
 * The gateways and fabric a site runs, by its platform; undefined for a site without platform
 * gateways. A plan depends on the site, the seed and fromScratch only, so one made before (by
 * check, reporting its refusals) serves a caller that ignores the findings.
 */
export function planSite(site: ResolvedSite, network: ResolvedNetwork, run: { seed: number; fromScratch?: boolean }, findings: Findings): SitePlan | undefined {
  const key = `${site.ref.index}:${run.seed}:${run.fromScratch === true}`;
  if (findings === IGNORE_FINDINGS && network.plans.has(key)) return network.plans.get(key);
  const context: PlanContext = {
    topology: network.topology, rng: (name) => SeededRng.derive(run.seed, name), modelOf: network.modelOf,
    ...(run.fromScratch === true ? { fromScratch: true } : {}),
  };
  const plan = site.adapter.plan(site.ref, context, findings);
  network.plans.set(key, plan);
  return plan;
}
