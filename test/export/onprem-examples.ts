import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Artifact, ExportFormat } from '../../src/platforms/artifacts.js';
import { exportNetwork } from '../../src/platforms/export.js';
import { loadTopologyFile } from '../../src/platforms/load.js';

/**
 * Every example topology (examples/ and its folders, broken ones included: check's errors are kept);
 * the folders' other files (vpnlab bgpd and ike configurations) have no top-level `sites:`.
 */
export function exampleFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.yaml') && /^sites:/m.test(readFileSync(join(dir, e.name), 'utf8'))) out.push(join(dir, e.name));
    }
  };
  walk('examples');
  return out.sort();
}

/** The artifacts of these formats that `vpnlab export FILE [--redact]` writes (every site, default formats). */
export function exportFile(file: string, formats: readonly ExportFormat[], options: { redact?: boolean } = {}): Artifact[] {
  const { network } = loadTopologyFile(file, { keepCheckErrors: true });
  const { artifacts } = exportNetwork(network, { provenance: { file, vpnlabVersion: 'test' }, redact: options.redact === true });
  return artifacts.filter((a) => (formats as readonly string[]).includes(a.format));
}
