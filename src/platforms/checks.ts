import type { IssueCollector, Severity } from '../config/issues.js';
import { formatPath, type DocPath } from '../config/source.js';
import { SeededRng } from '../core/rng.js';
import { checkTopology } from '../topology/checks.js';
import type { Topology } from '../topology/schema.js';
import type { CheckContext, Findings, PlatformName } from './adapter.js';
import { checkBgpPairs } from './cross-bgp.js';
import { checkTunnelPairs } from './cross-checks.js';
import { NO_ENDS } from './ends.js';
import { pairEnds } from './pairing.js';
import type { PlanContext } from './plan.js';
import { PLATFORM_ORDER, PLATFORMS, planSite, platformNodeNames, resolveNetwork, type ResolvedNetwork } from './registry.js';

/*
 * What `vpnlab check` checks after the schema: the generic topology checks; the plan `up` runs,
 * whose refusals are errors here too, so check and up agree; each platform's own rules (its
 * adapter's `check`); then the two ends of every tunnel and BGP session the plans declare,
 * compared whatever platforms they are (cross-checks.ts for IKE/IPsec, cross-bgp.ts for BGP).
 * Every issue names the resource, says what happens at run time and how to fix it.
 */

/** Everything `vpnlab check` checks after the schema; the network it resolved, for `up` to run. */
export function checkNetwork(topology: Topology, issues: IssueCollector): ResolvedNetwork {
  const network = resolveNetwork(topology);
  checkTopology(topology, network.sites.map((s) => s.ref.layout), issues, platformNodeNames);
  checkPlatforms(network, issues);
  return network;
}

function checkPlatforms(network: ResolvedNetwork, issues: IssueCollector): void {
  const seen = new Set<string>();
  const once = (severity: Severity) => (code: string, path: DocPath, message: string, hint?: string): void => {
    const key = `${code} ${formatPath(path)}`;
    if (seen.has(key)) return;
    seen.add(key);
    issues.add(severity, code, path, message, hint);
  };
  const report: Findings = { error: once('error'), warning: once('warning') };
  const checkContext = planAndPair(network, report);
  for (const site of network.sites) site.adapter.check(site.ref, checkContext, report);
  const rules = (platform: PlatformName) => ({ title: PLATFORMS[platform].title, ...PLATFORMS[platform].pairing });
  checkTunnelPairs(network.topology, checkContext.pairing, rules, report);
  checkBgpPairs(checkContext.pairing, rules, report);
}

/** Every site planned as `up` plans it (refusals reported), and the tunnel ends the plans declare, paired. */
export function planAndPair(network: ResolvedNetwork, findings: Findings): CheckContext {
  const seed = network.topology.seed ?? 1;
  const context: PlanContext = { topology: network.topology, rng: (name) => SeededRng.derive(seed, name), modelOf: network.modelOf };
  const plans = network.sites.map((site) => planSite(site, network, { seed }, findings));
  return { ...context, pairing: pairEnds(plans.map((p) => p?.ends ?? NO_ENDS), PLATFORM_ORDER) };
}
