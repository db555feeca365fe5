import {
  Composer, CST, Document, isAlias, isMap, isPair, isScalar, isSeq, Lexer, LineCounter, Parser, YAMLParseError, type Node as YamlNode,
} from 'yaml';
import { CORE_SCHEMA, load as loadPlainYaml } from 'js-yaml';
import { boundText } from './display.js';

export type DocPath = readonly (string | number)[];

/** A value parsed from the file, with where it was written. */
export interface Located<T> {
  readonly value: T;
  readonly path: DocPath;
}

/** A name the file uses and what it names: `target` is undefined when it names nothing (the checks report it). */
export interface Reference<T> {
  readonly name: string;
  readonly path: DocPath;
  readonly target: T | undefined;
}

export interface SourcePosition {
  line: number;
  column: number;
}

/** Characters of one key shown in a path (a key is text from the file). */
const MAX_SHOWN_KEY = 60;

/**
 * How much YAML one file may hold, checked while it is read so that a hostile file is refused
 * before the document is built (docs/topology.md, "Input is bounded"):
 * - depth: collections inside collections (the parser's stack). The deepest example reaches 11;
 *   the YAML library builds the document recursively and overflows the stack at about 900.
 * - nodes: lexical tokens that make a node (scalars, aliases, collection starts, item and key
 *   markers), counted as the lexer produces them. The parser needs about 700 bytes of memory per
 *   node, so this bounds it to about 200 MB; a 10,000-subnet topology with a host on every subnet
 *   has 220,000.
 * - expandedNodes: nodes once every alias is replaced by what it names, which is what the schema
 *   and the checks walk: a "billion laughs" file of a few hundred bytes expands to billions.
 */
export const YAML_LIMITS = { depth: 64, nodes: 300_000, expandedNodes: 1_000_000 } as const;

export type YamlLimitKind = 'depth' | 'nodes' | 'aliases';

/** A YAML limit a file goes past, where it does so. */
export class YamlLimitError extends Error {
  readonly kind: YamlLimitKind;
  readonly line: number;
  readonly column: number;

  constructor(kind: YamlLimitKind, line: number, column: number, message: string) {
    super(message);
    this.kind = kind;
    this.line = line;
    this.column = column;
  }
}

/** Token types that start a node (a key, a value or a collection) or mark an item. */
const NODE_TOKENS: ReadonlySet<string> = new Set([
  'scalar', 'alias', 'block-scalar-header', 'flow-map-start', 'flow-seq-start', 'seq-item-ind', 'explicit-key-ind', 'map-value-ind',
]);

/** `sites[0].routers[1].staticRoutes[0].interface` — how paths are shown to users (keys cut and escaped). */
export function formatPath(path: DocPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? boundText(part, MAX_SHOWN_KEY) : `.${boundText(part, MAX_SHOWN_KEY)}`;
  }
  return out === '' ? '(document root)' : out;
}

/** A problem in the YAML itself, located. */
export interface SyntaxProblem {
  line: number;
  column: number;
  message: string;
}

/**
 * A parsed YAML file (topology, daemon config) that remembers where every value came from, so that schema errors
 * and cross-resource checks can name file, line and column.
 */
export class DocumentSource {
  readonly file: string;
  readonly text: string;
  private composed: Document | undefined;
  private readonly lines: LineCounter;
  private resolved: { data: unknown } | undefined;

  /** Throws YamlLimitError when the text goes past YAML_LIMITS. */
  constructor(file: string, text: string) {
    this.file = file;
    this.text = text;
    this.lines = new LineCounter();
    const plain = plainData(text);
    if (plain !== undefined) this.resolved = { data: plain };
    else this.composed = this.compose();
  }

  /**
   * The document with every node's place in the file. A plain file (plainData) is read without it,
   * and it is built only when a position is asked for: most files are valid and never need one.
   */
  get doc(): Document {
    this.composed ??= this.compose();
    return this.composed;
  }

  private compose(): Document {
    // The library's own duplicate-key check compares each key with every earlier one (minutes for
    // a 1 MB map); duplicateKeys does the same in one pass.
    const composer = new Composer({ uniqueKeys: false });
    let doc: Document.Parsed | undefined;
    for (const next of composer.compose(this.limitedTokens(this.text), true, this.text.length)) {
      if (doc === undefined) {
        doc = next;
        continue;
      }
      doc.errors.push(new YAMLParseError([next.range[0], next.range[1]], 'MULTIPLE_DOCS', 'Source contains multiple documents'));
      break;
    }
    this.checkExpansion(doc!);
    return doc!;
  }

  /** The parser's tokens, refused past the depth and node limits as the lexer produces them. */
  private *limitedTokens(text: string): Generator<CST.Token> {
    const parser = new Parser(this.lines.addNewLine);
    this.lines.addNewLine(0);
    let nodes = 0;
    for (const lexeme of new Lexer().lex(text)) {
      const at = parser.offset;
      const type = CST.tokenType(lexeme);
      if (type !== null && NODE_TOKENS.has(type) && ++nodes > YAML_LIMITS.nodes) {
        throw this.limit('nodes', at, `the file holds more than ${YAML_LIMITS.nodes} YAML nodes (keys, values and collections)`);
      }
      yield* parser.next(lexeme);
      if (parser.stack.length > YAML_LIMITS.depth) {
        throw this.limit('depth', at, `the document nests deeper than ${YAML_LIMITS.depth} levels (collections inside collections)`);
      }
    }
    yield* parser.end();
  }

  private limit(kind: YamlLimitKind, offset: number, message: string): YamlLimitError {
    const pos = this.lines.linePos(offset);
    return new YamlLimitError(kind, pos.line, pos.col, message);
  }

  /**
   * Counts the nodes of the document with every alias replaced by what it names, in document
   * order, and refuses it at the alias that takes the count past YAML_LIMITS.expandedNodes.
   * Iterative, and each anchored node's size is computed once.
   */
  private checkExpansion(doc: Document): void {
    const size = new Map<unknown, number>();
    let total = 0;
    const stack: { node: unknown; children: unknown[] | undefined; sum: number }[] = [];
    const enter = (node: unknown): void => {
      if (isAlias(node)) {
        const target = node.resolve(doc);
        total += size.get(target) ?? 1;
        if (total > YAML_LIMITS.expandedNodes) {
          throw this.limit('aliases', offsetOf(node) ?? 0, `aliases expand the document past ${YAML_LIMITS.expandedNodes} nodes (each alias copies what its anchor names)`);
        }
        if (stack.length > 0) stack[stack.length - 1]!.sum += size.get(target) ?? 1;
        return;
      }
      total++;
      const children = isMap(node) ? node.items.flatMap((p) => [p.key, p.value]) : isSeq(node) ? [...node.items] : undefined;
      stack.push({ node, children: children?.reverse(), sum: 1 });
    };
    enter(doc.contents);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const child = top.children?.pop();
      if (child !== undefined) {
        if (child !== null) enter(child);
        continue;
      }
      stack.pop();
      size.set(top.node, top.sum);
      if (stack.length > 0) stack[stack.length - 1]!.sum += top.sum;
    }
  }

  /** The document as plain data, made once (aliases are bounded by checkExpansion). */
  get data(): unknown {
    this.resolved ??= { data: this.doc.toJS({ maxAliasCount: -1 }) };
    return this.resolved.data;
  }

  /** YAML errors: the parser's, then keys repeated in one mapping (YAML forbids them). */
  syntaxProblems(): SyntaxProblem[] {
    // A plain file was read whole by a strict parser that refuses both.
    if (this.composed === undefined) return [];
    const out: SyntaxProblem[] = [];
    for (const e of this.doc.errors) {
      const pos = this.lines.linePos(e.pos[0]);
      out.push({ line: pos.line, column: pos.col, message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '') });
    }
    for (const offset of this.duplicateKeys()) {
      const pos = this.lines.linePos(offset);
      out.push({ line: pos.line, column: pos.col, message: 'Map keys must be unique' });
    }
    return out.sort((a, b) => a.line - b.line || a.column - b.column);
  }

  /** Offsets of keys that repeat an earlier scalar key of the same mapping; iterative, so depth cannot overflow it. */
  private duplicateKeys(): number[] {
    const found: number[] = [];
    const stack: unknown[] = [this.doc.contents];
    while (stack.length > 0) {
      const node = stack.pop();
      if (isMap(node)) {
        const seen = new Set<string>();
        for (const pair of node.items) {
          const key = pair.key;
          if (isScalar(key) && (key.value === null || typeof key.value !== 'object') && !Number.isNaN(key.value)) {
            const id = `${typeof key.value}:${String(key.value)}`;
            if (seen.has(id)) found.push(offsetOf(key) ?? 0);
            seen.add(id);
          } else if (key !== null && !isAlias(key)) {
            stack.push(key);
          }
          if (!isAlias(pair.value)) stack.push(pair.value);
        }
      } else if (isSeq(node)) {
        for (const item of node.items) if (!isAlias(item)) stack.push(item);
      }
    }
    return found;
  }

  /**
   * Where the value at `path` starts; with `key`, where its key starts (better for "unknown
   * field"). Walks as far as the path exists, so a missing field points at its parent.
   */
  locate(path: DocPath, key = false): SourcePosition {
    let node: unknown = this.doc.contents;
    let offset = offsetOf(node) ?? 0;
    for (let i = 0; i < path.length; i++) {
      const part = path[i]!;
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === part);
        if (pair === undefined) break;
        const keyOffset = offsetOf(pair.key);
        if (last && key && keyOffset !== undefined) {
          offset = keyOffset;
          break;
        }
        node = pair.value;
        offset = offsetOf(node) ?? keyOffset ?? offset;
      } else if (isSeq(node) && typeof part === 'number') {
        const item = node.items[part];
        if (item === undefined) break;
        node = item;
        offset = offsetOf(node) ?? offset;
      } else {
        break;
      }
    }
    const pos = this.lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  }

  /** The source line at `line` (1-based), for showing context under an error. */
  lineText(line: number): string {
    return this.text.split(/\r?\n/)[line - 1] ?? '';
  }
}

function offsetOf(node: unknown): number | undefined {
  const range = (node as YamlNode | null | undefined)?.range;
  return range === undefined || range === null ? undefined : range[0];
}

/** Data nested deeper than this is left to the full parser, which holds it to YAML_LIMITS.depth exactly. */
const PLAIN_DEPTH = YAML_LIMITS.depth / 2;

/**
 * The data of a file that needs nothing of the full parser: nothing a strict YAML 1.2 core-schema
 * parser refuses (js-yaml: a duplicate key, a second document, a tag outside the core schema, bad
 * syntax), no collection reached twice (an alias: the full parser bounds what aliases expand
 * to), nesting well inside the depth limit, and no more nodes than YAML_LIMITS allows. That
 * parser reads a file six times as fast as composing the document with positions; undefined
 * sends the file to the full parser, which reports whatever is wrong with where it is.
 */
function plainData(text: string): unknown {
  let data: unknown;
  try {
    data = loadPlainYaml(text, { schema: CORE_SCHEMA });
  } catch {
    return undefined;
  }
  if (data === null || typeof data !== 'object') return undefined;
  const nodes = plainNodes(data, PLAIN_DEPTH);
  if (nodes === undefined) return undefined;
  // The limit counts the lexer's node tokens, between one and two per key, value or collection:
  // within half the limit the file is within it; past that the lexer counts exactly.
  if (2 * nodes > YAML_LIMITS.nodes && !withinNodeLimit(text)) return undefined;
  return data;
}

/** Keys, values and collections, counted; undefined when deeper than `limit` or a collection is reached twice. */
function plainNodes(root: object, limit: number): number | undefined {
  const seen = new Set<object>();
  const stack: [unknown, number][] = [[root, 1]];
  let nodes = 0;
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    nodes++;
    if (value === null || typeof value !== 'object') continue;
    if (depth > limit || seen.has(value)) return undefined;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const item of value) stack.push([item, depth + 1]);
    } else {
      for (const child of Object.values(value)) {
        nodes++;
        stack.push([child, depth + 1]);
      }
    }
  }
  return nodes;
}

/** Whether the lexer finds at most YAML_LIMITS.nodes node tokens. */
function withinNodeLimit(text: string): boolean {
  let nodes = 0;
  for (const lexeme of new Lexer().lex(text)) {
    const type = CST.tokenType(lexeme);
    if (type !== null && NODE_TOKENS.has(type) && ++nodes > YAML_LIMITS.nodes) return false;
  }
  return true;
}
