import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import { boundText, describeValue, MAX_SHOWN_VALUE, showValue } from './display.js';
import { ConfigError, IssueCollector, type ConfigIssue } from './issues.js';
import { SchemaWalker } from './schema-walk.js';
import { DocumentSource, YamlLimitError, type DocPath, type YamlLimitKind } from './source.js';

/*
 * Reading a YAML configuration file against a zod schema, for every file vpnlab reads (the
 * topology, the `bgp run` and `ike run` daemon configs): syntax errors, schema errors and the
 * file's own checks all come out as issues with file, line, column and the path of the field, and
 * unknown fields get the nearest allowed name suggested from the published JSON Schema.
 *
 * The file is untrusted input: it is refused past MAX_CONFIG_BYTES before parsing and past
 * YAML_LIMITS (depth, nodes, alias expansion: source.ts) while it is parsed; messages show its
 * values through display.ts — never a secret's, never more than a few dozen characters, never a
 * raw control character.
 */

/**
 * The largest configuration file read: 4 MiB, four hundred times the largest example (9 KB) and
 * three times a 10,000-subnet topology with a host on every subnet. Memory is bounded by the node
 * limit (YAML_LIMITS in source.ts); this bounds the text, which is held whole.
 */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** The issue code of each YAML limit, after the file's prefix. */
const LIMIT_CODES: Record<YamlLimitKind, string> = { depth: 'YAML_TOO_DEEP', nodes: 'YAML_TOO_MANY_NODES', aliases: 'YAML_ALIAS_LIMIT' };

export interface DocumentSpec<S extends z.ZodType> {
  schema: S;
  /** The JSON Schema published for the same schema (suggestions and secret fields come from it). */
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

function fileIssue(file: string, code: string, message: string, hint?: string, at: { line: number; column: number; path: string } = { line: 1, column: 1, path: '(file)' }): ConfigError {
  const issue: ConfigIssue = { severity: 'error', code, file, line: at.line, column: at.column, path: at.path, message };
  if (hint !== undefined) issue.hint = hint;
  return new ConfigError([issue]);
}

function tooLarge(file: string, codePrefix: string, size: string): ConfigError {
  return fileIssue(file, `${codePrefix}_FILE_TOO_LARGE`, `the file is ${size}: configuration files are read up to ${MAX_CONFIG_BYTES / 1024 / 1024} MiB`,
    'is this the right file?');
}

/** Reads a configuration file as UTF-8, at most MAX_CONFIG_BYTES (a pipe or device is read no further either). */
export function readDocumentFile(file: string, codePrefix: string): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw unreadable(file, codePrefix, e);
  }
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_CONFIG_BYTES) throw tooLarge(file, codePrefix, `${size} bytes`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(64 * 1024);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > MAX_CONFIG_BYTES) throw tooLarge(file, codePrefix, `more than ${MAX_CONFIG_BYTES} bytes`);
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw unreadable(file, codePrefix, e);
  } finally {
    closeSync(fd);
  }
}

function unreadable(file: string, codePrefix: string, e: unknown): ConfigError {
  return fileIssue(file, `${codePrefix}_FILE_UNREADABLE`, `cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
}

/**
 * Parses and checks one document. Throws ConfigError with every error found.
 * `keepCheckErrors`: errors of the cross-resource checks (not of YAML or the schema) come back with
 * the warnings instead of being thrown — to run a file anyway and watch what its mistakes do.
 */
export function parseDocument<S extends z.ZodType>(text: string, file: string, spec: DocumentSpec<S>, options: { keepCheckErrors?: boolean } = {}): ParsedDocument<z.output<S>> {
  const code = (name: string) => `${spec.codePrefix}_${name}`;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_CONFIG_BYTES) throw tooLarge(file, spec.codePrefix, `${bytes} bytes`);
  let source: DocumentSource;
  try {
    source = new DocumentSource(file, text);
  } catch (e) {
    if (e instanceof YamlLimitError) {
      throw fileIssue(file, code(LIMIT_CODES[e.kind]), e.message, 'is this the right file? (docs/topology.md lists the limits)', { line: e.line, column: e.column, path: '(yaml)' });
    }
    throw e;
  }
  const issues: IssueCollector = new IssueCollector(source, spec.codePrefix);
  for (const p of source.syntaxProblems()) issues.addAt('error', code('YAML_SYNTAX'), p.line, p.column, '(yaml)', p.message);
  if (issues.errorCount > 0) issues.fail();

  const data = source.data;

  const result = spec.schema.safeParse(data);
  if (!result.success) {
    const context: SchemaContext = { issues, data, walker: walkerOf(spec), code };
    for (const issue of result.error.issues) reportSchemaIssue(context, issue);
    issues.fail();
  }
  spec.check?.(result.data, issues);
  if (issues.errorCount > 0 && options.keepCheckErrors !== true) issues.fail();
  return { data: result.data, source, warnings: issues.sorted() };
}

const walkers = new WeakMap<object, SchemaWalker>();

function walkerOf(spec: DocumentSpec<z.ZodType>): SchemaWalker {
  let walker = walkers.get(spec.schema);
  if (walker === undefined) {
    walker = new SchemaWalker(spec.jsonSchema);
    walkers.set(spec.schema, walker);
  }
  return walker;
}

type ZodIssue = z.core.$ZodIssue;

interface SchemaContext {
  issues: IssueCollector;
  data: unknown;
  walker: SchemaWalker;
  code: (name: string) => string;
}

function reportSchemaIssue(context: SchemaContext, issue: ZodIssue): void {
  const { issues, data, walker, code } = context;
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const value = valueAt(data, path);
  const secret = walker.isSecret(path, data);
  const shown = showValue(value, secret);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = walker.allowedKeys(path, data);
      for (const key of issue.keys) {
        const near = allowed.length > 0 && key.length <= MAX_SHOWN_VALUE ? closest(key, allowed) : undefined;
        const suggestion = near !== undefined && distance(key.toLowerCase(), near.toLowerCase()) <= Math.max(2, Math.floor(key.length / 3))
          ? `did you mean '${near}'? ` : '';
        issues.add('error', code('UNKNOWN_FIELD'), [...path, key], `unknown field '${boundText(key, MAX_SHOWN_VALUE)}'`,
          `${suggestion}allowed here: ${allowed.join(', ')}`, true);
      }
      return;
    }
    case 'invalid_value':
      issues.error(code('INVALID_VALUE'), path, `${shown} is not allowed`,
        `allowed: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`);
      return;
    case 'invalid_union':
      if ('discriminator' in issue && issue.discriminator !== undefined) {
        const options = (issue as unknown as { options?: unknown[] }).options ?? [];
        issues.error(code('INVALID_VALUE'), path, `${shown} is not a known ${issue.discriminator}`,
          `allowed: ${options.map((v) => JSON.stringify(v)).join(', ')}`);
        return;
      }
      issues.error(code('INVALID_VALUE'), path, withoutValue(issue.message, value, secret));
      return;
    case 'invalid_type': {
      if (value === undefined) {
        issues.error(code('MISSING_FIELD'), path, `required field '${boundText(String(path[path.length - 1]), MAX_SHOWN_VALUE)}' is missing`,
          `expected ${issue.expected}`);
      } else {
        issues.error(code('INVALID_TYPE'), path, `expected ${issue.expected}, got ${describeValue(value, secret)}`,
          secret && issue.expected === 'string' && typeof value !== 'object' ? 'write it in quotes ("...") so it is read as text' : undefined);
      }
      return;
    }
    case 'invalid_key': {
      // A record's key that its key schema refuses: the key schema's own message says why.
      const key = String(path[path.length - 1]);
      const why = issue.issues[0]?.message ?? issue.message;
      issues.add('error', code('INVALID_VALUE'), path, `'${boundText(key, MAX_SHOWN_VALUE)}' is not allowed as a name here: ${why}`, undefined, true);
      return;
    }
    case 'custom': {
      const message = withoutValue(issue.message, value, secret);
      const mentions = !secret && value !== undefined && value !== null && typeof value !== 'object' && issue.message.includes(String(value));
      issues.error(code('INVALID_VALUE'), path, mentions ? message : `${shown}: ${message}`);
      return;
    }
    default:
      issues.error(code('INVALID_VALUE'), path, `${shown}: ${withoutValue(issue.message, value, secret)}`);
  }
}

/**
 * A schema's message, safe to show: a refine's message can repeat its input, which may be long,
 * carry control characters, or be a secret (then only a generic message is left).
 */
function withoutValue(message: string, value: unknown, secret: boolean): string {
  if (value === undefined || value === null || typeof value === 'object') return message;
  const raw = String(value);
  if (raw === '' || !message.includes(raw)) return message;
  if (secret) return 'not a valid value';
  return message.split(raw).join(boundText(raw, MAX_SHOWN_VALUE));
}

function valueAt(data: unknown, path: DocPath): unknown {
  let v = data;
  for (const p of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, p)) return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}
