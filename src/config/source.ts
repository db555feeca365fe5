import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
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
 * How far aliases may expand (the yaml library's count of alias resolutions times aliases): a
 * "billion laughs" document is refused instead of filling memory.
 */
const MAX_ALIAS_COUNT = 100;

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
  readonly doc: Document;
  private readonly lines: LineCounter;
  private resolved: { data: unknown } | undefined;

  constructor(file: string, text: string) {
    this.file = file;
    this.text = text;
    this.lines = new LineCounter();
    // The library's own duplicate-key check compares each key with every earlier one (minutes for
    // a 1 MB map); duplicateKeys does the same in one pass.
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: true, uniqueKeys: false });
  }

  /**
   * The document as plain data, made once. Throws ReferenceError when aliases expand past
   * MAX_ALIAS_COUNT and RangeError when nesting is too deep for the stack.
   */
  get data(): unknown {
    this.resolved ??= { data: this.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
    return this.resolved.data;
  }

  /** YAML errors: the parser's, then keys repeated in one mapping (YAML forbids them). */
  syntaxProblems(): SyntaxProblem[] {
    const out: SyntaxProblem[] = [];
    for (const e of this.doc.errors) {
      const pos = e.linePos?.[0];
      out.push({ line: pos?.line ?? 1, column: pos?.col ?? 1, message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '') });
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
