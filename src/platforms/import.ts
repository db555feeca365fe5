import { Document, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { VpnlabError } from '../core/errors.js';
import type { PlatformName } from './adapter.js';
import { MANIFEST_PATH, type Manifest } from './export.js';
import type { DraftSite, ImportSource, Origin, SourceReader, TopologyDraft } from './imports.js';

/*
 * `vpnlab import`: runs a reader on each source (the platform adapters' `readers`, plus the two
 * vpnlab itself writes: a topology file, whose sites it takes whole, and an export folder's
 * manifest, which gives every site but its platform block), combines what they read into one
 * draft, and writes it as one topology file with a comment beside each field naming the source
 * line it came from ("assumed: …" where the sources are silent and the topology needs a value).
 */

type Path = readonly (string | number)[];

export interface ImportIssue {
  readonly origin: Origin;
  readonly code: string;
  readonly message: string;
  readonly fix?: string;
}

export interface ImportResult {
  /** The topology file, YAML with its comments. */
  readonly text: string;
  /** Errors: with any, the file is not to be used. */
  readonly problems: readonly ImportIssue[];
  /** Warnings: what was imported by assumption. */
  readonly notes: readonly ImportIssue[];
}

export class ImportError extends VpnlabError {}

/** `file:line:col: CODE message`, as the command prints problems and notes. */
export function formatImportIssue(issue: ImportIssue): string {
  const { file, line, column } = issue.origin;
  return `${file}:${line}:${column}: ${issue.code} ${issue.message}${issue.fix === undefined ? '' : ` (${issue.fix})`}`;
}

const SITE_KEYS = ['name', 'platform', 'description', 'region', 'addressSpace', 'subnets', 'hosts', 'routers'] as const;
const TOPOLOGY_KEYS = ['name', 'description', 'seed', 'internet', 'links', 'faults'] as const;

interface FieldNote {
  readonly origin: Origin;
  readonly assumed?: string;
}

class Site implements DraftSite {
  readonly data: Record<string, unknown> = {};
  readonly fields = new Map<string, { path: Path; note: FieldNote }>();

  constructor(readonly name: string, readonly platform: PlatformName, readonly origin: Origin, private readonly draft: Draft) {}

  from(path: Path, origin: Origin): void {
    this.fields.set(JSON.stringify(path), { path, note: { origin } });
  }

  assumed(path: Path, origin: Origin, why: string): void {
    this.fields.set(JSON.stringify(path), { path, note: { origin, assumed: why } });
    this.draft.note(origin, 'IMPORT_ASSUMED', `site '${this.name}' ${path.join('.')}: assumed ${why}`);
  }
}

export class Draft implements TopologyDraft {
  readonly problems: ImportIssue[] = [];
  readonly notes: ImportIssue[] = [];
  /** The topology's own fields (name, description, seed, internet, links, faults). */
  readonly topology: Record<string, unknown> = {};
  readonly topologyOrigins = new Map<string, Origin>();
  private readonly siteList: Site[] = [];
  private readonly finishers: (() => void)[] = [];

  get sites(): readonly DraftSite[] {
    return this.siteList;
  }

  site(platform: PlatformName, name: string, origin: Origin): DraftSite {
    const found = this.siteList.find((s) => s.name === name);
    if (found) {
      if (found.platform !== platform) {
        this.problem(origin, 'IMPORT_SITE_PLATFORM', `site '${name}' is ${platform} here but ${found.platform} in ${found.origin.file}:${found.origin.line}`, 'give the sites different names');
      }
      return found;
    }
    const site = new Site(name, platform, origin, this);
    this.siteList.push(site);
    return site;
  }

  problem(origin: Origin, code: string, message: string, fix?: string): void {
    this.problems.push({ origin, code, message, ...(fix === undefined ? {} : { fix }) });
  }

  note(origin: Origin, code: string, message: string): void {
    this.notes.push({ origin, code, message });
  }

  afterAll(fill: () => void): void {
    this.finishers.push(fill);
  }

  setTopology(key: string, value: unknown, origin: Origin): void {
    if (this.topology[key] !== undefined) return;
    this.topology[key] = value;
    this.topologyOrigins.set(key, origin);
  }

  /** Runs what the readers left for the end, once. */
  finish(): void {
    const finishers = this.finishers.splice(0);
    for (const fill of finishers) fill();
    for (const site of this.siteList) {
      visitStrings(site.data, [], (path, text) => {
        if (!text.startsWith(REDACTED_PREFIX)) return;
        const origin = site.fields.get(JSON.stringify(path))?.note.origin ?? site.origin;
        this.note(origin, 'IMPORT_REDACTED', `site '${site.name}' ${path.join('.')} is the placeholder ${text} of an export made with --redact: put the real pre-shared key there`);
      });
    }
  }

  /** The draft as the topology file writes it, with its comments. */
  render(): string {
    const sites = this.siteList.map((site) => {
      const out: Record<string, unknown> = { name: site.name, platform: site.platform };
      for (const key of SITE_KEYS) if (key !== 'name' && key !== 'platform' && site.data[key] !== undefined) out[key] = site.data[key];
      for (const [key, value] of Object.entries(site.data)) if (!(key in out) && value !== undefined) out[key] = value;
      return out;
    });
    const top: Record<string, unknown> = {};
    const firstFile = this.siteList[0]?.origin.file;
    top['name'] = this.topology['name'] ?? 'imported';
    for (const key of TOPOLOGY_KEYS) if (key !== 'name' && this.topology[key] !== undefined && key !== 'links' && key !== 'faults') top[key] = this.topology[key];
    top['sites'] = sites;
    for (const key of ['links', 'faults']) if (this.topology[key] !== undefined) top[key] = this.topology[key];
    const doc = new Document(top);
    doc.commentBefore = ` Imported by vpnlab import from ${[...new Set(this.siteList.map((s) => s.origin.file))].join(', ') || 'nothing'}.\n`
      + ' Each field names the source line it came from; "assumed:" marks what the sources did not say.';
    if (this.topology['name'] === undefined) {
      comment(doc, ['name'], 'assumed: no source names the topology');
      if (firstFile !== undefined) this.note({ file: firstFile, line: 1, column: 1 }, 'IMPORT_ASSUMED', 'the topology is named "imported": no source names it');
    } else {
      const origin = this.topologyOrigins.get('name');
      if (origin) comment(doc, ['name'], where(origin));
    }
    this.siteList.forEach((site, index) => {
      comment(doc, ['sites', index], `${site.platform} site from ${where(site.origin)}`, true);
      for (const { path, note } of site.fields.values()) {
        comment(doc, ['sites', index, ...path], note.assumed === undefined ? where(note.origin) : `assumed: ${note.assumed}`);
      }
    });
    return doc.toString({ lineWidth: 0 });
  }
}

/** What `vpnlab export --redact` writes instead of a pre-shared key (artifacts.ts secretValue). */
const REDACTED_PREFIX = 'REDACTED-PSK-';

function visitStrings(value: unknown, path: Path, visit: (path: Path, text: string) => void): void {
  if (typeof value === 'string') visit(path, value);
  else if (Array.isArray(value)) value.forEach((item, index) => visitStrings(item, [...path, index], visit));
  else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) visitStrings(item, [...path, key], visit);
}

function where(origin: Origin): string {
  return `${origin.file}:${origin.line}`;
}

/** Puts `text` beside the node at `path`: after a scalar on its line, above a collection's key. */
function comment(doc: Document, path: Path, text: string, before = false): void {
  const node = doc.getIn(path, true) as YamlNode | undefined;
  if (node === undefined) return;
  if (isScalar(node) && !before) {
    node.comment = node.comment ? `${node.comment}; ${text}` : ` ${text}`;
    return;
  }
  const parentPath = path.slice(0, -1);
  const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true);
  const last = path[path.length - 1];
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === last);
    if (pair && isScalar(pair.key)) {
      pair.key.commentBefore = pair.key.commentBefore ? `${pair.key.commentBefore}\n ${text}` : ` ${text}`;
      return;
    }
  }
  if (isSeq(parent) || isMap(node) || isSeq(node)) {
    node.commentBefore = node.commentBefore ? `${node.commentBefore}\n ${text}` : ` ${text}`;
  }
}

/** Runs the readers on the sources in order and writes the topology. */
export async function importSources(sources: readonly ImportSource[], readers: readonly SourceReader[]): Promise<ImportResult> {
  const draft = new Draft();
  const all = [manifestReader(draft), topologyReader(draft), ...readers];
  const chosen = sources.map((source) => all.find((r) => r.accepts(source)));
  const formats = all.map((r) => r.format).join(', ');
  const unread: { at: Origin; site: string }[] = [];
  for (const [index, source] of sources.entries()) {
    const reader = chosen[index];
    if (reader !== undefined) {
      await reader.read(source, draft);
      continue;
    }
    const at = { file: source.path, line: 1, column: 1 };
    // An export folder holds several files per site (an ARM template and an Azure CLI script):
    // one read is enough; a site none of whose files can be read would lose its platform block.
    const read = source.site === undefined ? undefined : sources.find((s, i) => s.site === source.site && chosen[i] !== undefined);
    if (read !== undefined) draft.note(at, 'IMPORT_NOT_READ', `not read: site '${source.site}' is read from ${read.path}`);
    else if (source.site !== undefined) unread.push({ at, site: source.site });
    else draft.problem(at, 'IMPORT_UNKNOWN_FORMAT', `no reader takes this file (vpnlab reads ${formats})`, 'name a file of one of those formats');
  }
  for (const { at, site } of unread) {
    const found = draft.sites.find((s) => s.name === site);
    if (found !== undefined && found.data[found.platform] !== undefined) {
      draft.note(at, 'IMPORT_NOT_READ', `not read: site '${site}' has its ${found.platform} block from another source`);
    } else {
      draft.problem(at, 'IMPORT_UNKNOWN_FORMAT', `vpnlab cannot read this file, nor any other of site '${site}' (vpnlab reads ${formats}): the site's platform block would be missing`,
        'give the site from a source vpnlab reads too (e.g. a vpnlab topology file with the site)');
    }
  }
  draft.finish();
  if (draft.sites.length === 0 && draft.problems.length === 0) {
    draft.problem({ file: sources[0]?.path ?? '<none>', line: 1, column: 1 }, 'IMPORT_NO_SITES', 'the sources describe no site');
  }
  const text = draft.sites.length === 0 ? '' : draft.render();
  return { text, problems: draft.problems, notes: draft.notes };
}

// -------------------------------------------------------------------------------------------------
// The formats vpnlab writes itself

/** A position in a YAML/JSON text, from a node's range. */
function originOf(file: string, counter: LineCounter, node: YamlNode | undefined): Origin {
  const offset = node?.range?.[0] ?? 0;
  const { line, col } = counter.linePos(offset);
  return { file, line, column: col };
}

function parseStructured(source: ImportSource, draft: Draft): { doc: ReturnType<typeof parseDocument>; counter: LineCounter } | undefined {
  const counter = new LineCounter();
  const doc = parseDocument(source.text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const { line, col } = counter.linePos(error.pos[0]);
      draft.problem({ file: source.path, line, column: col }, 'IMPORT_SYNTAX', error.message.split('\n')[0]!);
    }
    return undefined;
  }
  return { doc, counter };
}

/** Sites taken whole from a vpnlab topology file, each field cited at its line. */
function addSites(source: ImportSource, draft: Draft, doc: ReturnType<typeof parseDocument>, counter: LineCounter, sitesPath: Path, sitePath: Path): void {
  const sites = doc.getIn(sitesPath, true);
  if (!isSeq(sites)) {
    draft.problem(originOf(source.path, counter, doc.contents ?? undefined), 'IMPORT_NO_SITES', `no \`${sitesPath.join('.')}\` list in the file`);
    return;
  }
  sites.items.forEach((item, index) => {
    const node = doc.getIn([...sitesPath, index, ...sitePath], true) as YamlNode | undefined;
    const value = doc.getIn([...sitesPath, index, ...sitePath]);
    const origin = originOf(source.path, counter, node ?? (item as YamlNode));
    const plain = (isMap(node) ? node.toJSON() : value) as Record<string, unknown> | undefined;
    if (plain === undefined || typeof plain !== 'object' || typeof plain['name'] !== 'string' || typeof plain['platform'] !== 'string') {
      draft.problem(origin, 'IMPORT_SITE', 'a site needs a name and a platform');
      return;
    }
    const site = draft.site(plain['platform'] as PlatformName, plain['name'], origin);
    for (const [key, fieldValue] of Object.entries(plain)) {
      if (key === 'name' || key === 'platform') continue;
      if (key === '__proto__') {
        draft.problem(origin, 'IMPORT_SITE', 'a site field named __proto__');
        continue;
      }
      site.data[key] = fieldValue;
    }
    if (isMap(node)) citeFields(node, [], (path, at) => { if (path[0] !== 'name' && path[0] !== 'platform') site.from(path, originOf(source.path, counter, at)); });
  });
}

/** Every field of a YAML map, at any depth, with the node of its key (a list item: the item). */
function citeFields(node: YamlNode, path: Path, cite: (path: Path, at: YamlNode) => void): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      const value = pair.value as YamlNode | null;
      if (value !== null && (isMap(value) || isSeq(value))) citeFields(value, [...path, key], cite);
      cite([...path, key], value !== null && isScalar(value) ? value : pair.key);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      if (isMap(item) || isSeq(item)) citeFields(item, [...path, index], cite);
    });
  }
}

/** A vpnlab topology file (YAML with `sites:`): its sites and topology fields as written. */
function topologyReader(draft: Draft): SourceReader {
  return {
    format: 'vpnlab topology (YAML)',
    accepts: (source) => /\.ya?ml$/i.test(source.path) && /^sites\s*:/m.test(source.text),
    read(source) {
      const parsed = parseStructured(source, draft);
      if (parsed === undefined) return;
      const { doc, counter } = parsed;
      for (const key of TOPOLOGY_KEYS) {
        const node = doc.getIn([key], true) as YamlNode | undefined;
        if (node !== undefined) draft.setTopology(key, doc.getIn([key]) instanceof Object ? (node as { toJSON(): unknown }).toJSON() : doc.getIn([key]), originOf(source.path, counter, node));
      }
      addSites(source, draft, doc, counter, ['sites'], []);
    },
  };
}

/** An export folder's manifest: every site without its platform block, which the artifacts give. */
function manifestReader(draft: Draft): SourceReader {
  return {
    format: `vpnlab export manifest (${MANIFEST_PATH})`,
    accepts: (source) => source.path.endsWith(MANIFEST_PATH),
    read(source) {
      const parsed = parseStructured(source, draft);
      if (parsed === undefined) return;
      const { doc, counter } = parsed;
      const manifest = doc.toJSON() as Partial<Manifest> | null;
      if (manifest === null || typeof manifest !== 'object' || typeof manifest.topology !== 'object' || !Array.isArray(manifest.sites)) {
        draft.problem({ file: source.path, line: 1, column: 1 }, 'IMPORT_MANIFEST', 'not a vpnlab export manifest (no topology and sites)');
        return;
      }
      for (const key of TOPOLOGY_KEYS) {
        const node = doc.getIn(['topology', key], true) as YamlNode | undefined;
        const value = (manifest.topology as Record<string, unknown>)[key];
        if (value !== undefined) draft.setTopology(key, value, originOf(source.path, counter, node));
      }
      addSites(source, draft, doc, counter, ['sites'], ['site']);
    },
  };
}
