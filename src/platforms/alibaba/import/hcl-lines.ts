/*
 * Where things are in a Terraform file, which the HCL parser (@cdktf/hcl2json) does not say: the
 * line of each block and argument, and the comments it drops — those beside an argument and
 * those on lines of their own, inside a block or just above it. The values themselves are taken
 * from the parser; this scanner only follows the file's layout (strings, brackets, heredocs,
 * comments), never evaluates anything, and never throws: what it cannot follow it skips.
 */

export interface HclArgumentLines {
  readonly line: number;
  readonly column: number;
  /** The comment after the value, on the line where the value ends (`# …` or `// …`), without its marker. */
  readonly trailing?: string;
}

export interface HclCommentLine {
  readonly line: number;
  readonly text: string;
}

export interface HclBlockLines {
  readonly type: string;
  readonly labels: readonly string[];
  readonly line: number;
  readonly column: number;
  readonly arguments: Map<string, HclArgumentLines>;
  /** Nested blocks in file order. */
  readonly blocks: HclBlockLines[];
  /** Comment lines directly inside the block (not inside a nested one). */
  readonly comments: HclCommentLine[];
  /** The comment lines just above the block header (no blank line between). */
  readonly before: readonly HclCommentLine[];
}

/** Nesting deeper than this is not followed (hostile input); the parser reports it anyway. */
const MAX_DEPTH = 64;

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*/;

/** Scans `text` into its top-level blocks. */
export function scanHclLines(text: string): HclBlockLines[] {
  const root: HclBlockLines = { type: '', labels: [], line: 0, column: 0, arguments: new Map(), blocks: [], comments: [], before: [] };
  const stack: HclBlockLines[] = [root];
  const lines = text.split(/\r?\n/);
  let pending: HclCommentLine[] = [];
  /** Open brackets of a value that continues on the next lines; the argument it belongs to. */
  let valueDepth = 0;
  let valueArgument: { block: HclBlockLines; name: string; line: number; column: number } | undefined;
  let heredoc: string | undefined;
  let blockComment = false;
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!;
    const lineNo = index + 1;
    if (heredoc !== undefined) {
      if (raw.trim() === heredoc) heredoc = undefined;
      continue;
    }
    if (blockComment) {
      if (raw.includes('*/')) blockComment = false;
      continue;
    }
    const current = stack[stack.length - 1]!;
    if (valueDepth > 0) {
      const scan = scanValue(raw, 0, valueDepth);
      valueDepth = scan.depth;
      if (valueDepth === 0 && valueArgument !== undefined) {
        const { block, name, line, column } = valueArgument;
        block.arguments.set(name, { line, column, ...(scan.comment === undefined ? {} : { trailing: scan.comment }) });
        valueArgument = undefined;
      }
      heredoc = scan.heredoc;
      continue;
    }
    const trimmed = raw.trim();
    const indent = raw.length - raw.trimStart().length;
    if (trimmed === '') {
      pending = [];
      continue;
    }
    if (trimmed.startsWith('#') || trimmed.startsWith('//')) {
      const comment = { line: lineNo, text: trimmed.replace(/^(#|\/\/)\s?/, '') };
      current.comments.push(comment);
      pending.push(comment);
      continue;
    }
    if (trimmed.startsWith('/*')) {
      if (!trimmed.includes('*/')) blockComment = true;
      continue;
    }
    if (trimmed.startsWith('}')) {
      if (stack.length > 1) stack.pop();
      pending = [];
      continue;
    }
    const ident = IDENT.exec(trimmed)?.[0];
    if (ident === undefined) {
      pending = [];
      continue;
    }
    const rest = trimmed.slice(ident.length);
    const assignment = /^\s*=(?!=)/.exec(rest);
    if (assignment) {
      const start = indent + ident.length + assignment[0].length;
      const scan = scanValue(raw, start, 0);
      if (scan.depth > 0) {
        valueDepth = scan.depth;
        valueArgument = { block: current, name: ident, line: lineNo, column: indent + 1 };
      } else {
        current.arguments.set(ident, { line: lineNo, column: indent + 1, ...(scan.comment === undefined ? {} : { trailing: scan.comment }) });
      }
      heredoc = scan.heredoc;
      pending = [];
      continue;
    }
    const header = /^((?:\s+(?:"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_-]*))*)\s*\{(.*)$/.exec(rest);
    if (header) {
      const labels = [...header[1]!.matchAll(/"((?:[^"\\]|\\.)*)"|([A-Za-z_][A-Za-z0-9_-]*)/g)].map((m) => m[1] ?? m[2]!);
      const block: HclBlockLines = { type: ident, labels, line: lineNo, column: indent + 1, arguments: new Map(), blocks: [], comments: [], before: pending };
      current.blocks.push(block);
      pending = [];
      const inner = header[2]!.trim();
      if (inner.endsWith('}')) {
        // A block on one line: `tunnel_ike_config { psk = "x" }`.
        const argument = /^([A-Za-z_][A-Za-z0-9_-]*)\s*=/.exec(inner);
        if (argument) block.arguments.set(argument[1]!, { line: lineNo, column: raw.indexOf(argument[1]!) + 1 });
      } else if (stack.length < MAX_DEPTH) {
        stack.push(block);
      }
      continue;
    }
    pending = [];
  }
  return root.blocks;
}

/**
 * Follows a value from `start` to the end of the line: the bracket depth it leaves open, the
 * comment after it, and the delimiter of a heredoc it opens.
 */
function scanValue(line: string, start: number, depth: number): { depth: number; comment?: string; heredoc?: string } {
  let d = depth;
  let heredoc: string | undefined;
  for (let i = start; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '"') {
      for (i++; i < line.length && line[i] !== '"'; i++) if (line[i] === '\\') i++;
      continue;
    }
    if (ch === '#' || (ch === '/' && line[i + 1] === '/')) {
      return { depth: d, comment: line.slice(i + (ch === '#' ? 1 : 2)).trim() };
    }
    if (ch === '<' && line[i + 1] === '<') {
      const tag = /^<<-?([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(line.slice(i));
      if (tag) heredoc = tag[1];
    }
    if (ch === '[' || ch === '{' || ch === '(') d++;
    else if ((ch === ']' || ch === '}' || ch === ')') && d > 0) d--;
  }
  return { depth: d, ...(heredoc === undefined ? {} : { heredoc }) };
}
