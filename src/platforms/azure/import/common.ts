import type { z } from 'zod';
import type { DraftSite, Origin, TopologyDraft } from '../../imports.js';

/*
 * What the ARM and Terraform readers share: an Azure site of the draft filled the same way from
 * either (the VNet's address space and subnets as the site's, each resource appended to its
 * collection of the `azure:` block with every field cited), the values each source may disagree
 * on (a manifest and a template both giving the address space), and the other VNet of a Vnet2Vnet
 * connection, which only the whole set of sources can name.
 */

export type Path = readonly (string | number)[];
export type Collection = 'virtualNetworkGateways' | 'localNetworkGateways' | 'connections';

/** The zod message for `value`, or undefined when the schema takes it. */
/** A resource (or a nested object of one) being filled, with its path in the site and the site's writer. */
export type Entry = { entry: Record<string, unknown>; path: Path; writer: AzureSiteWriter };

/** A nested object of the entry (bgpSettings, an ipConfigurations item …), created empty. */
export function nestedEntry(at: Entry, key: string, index?: number): Entry {
  const entry: Record<string, unknown> = {};
  if (index === undefined) at.entry[key] = entry;
  else ((at.entry[key] ??= []) as Record<string, unknown>[])[index] = entry;
  return { entry, path: index === undefined ? [...at.path, key] : [...at.path, key, index], writer: at.writer };
}

/** Puts `value` at `key` of the entry, or reports what the azure schema refuses in it. */
export function putChecked(draft: TopologyDraft, at: Entry, key: string, schema: z.ZodType, value: unknown, origin: Origin): void {
  const problem = schemaProblem(schema, value);
  if (problem !== undefined) {
    delete at.entry[key];
    draft.problem(origin, 'IMPORT_AZURE_VALUE', `${String(at.entry['name'])}.${key}: ${problem}`);
    return;
  }
  at.writer.put(at.entry, at.path, key, value, origin);
}

export function schemaProblem(schema: z.ZodType, value: unknown): string | undefined {
  const result = schema.safeParse(value);
  if (result.success) return undefined;
  return result.error.issues.map((i) => `${i.path.length > 0 ? `${i.path.join('.')}: ` : ''}${i.message}`).join('; ');
}

const writers = new WeakMap<DraftSite, AzureSiteWriter>();

export class AzureSiteWriter {
  readonly block: Record<string, unknown>;

  private constructor(readonly draft: TopologyDraft, readonly site: DraftSite, origin: Origin) {
    const existing = site.data['azure'];
    this.block = typeof existing === 'object' && existing !== null ? existing as Record<string, unknown> : {};
    site.data['azure'] = this.block;
    draft.afterAll(() => {
      if (site.data['addressSpace'] === undefined) {
        draft.problem(origin, 'IMPORT_AZURE_NO_VNET', `no source creates VNet ${site.name}: its address space is unknown`,
          'import the template or configuration that creates the virtual network too, or the export folder\'s manifest');
      }
    });
  }

  /** The writer of the draft's azure site of that name (one per site, whichever reader asks). */
  static of(draft: TopologyDraft, name: string, origin: Origin): AzureSiteWriter {
    const site = draft.site('azure', name, origin);
    let writer = writers.get(site);
    if (writer === undefined) {
      writer = new AzureSiteWriter(draft, site, origin);
      writers.set(site, writer);
    }
    return writer;
  }

  /** A field of the site itself: the first source's value stands; another source saying otherwise is a problem. */
  siteField(key: 'addressSpace' | 'subnets' | 'region', value: unknown, origin: Origin): void {
    const current = this.site.data[key];
    if (current === undefined) {
      this.site.data[key] = value;
      this.site.from([key], origin);
    } else if (JSON.stringify(comparable(current, key)) !== JSON.stringify(comparable(value, key))) {
      this.draft.problem(origin, 'IMPORT_AZURE_CONFLICT', `VNet ${this.site.name}: ${key} is ${JSON.stringify(value)} here but ${JSON.stringify(current)} in an earlier source`,
        'make the sources agree, or import one of them');
    }
  }

  /** A new entry of the collection (with its name set), or undefined when the site already has one of that name. */
  add(collection: Collection, name: string, origin: Origin): { entry: Record<string, unknown>; path: Path } | undefined {
    const list = (this.block[collection] ??= []) as Record<string, unknown>[];
    if (list.some((e) => e['name'] === name)) {
      this.draft.problem(origin, 'IMPORT_AZURE_DUPLICATE', `VNet ${this.site.name} already has a ${collection.replace(/s$/, '')} named ${name} (from an earlier source)`,
        'import each resource from one source');
      return undefined;
    }
    const entry: Record<string, unknown> = { name };
    const path = ['azure', collection, list.length];
    list.push(entry);
    this.site.from([...path, 'name'], origin);
    return { entry, path };
  }

  put(entry: Record<string, unknown>, path: Path, key: string, value: unknown, origin: Origin): void {
    entry[key] = value;
    this.site.from([...path, key], origin);
  }

  /**
   * virtualNetworkGateway2 of a Vnet2Vnet connection: "site/gateway", the site being the one
   * azure site of the draft with a gateway of that name once every source is read, else `hint`
   * (what the file itself says of the other VNet), else a problem.
   */
  peer(entry: Record<string, unknown>, path: Path, gateway: string, hint: string | undefined, origin: Origin): void {
    entry['virtualNetworkGateway2'] = undefined;
    this.draft.afterAll(() => {
      const owners = this.draft.sites.filter((s) => s.platform === 'azure' && s !== this.site && hasGateway(s, gateway)).map((s) => s.name);
      const site = owners.length === 1 ? owners[0] : hint;
      if (site === undefined) {
        this.draft.problem(origin, 'IMPORT_AZURE_PEER', `connection ${String(entry['name'])}: which VNet gateway ${gateway} belongs to is not said${owners.length > 1 ? ` (${owners.join(' and ')} both have one)` : ''}`,
          'import the other VNet\'s template or configuration too');
        delete entry['virtualNetworkGateway2'];
        return;
      }
      this.put(entry, path, 'virtualNetworkGateway2', `${site}/${gateway}`, origin);
    });
  }
}

function hasGateway(site: DraftSite, gateway: string): boolean {
  const azure = site.data['azure'] as { virtualNetworkGateways?: { name?: unknown }[] } | undefined;
  return (azure?.virtualNetworkGateways ?? []).some((g) => g.name === gateway);
}

/** Subnets compared by name and prefix only: a manifest's subnet may say more than a template can. */
function comparable(value: unknown, key: string): unknown {
  if (key !== 'subnets' || !Array.isArray(value)) return value;
  return value.map((s) => (typeof s === 'object' && s !== null ? { name: (s as Record<string, unknown>)['name'], prefix: (s as Record<string, unknown>)['prefix'] } : s));
}
