import { readFileSync } from 'node:fs';
import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import { checkTopology } from './checks.js';
import { IssueCollector, TopologyError, type TopologyIssue } from './issues.js';
import { topologyJsonSchema, topologySchema, type Topology } from './schema.js';
import { TopologySource, type DocPath } from './source.js';

export interface LoadedTopology {
  topology: Topology;
  source: TopologySource;
  /** Problems that do not stop the topology from running. */
  warnings: TopologyIssue[];
}

export function loadTopologyFile(file: string): LoadedTopology {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new TopologyError([{
      severity: 'error', code: 'TOPO_FILE_UNREADABLE', file, line: 1, column: 1, path: '(file)',
      message: `cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    }]);
  }
  return parseTopology(text, file);
}

/**
 * Parses and checks a topology: YAML syntax, then the schema, then the cross-resource checks
 * (names resolve, addresses fit, nothing overlaps). Throws TopologyError with every error found.
 */
export function parseTopology(text: string, file = '<input>'): LoadedTopology {
  const source = new TopologySource(file, text);
  const issues = new IssueCollector(source);
  for (const e of source.doc.errors) {
    const pos = e.linePos?.[0];
    issues.issues.push({
      severity: 'error', code: 'TOPO_YAML_SYNTAX', file, line: pos?.line ?? 1, column: pos?.col ?? 1, path: '(yaml)',
      message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
    });
  }
  if (issues.errors.length > 0) throw new TopologyError(issues.issues);

  const result = topologySchema.safeParse(source.data);
  if (!result.success) {
    for (const issue of result.error.issues) reportSchemaIssue(issues, source, issue);
    throw new TopologyError(sortIssues(issues.issues));
  }
  checkTopology(result.data, issues);
  if (issues.errors.length > 0) throw new TopologyError(sortIssues(issues.issues));
  return { topology: result.data, source, warnings: sortIssues(issues.issues) };
}

function sortIssues(list: TopologyIssue[]): TopologyIssue[] {
  return [...list].sort((a, b) => a.line - b.line || a.column - b.column);
}

type ZodIssue = z.core.$ZodIssue;

function reportSchemaIssue(issues: IssueCollector, source: TopologySource, issue: ZodIssue): void {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(path, source.data);
      for (const key of issue.keys) {
        const near = allowed.length > 0 ? closest(key, allowed) : undefined;
        const suggestion = near !== undefined && distance(key.toLowerCase(), near.toLowerCase()) <= Math.max(2, Math.floor(key.length / 3))
          ? `did you mean '${near}'? ` : '';
        issues.add('error', 'TOPO_UNKNOWN_FIELD', [...path, key], `unknown field '${key}'`,
          `${suggestion}allowed here: ${allowed.join(', ')}`, true);
      }
      return;
    }
    case 'invalid_value':
      issues.error('TOPO_INVALID_VALUE', path, `${quoteValue(path, source)} is not allowed`,
        `allowed: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`);
      return;
    case 'invalid_union':
      if ('discriminator' in issue && issue.discriminator !== undefined) {
        const options = (issue as unknown as { options?: unknown[] }).options ?? [];
        issues.error('TOPO_INVALID_VALUE', path, `${quoteValue(path, source)} is not a known ${issue.discriminator}`,
          `allowed: ${options.map((v) => JSON.stringify(v)).join(', ')}`);
        return;
      }
      issues.error('TOPO_INVALID_VALUE', path, issue.message);
      return;
    case 'invalid_type': {
      const missing = valueAt(source.data, path) === undefined;
      if (missing) {
        issues.error('TOPO_MISSING_FIELD', path, `required field '${String(path[path.length - 1])}' is missing`,
          `expected ${issue.expected}`);
      } else {
        issues.error('TOPO_INVALID_TYPE', path, `expected ${issue.expected}, got ${describe(valueAt(source.data, path))}`);
      }
      return;
    }
    case 'custom':
      issues.error('TOPO_INVALID_VALUE', path, issue.message.includes(String(valueAt(source.data, path))) ? issue.message : `${quoteValue(path, source)}: ${issue.message}`);
      return;
    default:
      issues.error('TOPO_INVALID_VALUE', path, `${quoteValue(path, source)}: ${issue.message}`);
  }
}

function quoteValue(path: DocPath, source: TopologySource): string {
  const v = valueAt(source.data, path);
  return typeof v === 'string' ? `'${v}'` : JSON.stringify(v) ?? 'value';
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function valueAt(data: unknown, path: DocPath): unknown {
  let v = data;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema | JsonSchema[];
  prefixItems?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  const?: unknown;
  $ref?: string;
};

let cachedSchema: JsonSchema | undefined;

/**
 * The field names allowed at `path`, read from the published JSON Schema, so suggestions always
 * match what editors complete. Unions pick the branch whose constant fields match the data.
 */
export function allowedKeys(path: DocPath, data: unknown): string[] {
  cachedSchema ??= topologyJsonSchema() as JsonSchema;
  let nodes: JsonSchema[] = [cachedSchema];
  let value: unknown = data;
  for (const part of path) {
    const next: JsonSchema[] = [];
    for (const n of nodes.flatMap((x) => expand(x, value))) {
      if (typeof part === 'number') {
        const items = n.prefixItems?.[part] ?? (Array.isArray(n.items) ? n.items[part] : n.items);
        if (items !== undefined) next.push(items);
      } else if (n.properties?.[part] !== undefined) {
        next.push(n.properties[part]);
      }
    }
    nodes = next;
    value = (value as Record<string | number, unknown> | undefined)?.[part];
  }
  const keys = new Set<string>();
  for (const n of nodes.flatMap((x) => expand(x, value))) for (const k of Object.keys(n.properties ?? {})) keys.add(k);
  return [...keys];
}

function expand(schema: JsonSchema, value: unknown): JsonSchema[] {
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches !== undefined) {
    const all = branches.flatMap((b) => expand(b, value));
    const matching = all.filter((b) => constsMatch(b, value));
    return matching.length > 0 ? matching : all;
  }
  if (schema.allOf !== undefined) return schema.allOf.flatMap((b) => expand(b, value));
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
