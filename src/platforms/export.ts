import { VpnlabError } from '../core/errors.js';
import type { Site, Topology } from '../topology/schema.js';
import { EXPORT_FORMATS, type Artifact, type ExportContext, type ExportFormat, type Provenance } from './artifacts.js';
import { siteLayout } from '../topology/layout.js';
import type { PlatformName, SiteRef } from './adapter.js';
import { adapterOf, type ResolvedNetwork, type ResolvedSite } from './registry.js';

/*
 * `vpnlab export`: every site's artifacts, written by its platform's `exporter` hook, and a
 * manifest. The manifest is the topology without its platform blocks — what no platform holds
 * (test hosts, routers, links, faults, the seed) — plus which artifact carries each site's
 * platform block, so that `vpnlab import` of the folder rebuilds the same topology.
 */

export const MANIFEST_PATH = 'vpnlab-export.json';

export interface ExportRequest {
  readonly provenance: Provenance;
  /** Only this site (`--site`). */
  readonly site?: string;
  /** Only these formats (`--format`); each site writes those its platform has. */
  readonly formats?: readonly ExportFormat[];
  readonly redact: boolean;
}

export interface ExportResult {
  readonly artifacts: Artifact[];
  /** The sites that wrote nothing, and why. */
  readonly skipped: { site: string; reason: string }[];
}

export class ExportError extends VpnlabError {}

export interface ManifestSite {
  /** The site as the topology has it, without its platform block. */
  readonly site: Omit<Site, 'azure' | 'alibaba' | 'rras' | 'linux'>;
  /** The artifacts that carry the platform block. */
  readonly artifacts: string[];
  /** The files that build the same site on another platform (not read back by `vpnlab import`). */
  readonly equivalents?: string[];
  /** The site's other files: the same block in another format, or a CLI script (not read back). */
  readonly alternatives?: string[];
}

export interface Manifest {
  readonly generator: string;
  readonly source: string;
  readonly topology: Omit<Topology, 'sites'>;
  readonly sites: ManifestSite[];
}

export function exportNetwork(network: ResolvedNetwork, request: ExportRequest): ExportResult {
  const sites = network.sites.filter((s) => request.site === undefined || s.ref.site.name === request.site);
  if (sites.length === 0) {
    const names = network.sites.map((s) => s.ref.site.name).join(', ');
    throw new ExportError('EXPORT_UNKNOWN_SITE', `no site is named '${request.site}'; the topology has ${names}`);
  }
  for (const format of request.formats ?? []) {
    if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new ExportError('EXPORT_UNKNOWN_FORMAT', `'${format}' is not an export format; the formats are ${EXPORT_FORMATS.join(', ')}`);
  }
  const artifacts: Artifact[] = [];
  const skipped: ExportResult['skipped'] = [];
  const manifestSites: ManifestSite[] = [];
  for (const { adapter, ref } of sites) {
    const exporter = adapter.exporter;
    const wanted = exporter === undefined ? [] : (request.formats ?? exporter.defaults).filter((f) => exporter.formats.includes(f));
    const context: ExportContext = {
      topology: network.topology, modelOf: network.modelOf, provenance: request.provenance,
      redact: request.redact, formats: new Set(wanted),
      exportAs: (site, formats) => exportSiteAs(network, ref.index, site, { ...context, formats }),
    };
    const written = exporter === undefined || wanted.length === 0 ? [] : exporter.export(ref, context);
    if (written.length === 0) {
      skipped.push({ site: ref.site.name, reason: skipReason(ref.site, exporter?.formats, request.formats) });
    }
    artifacts.push(...written);
    const equivalents = written.filter((a) => a.equivalentOn !== undefined).map((a) => a.path);
    const own = written.filter((a) => a.equivalentOn === undefined);
    const group = exporter?.readBack.find((g) => own.some((a) => (g as readonly string[]).includes(a.format)));
    const read = own.filter((a) => group === undefined || (group as readonly string[]).includes(a.format));
    const alternatives = own.filter((a) => !read.includes(a)).map((a) => a.path);
    manifestSites.push({
      site: withoutPlatformBlock(ref.site),
      artifacts: read.map((a) => a.path),
      ...(alternatives.length > 0 ? { alternatives } : {}),
      ...(equivalents.length > 0 ? { equivalents } : {}),
    });
  }
  if (request.formats !== undefined && artifacts.length === 0) {
    throw new ExportError('EXPORT_FORMAT_UNAVAILABLE', `no selected site writes ${request.formats.join(', ')}: ${skipped.map((s) => `${s.site}: ${s.reason}`).join('; ')}`);
  }
  const { sites: _sites, ...rest } = network.topology;
  const manifest: Manifest = {
    generator: `vpnlab ${request.provenance.vpnlabVersion}`,
    source: request.provenance.file,
    topology: rest,
    sites: manifestSites,
  };
  artifacts.push({ path: MANIFEST_PATH, format: 'manifest', text: `${JSON.stringify(manifest, null, 2)}\n`, holdsSecrets: false });
  return { artifacts, skipped };
}

/** Runs the exporter of `site`'s platform on it as if it stood at `index` of the topology. */
function exportSiteAs(network: ResolvedNetwork, index: number, site: Site, context: ExportContext): Artifact[] {
  const adapter = adapterOf(site) as ResolvedSite['adapter'];
  const exporter = adapter.exporter;
  if (exporter === undefined) return [];
  const formats = new Set([...context.formats].filter((f) => exporter.formats.includes(f)));
  if (formats.size === 0) return [];
  const topology = { ...network.topology, sites: network.topology.sites.map((s, i) => (i === index ? site : s)) };
  const ref: SiteRef<PlatformName> = { site, index, at: ['sites', index, site.platform], layout: siteLayout(topology, index) };
  return exporter.export({ ...ref, model: adapter.resolve(ref) }, { ...context, topology, formats }).map((a) => ({ ...a, equivalentOn: site.platform }));
}

function skipReason(site: Site, formats: readonly ExportFormat[] | undefined, asked: readonly ExportFormat[] | undefined): string {
  if (formats === undefined) return `vpnlab does not export ${site.platform} sites yet`;
  if (asked !== undefined && !asked.some((f) => formats.includes(f))) return `${site.platform} writes ${formats.join(', ')}`;
  return 'its platform block has nothing to build';
}

function withoutPlatformBlock(site: Site): ManifestSite['site'] {
  const { azure: _a, alibaba: _b, rras: _r, linux: _l, ...rest } = site as Site & Record<'azure' | 'alibaba' | 'rras' | 'linux', unknown>;
  return rest;
}
