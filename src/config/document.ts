import { readFileSync } from 'node:fs';
import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import { ConfigError, IssueCollector, type ConfigIssue } from './issues.js';
import { DocumentSource, type DocPath } from './source.js';

/*
 * Reading a YAML configuration file against a zod schema, for every file vpnlab reads (the
 * topology, the `bgp run` daemon config): syntax errors, schema errors and the file's own checks
 * all come out as issues with file, line, column and the path of the field, and unknown fields get
 * the nearest allowed name suggested from the published JSON Schema.
 */

export interface DocumentSpec<S extends z.ZodType> {
  schema: S;
  /** The JSON Schema published for the same schema (suggestions come from it). */
  jsonSchema: () => unknown;
  /** Prefix of issue codes: `TOPO` gives TOPO_UNKNOWN_FIELD, TOPO_YAML_SYNTAX... */
  codePrefix: string;
  /** Cross-field checks after the schema passed. */
  check?: (data: z.output<S>, issues: IssueCollector) => void;
}

export interface ParsedDocument<T> {
  data: T;
  source: DocumentSource;
  /** Problems that do not stop the file from being used. */
  warnings: ConfigIssue[];
}

export function readDocumentFile(file: string, codePrefix: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError([{
      severity: 'error', code: `${codePrefix}_FILE_UNREADABLE`, file, line: 1, column: 1, path: '(file)',
      message: `cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    }]);
  }
}

/** Parses and checks one document. Throws ConfigError with every error found. */
/**
 * `keepCheckErrors`: errors of the cross-resource checks (not of YAML or the schema) come back with
 * the warnings instead of being thrown — to run a file anyway and watch what its mistakes do.
 */
export function parseDocument<S extends z.ZodType>(text: string, file: string, spec: DocumentSpec<S>, options: { keepCheckErrors?: boolean } = {}): ParsedDocument<z.output<S>> {
  const source = new DocumentSource(file, text);
  const issues = new IssueCollector(source);
  const code = (name: string) => `${spec.codePrefix}_${name}`;
  for (const e of source.doc.errors) {
    const pos = e.linePos?.[0];
    issues.issues.push({
      severity: 'error', code: code('YAML_SYNTAX'), file, line: pos?.line ?? 1, column: pos?.col ?? 1, path: '(yaml)',
      message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
    });
  }
  if (issues.errors.length > 0) throw new ConfigError(issues.issues);

  const result = spec.schema.safeParse(source.data);
  if (!result.success) {
    for (const issue of result.error.issues) reportSchemaIssue(issues, source, issue, spec);
    throw new ConfigError(sortIssues(issues.issues));
  }
  spec.check?.(result.data, issues);
  if (issues.errors.length > 0 && options.keepCheckErrors !== true) throw new ConfigError(sortIssues(issues.issues));
  return { data: result.data, source, warnings: sortIssues(issues.issues) };
}

function sortIssues(list: ConfigIssue[]): ConfigIssue[] {
  return [...list].sort((a, b) => a.line - b.line || a.column - b.column);
}

type ZodIssue = z.core.$ZodIssue;

function reportSchemaIssue(issues: IssueCollector, source: DocumentSource, issue: ZodIssue, spec: DocumentSpec<z.ZodType>): void {
  const code = (name: string) => `${spec.codePrefix}_${name}`;
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(spec, path, source.data);
      for (const key of issue.keys) {
        const near = allowed.length > 0 ? closest(key, allowed) : undefined;
        const suggestion = near !== undefined && distance(key.toLowerCase(), near.toLowerCase()) <= Math.max(2, Math.floor(key.length / 3))
          ? `did you mean '${near}'? ` : '';
        issues.add('error', code('UNKNOWN_FIELD'), [...path, key], `unknown field '${key}'`,
          `${suggestion}allowed here: ${allowed.join(', ')}`, true);
      }
      return;
    }
    case 'invalid_value':
      issues.error(code('INVALID_VALUE'), path, `${quoteValue(path, source)} is not allowed`,
        `allowed: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`);
      return;
    case 'invalid_union':
      if ('discriminator' in issue && issue.discriminator !== undefined) {
        const options = (issue as unknown as { options?: unknown[] }).options ?? [];
        issues.error(code('INVALID_VALUE'), path, `${quoteValue(path, source)} is not a known ${issue.discriminator}`,
          `allowed: ${options.map((v) => JSON.stringify(v)).join(', ')}`);
        return;
      }
      issues.error(code('INVALID_VALUE'), path, issue.message);
      return;
    case 'invalid_type': {
      const missing = valueAt(source.data, path) === undefined;
      if (missing) {
        issues.error(code('MISSING_FIELD'), path, `required field '${String(path[path.length - 1])}' is missing`,
          `expected ${issue.expected}`);
      } else {
        issues.error(code('INVALID_TYPE'), path, `expected ${issue.expected}, got ${describe(valueAt(source.data, path))}`);
      }
      return;
    }
    case 'custom':
      issues.error(code('INVALID_VALUE'), path, issue.message.includes(String(valueAt(source.data, path))) ? issue.message : `${quoteValue(path, source)}: ${issue.message}`);
      return;
    default:
      issues.error(code('INVALID_VALUE'), path, `${quoteValue(path, source)}: ${issue.message}`);
  }
}

function quoteValue(path: DocPath, source: DocumentSource): string {
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

const jsonSchemas = new WeakMap<object, JsonSchema>();

/**
 * The field names allowed at `path`, read from the published JSON Schema, so suggestions always
 * match what editors complete. Unions pick the branch whose constant fields match the data.
 */
function allowedKeys(spec: DocumentSpec<z.ZodType>, path: DocPath, data: unknown): string[] {
  let root = jsonSchemas.get(spec.schema);
  if (root === undefined) {
    root = spec.jsonSchema() as JsonSchema;
    jsonSchemas.set(spec.schema, root);
  }
  let nodes: JsonSchema[] = [root];
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
