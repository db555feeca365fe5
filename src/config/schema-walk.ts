import type { DocPath } from './source.js';

/*
 * Questions about a place in a document answered from the published JSON Schema, so they always
 * agree with what editors see: which field names are allowed there (for "did you mean"), and
 * whether the value there is a secret (`writeOnly`, set by `secret()` in primitives.ts).
 */

type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema | JsonSchema[];
  prefixItems?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  const?: unknown;
  writeOnly?: boolean;
  $ref?: string;
};

/** A document's JSON Schema, made on first use. */
export class SchemaWalker {
  private readonly make: () => unknown;
  private root: JsonSchema | undefined;

  constructor(make: () => unknown) {
    this.make = make;
  }

  /** The field names allowed at `path`. Unions pick the branch whose constant fields match the data. */
  allowedKeys(path: DocPath, data: unknown): string[] {
    const keys = new Set<string>();
    for (const n of this.at(path, data)) for (const k of Object.keys(n.properties ?? {})) keys.add(k);
    return [...keys];
  }

  /**
   * Whether the value at `path` is a secret, or inside one. Any matching union branch marking it
   * is enough: hiding a value by mistake costs less than showing a key.
   */
  isSecret(path: DocPath, data: unknown): boolean {
    for (let depth = path.length; depth > 0; depth--) {
      if (this.at(path.slice(0, depth), data).some((n) => n.writeOnly === true)) return true;
    }
    return false;
  }

  private at(path: DocPath, data: unknown): JsonSchema[] {
    this.root ??= this.make() as JsonSchema;
    let nodes: JsonSchema[] = [this.root];
    let value: unknown = data;
    for (const part of path) {
      const next: JsonSchema[] = [];
      for (const n of nodes.flatMap((x) => expand(x, value))) {
        if (typeof part === 'number') {
          const items = n.prefixItems?.[part] ?? (Array.isArray(n.items) ? n.items[part] : n.items);
          if (items !== undefined) next.push(items);
        } else if (n.properties !== undefined && Object.hasOwn(n.properties, part)) {
          next.push(n.properties[part]!);
        }
      }
      nodes = next;
      value = value !== null && typeof value === 'object' ? (value as Record<string | number, unknown>)[part] : undefined;
    }
    return nodes.flatMap((x) => expand(x, value));
  }
}

function expand(schema: JsonSchema, value: unknown): JsonSchema[] {
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches !== undefined) {
    const all = branches.flatMap((b) => expand(b, value));
    const matching = all.filter((b) => constsMatch(b, value));
    // The node itself may carry annotations (writeOnly, description) next to its branches.
    return [schema, ...(matching.length > 0 ? matching : all)];
  }
  if (schema.allOf !== undefined) return [schema, ...schema.allOf.flatMap((b) => expand(b, value))];
  return [schema];
}

function constsMatch(schema: JsonSchema, value: unknown): boolean {
  if (value === null || typeof value !== 'object' || schema.properties === undefined) return false;
  let sawConst = false;
  for (const [k, s] of Object.entries(schema.properties)) {
    if (s.const === undefined) continue;
    sawConst = true;
    if ((value as Record<string, unknown>)[k] !== s.const) return false;
  }
  return sawConst;
}
