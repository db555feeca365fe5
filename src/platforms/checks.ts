import type { IssueCollector, Severity } from '../config/issues.js';
import { formatPath, type DocPath } from '../config/source.js';
import type { Findings } from './adapter.js';
import type { Topology } from '../topology/schema.js';
import { checkAlibabaSites } from './alibaba/checks.js';
import { checkAzureSites } from './azure/checks.js';
import { checkBgpPairs } from './cross-bgp.js';
import { checkTunnelPairs } from './cross-checks.js';
import { findTunnels } from './pairing.js';
import { checkRrasSites } from './rras/checks.js';
import { SeededRng } from '../core/rng.js';
import { platformNodeNames, planSite } from './registry.js';
import { checkTopology } from '../topology/checks.js';

/*
 * The platform pitfall checks `vpnlab check` runs after the generic topology checks: each
 * platform's own rules (azure/, alibaba/, rras/ checks.ts), then the two ends of every tunnel
 * compared (cross-checks.ts for IKE/IPsec, cross-bgp.ts for the BGP session over it). Every issue
 * names the resource, says what happens at run time and how to fix it.
 */


/** Everything `vpnlab check` checks after the schema: the generic topology, then the platforms. */
export function checkNetwork(topology: Topology, issues: IssueCollector): void {
  checkTopology(topology, issues, platformNodeNames);
  checkPlatforms(topology, issues);
}

function checkPlatforms(topology: Topology, issues: IssueCollector): void {
  const seen = new Set<string>();
  const once = (severity: Severity) => (code: string, path: DocPath, message: string, hint?: string): void => {
    const key = `${code} ${formatPath(path)}`;
    if (seen.has(key)) return;
    seen.add(key);
    issues.add(severity, code, path, message, hint);
  };
  const report: Findings = { error: once('error'), warning: once('warning') };
  const tunnels = findTunnels(topology);
  checkAzureSites(topology, tunnels, report);
  checkAlibabaSites(topology, report);
  checkRrasSites(topology, tunnels, report);
  checkTunnelPairs(topology, tunnels, report);
  checkBgpPairs(tunnels, report);
  // The plan `up` runs: whatever it cannot build is an error here too, so check and up agree.
  const seed = topology.seed ?? 1;
  for (const site of topology.sites) planSite(site, { topology, rng: (name) => SeededRng.derive(seed, name) }, report);
}
