import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Artifact, ExportFormat } from '../../src/platforms/artifacts.js';
import { exportNetwork } from '../../src/platforms/export.js';
import { loadTopologyFile, type LoadedTopology } from '../../src/platforms/load.js';

/** Every example (examples/ and examples/broken/) that has an Azure site, by path. */
export function azureExamples(): string[] {
  return ['examples', join('examples', 'broken')]
    .flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => join(dir, f)))
    .filter((file) => load(file).topology.sites.some((s) => s.platform === 'azure'));
}

const loaded = new Map<string, LoadedTopology>();

/** The example loaded as `vpnlab export --force` loads it: a broken example's check errors do not stop it. */
export function load(file: string): LoadedTopology {
  let topology = loaded.get(file);
  if (topology === undefined) {
    topology = loadTopologyFile(file, { keepCheckErrors: true });
    loaded.set(file, topology);
  }
  return topology;
}

/** The Azure sites' artifacts of the example in one format. */
export function azureArtifacts(file: string, format: ExportFormat, options: { redact?: boolean; site?: string } = {}): Artifact[] {
  const network = load(file).network;
  const azureSites = new Set(network.topology.sites.filter((s) => s.platform === 'azure').map((s) => s.name));
  const { artifacts } = exportNetwork(network, {
    provenance: { file, vpnlabVersion: 'test' }, redact: options.redact === true, formats: [format],
    ...(options.site !== undefined ? { site: options.site } : {}),
  });
  return artifacts.filter((a) => azureSites.has(a.path.split('/')[0]!));
}

/** One artifact by path; throws when the export has none. */
export function artifact(artifacts: readonly Artifact[], path: string): Artifact {
  const found = artifacts.find((a) => a.path === path);
  if (found === undefined) throw new Error(`no artifact ${path}; there are ${artifacts.map((a) => a.path).join(', ')}`);
  return found;
}
