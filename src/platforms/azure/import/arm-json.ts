import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { Origin } from '../../imports.js';

/*
 * What the ARM reader needs under a template: its JSON with the line and column of every value
 * (the `yaml` package parses JSON — YAML 1.2 is a superset — and keeps each node's range), the
 * `//` and `/* *\/` comments ARM accepts blanked out first, and template expressions
 * (`[parameters('x')]`) evaluated for the few functions a VPN template uses to name things:
 * parameters, variables, resourceId, concat. Anything else is reported, never guessed.
 */

/** A JSON value with where it is. */
export type JNode = YamlNode;

export interface JsonFile {
  readonly path: string;
  readonly root: JNode | undefined;
  origin(node: JNode | undefined): Origin;
}

/** Larger than any template Azure accepts (4 MB), with room to spare. */
export const MAX_TEMPLATE_CHARS = 16 * 1024 * 1024;
const MAX_DEPTH = 200;

/** Comments blanked to spaces, newlines kept, so positions stay those of the file. */
export function blankComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      const start = i++;
      while (i < text.length && text[i] !== '"' && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i++;
      out += text.slice(start, i);
    } else if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') { out += ' '; i++; }
    } else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      for (; i < stop; i++) out += text[i] === '\n' ? '\n' : ' ';
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** The file parsed, or its syntax errors at their places. */
export function parseJson(path: string, text: string): { file: JsonFile; errors: { origin: Origin; message: string }[] } {
  const counter = new LineCounter();
  const at = (offset: number): Origin => {
    const { line, col } = counter.linePos(offset);
    return { file: path, line, column: col };
  };
  const fail = (message: string): { file: JsonFile; errors: { origin: Origin; message: string }[] } => ({
    file: { path, root: undefined, origin: () => ({ file: path, line: 1, column: 1 }) }, errors: [{ origin: { file: path, line: 1, column: 1 }, message }],
  });
  if (text.length > MAX_TEMPLATE_CHARS) return fail(`the file is ${text.length} characters; vpnlab reads templates up to ${MAX_TEMPLATE_CHARS}`);
  const trimmed = text.replace(/^\uFEFF/, '');
  if (!/^\s*\{/.test(trimmed)) return fail('not a JSON object');
  let doc;
  try {
    doc = parseDocument(blankComments(trimmed), { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  } catch (e) {
    return fail(`the JSON parser gave up: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  const file: JsonFile = { path, root: doc.contents ?? undefined, origin: (node) => at(node?.range?.[0] ?? 0) };
  const errors = doc.errors.map((e) => ({ origin: at(e.pos[0]), message: e.message.split('\n')[0]! }));
  if (errors.length === 0 && tooDeep(doc.contents ?? undefined)) errors.push({ origin: at(0), message: `nested deeper than ${MAX_DEPTH} levels` });
  return { file, errors };
}

function tooDeep(root: JNode | undefined): boolean {
  const stack: [JNode, number][] = root === undefined ? [] : [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > MAX_DEPTH) return true;
    if (isMap(node)) for (const pair of node.items) { if (pair.value && typeof pair.value === 'object') stack.push([pair.value as JNode, depth + 1]); }
    else if (isSeq(node)) for (const item of node.items) if (item && typeof item === 'object') stack.push([item as JNode, depth + 1]);
  }
  return false;
}

/** The member `key` of an object (ARM names are case-insensitive), or undefined. */
export function member(node: JNode | undefined, key: string): JNode | undefined {
  if (!isMap(node)) return undefined;
  const lower = key.toLowerCase();
  for (const pair of node.items) {
    if (isScalar(pair.key) && String(pair.key.value).toLowerCase() === lower) return (pair.value ?? undefined) as JNode | undefined;
  }
  return undefined;
}

/** An object's members as [name, node], in the file's order. */
export function members(node: JNode | undefined): [string, JNode, JNode][] {
  if (!isMap(node)) return [];
  return node.items.filter((p) => isScalar(p.key)).map((p) => [String((p.key as { value: unknown }).value), p.value as JNode, p.key as JNode]);
}

export function items(node: JNode | undefined): JNode[] {
  return isSeq(node) ? (node.items as JNode[]) : [];
}

export function isObject(node: JNode | undefined): boolean {
  return isMap(node);
}

export function isArray(node: JNode | undefined): boolean {
  return isSeq(node);
}

/** A scalar's value as JSON has it (string, number, boolean, null), else undefined. */
export function scalarValue(node: JNode | undefined): string | number | boolean | null | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null ? v : undefined;
}

// -------------------------------------------------------------------------------------------------
// Template expressions

/** What an expression is worth: a value with where it came from, or why not. */
export type Evaluated =
  | { readonly ok: true; readonly value: unknown; readonly origin: Origin }
  | { readonly ok: false; readonly why: string; readonly origin: Origin; readonly missingParameter?: string };

export interface Scope {
  /** A parameter's value and where it is, or why there is none (`missing`: no value given yet). */
  parameter(name: string, depth: number): Evaluated;
  variable(name: string, depth: number): Evaluated;
}

type Token = { kind: 'id' | 'str' | 'num' | 'punct'; text: string };

function tokenize(text: string): Token[] | string {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) { i++; continue; }
    if (ch === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) return 'an unterminated string';
        if (text[i] === "'") {
          if (text[i + 1] === "'") { value += "'"; i += 2; continue; }
          i++;
          break;
        }
        value += text[i++];
      }
      tokens.push({ kind: 'str', text: value });
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))![0];
      tokens.push({ kind: 'id', text: m });
      i += m.length;
    } else if (/[-0-9]/.test(ch)) {
      const m = /^-?[0-9]+/.exec(text.slice(i));
      if (!m) return `an unexpected '${ch}'`;
      tokens.push({ kind: 'num', text: m[0] });
      i += m[0].length;
    } else if ('(),.[]'.includes(ch)) {
      tokens.push({ kind: 'punct', text: ch });
      i++;
    } else {
      return `an unexpected '${ch}'`;
    }
  }
  return tokens;
}

/** A template ID for a resource: the form resourceId() gives, which `resourceName` reads back. */
function resourceIdOf(args: readonly unknown[]): string | undefined {
  const typeAt = args.findIndex((a) => typeof a === 'string' && a.includes('/'));
  if (typeAt < 0 || args.some((a) => typeof a !== 'string')) return undefined;
  const type = (args[typeAt] as string).split('/');
  const names = args.slice(typeAt + 1) as string[];
  if (names.length !== type.length - 1) return undefined;
  const group = typeAt >= 1 ? (args[typeAt - 1] as string) : '{resourceGroup}';
  const subscription = typeAt >= 2 ? (args[typeAt - 2] as string) : '{subscription}';
  let id = `/subscriptions/${subscription}/resourceGroups/${group}/providers/${type[0]}`;
  names.forEach((name, i) => { id += `/${type[i + 1]}/${name}`; });
  return id;
}

/** The resource an ID names: its type ("Microsoft.Network/virtualNetworks/subnets") and names. */
export function resourceName(id: string): { type: string; names: string[] } | undefined {
  const m = /\/providers\/([^/]+)\/(.+)$/i.exec(id);
  if (!m) return undefined;
  const parts = m[2]!.split('/');
  if (parts.length % 2 !== 0 || parts.some((p) => p === '')) return undefined;
  const types: string[] = [m[1]!];
  const names: string[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    types.push(parts[i]!);
    names.push(parts[i + 1]!);
  }
  return { type: types.join('/'), names };
}

/** Evaluates `[expression]` (the brackets removed) in the scope. */
export function evaluateExpression(text: string, origin: Origin, scope: Scope, depth: number): Evaluated {
  const tokens = tokenize(text);
  if (typeof tokens === 'string') return { ok: false, why: `cannot read the expression [${text}]: ${tokens}`, origin };
  let pos = 0;
  let valueOrigin = origin;
  const peek = (): Token | undefined => tokens[pos];
  const expect = (punct: string): void => {
    if (peek()?.text !== punct || peek()?.kind !== 'punct') throw new ExpressionError(`expected '${punct}'${peek() ? ` before '${peek()!.text}'` : ' at the end'}`);
    pos++;
  };
  const call = (name: string, args: unknown[]): unknown => {
    const lower = name.toLowerCase();
    const oneString = (): string => {
      if (args.length !== 1 || typeof args[0] !== 'string') throw new ExpressionError(`${name}() takes one string`);
      return args[0];
    };
    if (lower === 'parameters' || lower === 'variables') {
      const result = lower === 'parameters' ? scope.parameter(oneString(), depth + 1) : scope.variable(oneString(), depth + 1);
      if (!result.ok) throw new ExpressionError(result.why, result.missingParameter);
      valueOrigin = result.origin;
      return result.value;
    }
    if (lower === 'resourceid') {
      const id = resourceIdOf(args);
      if (id === undefined) throw new ExpressionError('resourceId() needs a resource type and one name per level of it, all strings');
      return id;
    }
    if (lower === 'concat') {
      if (args.length === 0) throw new ExpressionError('concat() needs arguments');
      if (args.every((a) => Array.isArray(a))) return (args as unknown[][]).flat();
      if (args.every((a) => typeof a === 'string' || typeof a === 'number' || typeof a === 'boolean')) return args.map(String).join('');
      throw new ExpressionError('concat() of strings or of arrays');
    }
    if (lower === 'true' || lower === 'false') {
      if (args.length !== 0) throw new ExpressionError(`${name}() takes no arguments`);
      return lower === 'true';
    }
    throw new ExpressionError(`the template function ${name}() is not one vpnlab evaluates (it reads parameters, variables, resourceId and concat)`);
  };
  const primary = (): unknown => {
    const token = tokens[pos++];
    if (token === undefined) throw new ExpressionError('the expression ends early');
    if (token.kind === 'str') return token.text;
    if (token.kind === 'num') return Number(token.text);
    if (token.kind !== 'id') throw new ExpressionError(`an unexpected '${token.text}'`);
    expect('(');
    const args: unknown[] = [];
    if (peek()?.text !== ')') {
      for (;;) {
        args.push(expression());
        if (peek()?.text === ',') { pos++; continue; }
        break;
      }
    }
    expect(')');
    return call(token.text, args);
  };
  const expression = (): unknown => {
    let value = primary();
    for (;;) {
      const next = peek();
      if (next?.text === '.' && next.kind === 'punct') {
        pos++;
        const property = tokens[pos++];
        if (property?.kind !== 'id') throw new ExpressionError('expected a property name after \'.\'');
        if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, property.text)) {
          throw new ExpressionError(`.${property.text} of a value that has no such property (vpnlab does not evaluate what Azure returns at deployment)`);
        }
        value = (value as Record<string, unknown>)[property.text];
      } else if (next?.text === '[' && next.kind === 'punct') {
        pos++;
        const index = expression();
        expect(']');
        if (!Array.isArray(value) || typeof index !== 'number' || index < 0 || index >= value.length) throw new ExpressionError('an index out of the array');
        value = value[index];
      } else {
        return value;
      }
    }
  };
  try {
    if (depth > 32) throw new ExpressionError('parameters and variables refer to each other more than 32 deep');
    const value = expression();
    if (pos !== tokens.length) throw new ExpressionError(`an unexpected '${tokens[pos]!.text}' after the expression`);
    return { ok: true, value, origin: valueOrigin };
  } catch (e) {
    if (!(e instanceof ExpressionError)) throw e;
    return { ok: false, why: `[${text}]: ${e.message}`, origin, ...(e.missingParameter === undefined ? {} : { missingParameter: e.missingParameter }) };
  }
}

class ExpressionError extends Error {
  constructor(message: string, readonly missingParameter?: string) {
    super(message);
  }
}

/**
 * A JSON value with every string expression in it evaluated: the value, where it came from (the
 * node, or the parameter's value when the whole node is one expression), or the first failure.
 */
export function evaluateNode(file: JsonFile, node: JNode | undefined, scope: Scope, depth = 0): Evaluated {
  const origin = file.origin(node);
  if (depth > MAX_DEPTH) return { ok: false, why: 'nested too deep', origin };
  if (node === undefined || node === null) return { ok: false, why: 'no value', origin };
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === 'string' && v.startsWith('[') && v.endsWith(']') && !v.startsWith('[[')) return evaluateExpression(v.slice(1, -1), origin, scope, depth);
    if (typeof v === 'string' && v.startsWith('[[')) return { ok: true, value: v.slice(1), origin };
    return { ok: true, value: v, origin };
  }
  if (isSeq(node)) {
    const out: unknown[] = [];
    for (const item of node.items as JNode[]) {
      const r = evaluateNode(file, item, scope, depth + 1);
      if (!r.ok) return r;
      out.push(r.value);
    }
    return { ok: true, value: out, origin };
  }
  if (isMap(node)) {
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [key, value] of members(node)) {
      const r = evaluateNode(file, value, scope, depth + 1);
      if (!r.ok) return r;
      out[key] = r.value;
    }
    return { ok: true, value: out, origin };
  }
  return { ok: false, why: 'not a JSON value', origin };
}
