import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';

export type DocPath = readonly (string | number)[];

export interface SourcePosition {
  line: number;
  column: number;
}

/** `sites[0].routers[1].staticRoutes[0].interface` — how paths are shown to users. */
export function formatPath(path: DocPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out === '' ? '(document root)' : out;
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

  constructor(file: string, text: string) {
    this.file = file;
    this.text = text;
    this.lines = new LineCounter();
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: true, uniqueKeys: true });
  }

  get data(): unknown {
    return this.doc.toJS({ maxAliasCount: 100 });
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
