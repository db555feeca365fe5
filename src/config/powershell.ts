import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import type { Language, Node } from 'web-tree-sitter';

/*
 * PowerShell read by a real PowerShell grammar (tree-sitter-powershell, run by web-tree-sitter from
 * its .wasm: nothing is compiled or downloaded) into what `vpnlab import` needs of a script: the
 * commands with their parameters and arguments as written, the variables assigned, the functions
 * defined, and where the grammar could not read the text. Nothing is evaluated: a value is its
 * text, its kind, and its literal value when it is a literal.
 *
 * Two places where the grammar (0.26.x) reads PowerShell differently from PowerShell itself, and
 * what this module does about them:
 * - a parameter name with a digit (`-IPv4Subnet`) ends at the digit in the grammar's token
 *   (/-+[a-zA-Z_?\-`]+/), which breaks the whole command. PowerShell's tokenizer reads the whole
 *   word, so the digits of a `-word` are masked with `_` in the text handed to the grammar (same
 *   length, so every offset still points into the real text, from which all text is taken);
 * - an argument such as `$env:windir\System32\ras\router.pbk` is one expandable word to
 *   PowerShell's argument mode; the grammar reads `$env:windir` and fails on the rest. An argument
 *   with no white space inside whose only trouble is such an error is kept as one `bare` word.
 */

/** A place in the script, 1-based; the column counts characters (UTF-16 code units). */
export interface PsOrigin {
  readonly line: number;
  readonly column: number;
}

export type PsValueKind = 'string' | 'number' | 'bool' | 'variable' | 'array' | 'hashtable' | 'expression' | 'bare';

export type PsLiteral = string | number | boolean | null | readonly PsLiteral[] | { readonly [key: string]: PsLiteral };

export interface PsValue {
  /** As written. */
  readonly text: string;
  readonly kind: PsValueKind;
  /** The value, when the text is a literal (an array or hashtable of literals included). */
  readonly literal?: PsLiteral;
  /** For `variable`: the name without `$` or `@` (`env:windir`, `counter`). */
  readonly variable?: string;
  /** `@name` in a command's arguments: the variable's hashtable splatted into parameters. */
  readonly splat?: boolean;
  /** For `array`: its items; for `hashtable`: its entries' values, keyed. */
  readonly items?: readonly PsValue[];
  readonly entries?: Readonly<Record<string, PsValue>>;
  readonly origin: PsOrigin;
}

export interface PsParameter {
  /** As written, without the dash (`LocalASN`, `localasn`). */
  readonly name: string;
  readonly value?: PsValue;
  /** `-Name:value`: the value is bound to the parameter whatever the parameter is. */
  readonly colon: boolean;
  readonly origin: PsOrigin;
}

/** One element of a command line after its name, in order. */
export type PsElement =
  | { readonly type: 'parameter'; readonly name: string; readonly colonValue?: PsValue; readonly origin: PsOrigin }
  | { readonly type: 'argument'; readonly value: PsValue };

export interface PsCommand {
  /** As written (`Add-bgppeer`); commands are matched without case. */
  readonly name: string;
  readonly origin: PsOrigin;
  /** The line as written, from the name to the last element. */
  readonly text: string;
  readonly elements: readonly PsElement[];
  /**
   * Parameters with the argument that follows each bound to it (unless it is a parameter): what
   * PowerShell does for every parameter that is not a switch. `bindArguments` rebinds with the
   * command's switches known.
   */
  readonly parameters: readonly PsParameter[];
  /** The arguments no parameter took, in order. */
  readonly positional: readonly PsValue[];
  /** The function whose body holds the command; undefined at the top of the script. */
  readonly within?: string;
  /** The command in one of whose arguments this one runs (`-X (New-Thing …)`); undefined for a statement. */
  readonly inside?: string;
}

export interface PsAssignment {
  /** Without `$`, scope prefix kept (`script:x`). */
  readonly variable: string;
  /** `=`, `+=`, … */
  readonly operator: string;
  readonly value: PsValue;
  readonly origin: PsOrigin;
  readonly within?: string;
}

export interface PsFunction {
  readonly name: string;
  /** The declared parameters without `$`. */
  readonly parameters: readonly string[];
  readonly origin: PsOrigin;
  /** The last line of its body. */
  readonly endLine: number;
}

export interface PsParseError {
  readonly line: number;
  readonly column: number;
  /** What the grammar could not read, as written (cut to one line). */
  readonly text: string;
  readonly message: string;
}

export interface PsScript {
  readonly commands: readonly PsCommand[];
  readonly assignments: readonly PsAssignment[];
  readonly functions: readonly PsFunction[];
  readonly errors: readonly PsParseError[];
}

const require = createRequire(import.meta.url);
type Grammar = { Parser: typeof import('web-tree-sitter').Parser; language: Language };
let languageLoad: Promise<Grammar> | undefined;

/** The grammar, loaded once per process (the .wasm of the installed tree-sitter-powershell). */
function powershellLanguage(): Promise<Grammar> {
  languageLoad ??= (async () => {
    // Loaded here, not at the top: only `vpnlab import` and the tests read PowerShell.
    const { Language, Parser } = await import('web-tree-sitter');
    // V8 tiers hot WebAssembly functions up to TurboFan in the background; the grammar's lexer is
    // one very large function that TurboFan takes 10-15 s of CPU to compile, and the process
    // cannot exit before it is done. Liftoff (V8's baseline compiler) code parses a script in
    // milliseconds, so WebAssembly stays on Liftoff (a process-wide V8 flag: it also applies to
    // any module compiled later, e.g. @cdktf/hcl2json's).
    setFlagsFromString('--liftoff-only');
    await Parser.init();
    return { Parser, language: await Language.load(require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm')) };
  })();
  return languageLoad;
}

/** Parses a script; never throws on what it reads (what the grammar cannot read is in `errors`). */
export async function parsePowerShell(text: string): Promise<PsScript> {
  const { Parser, language } = await powershellLanguage();
  const parser = new Parser();
  parser.setLanguage(language);
  // A byte order mark (Windows PowerShell wants one on a UTF-8 script) is white space to PowerShell.
  const tree = parser.parse(maskParameterDigits(text.replace(/^\uFEFF/, ' ')));
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    const reader = new ScriptReader(text);
    reader.walk(tree.rootNode, undefined);
    return { commands: reader.commands, assignments: reader.assignments, functions: reader.functions, errors: reader.errors };
  } finally {
    tree.delete();
    parser.delete();
  }
}

/**
 * Binds parameters and arguments as PowerShell would once it knows which parameters of the command
 * are switches (take no argument unless written `-Switch:value`). Names compare without case.
 */
export function bindArguments(
  elements: readonly PsElement[],
  isSwitch: (name: string) => boolean,
): { parameters: PsParameter[]; positional: PsValue[] } {
  const parameters: PsParameter[] = [];
  const positional: PsValue[] = [];
  for (let i = 0; i < elements.length; i++) {
    const element = elements[i]!;
    if (element.type === 'argument') {
      positional.push(element.value);
      continue;
    }
    const base = { name: element.name, origin: element.origin };
    if (element.colonValue) {
      parameters.push({ ...base, value: element.colonValue, colon: true });
      continue;
    }
    const next = elements[i + 1];
    if (next?.type === 'argument' && !isSwitch(element.name)) {
      parameters.push({ ...base, value: next.value, colon: false });
      i++;
    } else {
      parameters.push({ ...base, colon: false });
    }
  }
  return { parameters, positional };
}

/** `-IPv4Subnet` → `-IPv_Subnet` where a parameter may start (after white space or an opening). */
function maskParameterDigits(text: string): string {
  return text.replace(/(^|[\s(;{|,])(-[A-Za-z_?][A-Za-z0-9_?]*)/gm, (_m, before: string, word: string) =>
    before + word.replace(/[0-9]/g, '_'));
}

/** Nodes that only wrap their one child when they hold nothing else (no operator, no comma). */
const WRAPPERS = new Set([
  'pipeline', 'pipeline_chain', 'logical_expression', 'bitwise_expression', 'comparison_expression',
  'additive_expression', 'multiplicative_expression', 'format_expression', 'range_expression',
  'array_literal_expression', 'unary_expression', 'string_literal', 'integer_literal', 'statement_list',
  'left_assignment_expression',
]);

class ScriptReader {
  readonly commands: PsCommand[] = [];
  readonly assignments: PsAssignment[] = [];
  readonly functions: PsFunction[] = [];
  readonly errors: PsParseError[] = [];
  private readonly lineStarts: number[] = [0];

  constructor(private readonly source: string) {
    for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  walk(node: Node, within: string | undefined, inError = false, inside?: string): void {
    let name: string | undefined;
    switch (node.type) {
      case 'ERROR':
        if (!inError) this.error(node, `cannot read ${quote(this.firstLine(node))}`);
        inError = true;
        break;
      case 'function_statement':
        within = this.readFunction(node);
        break;
      case 'command':
        name = this.readCommand(node, within, inside);
        break;
      case 'assignment_expression':
        this.readAssignment(node, within);
        break;
      default:
        if (node.isMissing && !inError) this.error(node, `missing ${quote(node.type)}`);
    }
    for (const child of node.children) {
      if (!child) continue;
      if (node.type === 'command' && child.type === 'command_elements') {
        this.walkElements(child, within, inError, name);
        continue;
      }
      this.walk(child, within, inError, inside);
    }
  }

  /** Inside a command's elements, an error within a one-word argument is PowerShell's one word. */
  private walkElements(elements: Node, within: string | undefined, inError: boolean, inside: string | undefined): void {
    for (const child of elements.children) {
      if (!child) continue;
      if (this.isRecoveredWord(child)) continue;
      if (child.type === 'command_argument_sep' && child.startIndex === child.endIndex) continue;
      this.walk(child, within, inError, inside);
    }
  }

  private readFunction(node: Node): string {
    const name = this.text(node.childForFieldName('function_name') ?? findChild(node, 'function_name') ?? node);
    const parameters: string[] = [];
    const collect = (n: Node): void => {
      if (n.type === 'script_parameter') {
        const variable = findChild(n, 'variable');
        if (variable) parameters.push(this.text(variable).replace(/^\$/, ''));
        return;
      }
      if (n.type === 'function_statement' && n !== node) return;
      if (n.type === 'script_block_body') return;
      for (const c of n.children) if (c) collect(c);
    };
    collect(node);
    this.functions.push({ name, parameters, origin: this.origin(node), endLine: node.endPosition.row + 1 });
    return name;
  }

  private readCommand(node: Node, within: string | undefined, inside: string | undefined): string {
    const nameNode = findChild(node, 'command_name') ?? findChild(node, 'command_name_expr');
    const elementsNode = findChild(node, 'command_elements');
    const elements: PsElement[] = [];
    if (elementsNode) {
      const children = elementsNode.children.filter((c): c is Node => c !== null);
      for (let i = 0; i < children.length; i++) {
        const child = children[i]!;
        if (child.type === 'command_argument_sep' || child.type === 'comment') continue;
        if (child.type.endsWith('redirection')) continue;
        if (child.type === 'command_parameter') {
          const name = this.text(child).replace(/^-+/, '');
          const sep = children[i + 1];
          let v = i + 2;
          while (children[v]?.type === 'command_argument_sep') v++;
          const valueNode = children[v];
          if (sep?.type === 'command_argument_sep' && this.text(sep).trim() === ':' && valueNode && valueNode.type !== 'command_parameter') {
            elements.push({ type: 'parameter', name, colonValue: this.value(valueNode), origin: this.origin(child) });
            i = v;
          } else if (name.endsWith(':') && sep && sep.type !== 'command_parameter') {
            // `-Name:value` where the grammar kept the colon in the parameter token.
            const argument = sep.type === 'command_argument_sep' ? valueNode : sep;
            if (argument && argument.type !== 'command_parameter') {
              elements.push({ type: 'parameter', name: name.slice(0, -1), colonValue: this.value(argument), origin: this.origin(child) });
              i += argument === sep ? 1 : 2;
            } else {
              elements.push({ type: 'parameter', name: name.slice(0, -1), origin: this.origin(child) });
            }
          } else {
            elements.push({ type: 'parameter', name, origin: this.origin(child) });
          }
          continue;
        }
        // `a,b` in argument mode is one array; the grammar ends the bare word at the comma and
        // puts a zero-width (missing) separator before `,b`.
        let end = i;
        while (children[end + 1]?.type === 'command_argument_sep' && children[end + 1]!.startIndex === children[end + 1]!.endIndex && children[end + 2]) end += 2;
        if (end === i) {
          elements.push({ type: 'argument', value: this.value(child) });
          continue;
        }
        const run = children.slice(i, end + 1).filter((c) => c.type !== 'command_argument_sep');
        elements.push({ type: 'argument', value: this.commaList(run) });
        i = end;
      }
    }
    const { parameters, positional } = bindArguments(elements, () => false);
    const start = nameNode ?? node;
    const name = nameNode ? this.text(nameNode) : this.text(node).split(/\s/)[0] ?? '';
    this.commands.push({
      name,
      origin: this.origin(start),
      text: this.source.slice(node.startIndex, node.endIndex),
      elements,
      parameters,
      positional,
      ...(within === undefined ? {} : { within }),
      ...(inside === undefined ? {} : { inside }),
    });
    return name;
  }

  private readAssignment(node: Node, within: string | undefined): void {
    const left = findChild(node, 'left_assignment_expression');
    const operator = findChild(node, 'assignement_operator') ?? findChild(node, 'assignment_operator');
    const right = node.children.filter((c): c is Node => c !== null).at(-1);
    if (!left || !operator || !right || right === operator) return;
    const target = unwrap(left);
    if (target.type !== 'variable') return;
    this.assignments.push({
      variable: this.text(target).replace(/^\$/, ''),
      operator: this.text(operator),
      value: this.value(right),
      origin: this.origin(target),
      ...(within === undefined ? {} : { within }),
    });
  }

  /** A value as written, with its literal when it is one. */
  private value(raw: Node): PsValue {
    const node = unwrap(raw);
    const text = this.text(node);
    const origin = this.origin(node);
    if (this.isRecoveredWord(raw)) return { text, kind: 'bare', origin };
    switch (node.type) {
      case 'generic_token':
        return { text, kind: 'bare', literal: text, origin };
      case 'verbatim_string_characters':
        return { text, kind: 'string', literal: text.slice(1, -1).replace(/''/g, "'"), origin };
      case 'verbatim_here_string_characters':
        return { text, kind: 'string', literal: hereStringBody(text), origin };
      case 'expandable_string_literal':
      case 'expandable_here_string_literal': {
        const body = node.type === 'expandable_string_literal' ? text.slice(1, -1) : hereStringBody(text);
        if (/\$[\w{(:?]|`/.test(body)) return { text, kind: 'expression', origin };
        return { text, kind: 'string', literal: body.replace(/""/g, '"'), origin };
      }
      case 'decimal_integer_literal':
      case 'hexadecimal_integer_literal':
      case 'real_literal': {
        const literal = numberLiteral(text);
        return literal === undefined ? { text, kind: 'number', origin } : { text, kind: 'number', literal, origin };
      }
      case 'variable': {
        if (text.startsWith('@')) return { text, kind: 'variable', variable: text.slice(1), splat: true, origin };
        const name = text.replace(/^\$\{?/, '').replace(/\}$/, '');
        const lower = name.toLowerCase();
        if (lower === 'true' || lower === 'false') return { text, kind: 'bool', literal: lower === 'true', origin };
        if (lower === 'null') return { text, kind: 'variable', variable: name, literal: null, origin };
        return { text, kind: 'variable', variable: name, origin };
      }
      case 'array_expression': {
        const inner = findChild(node, 'statement_list');
        const items = inner ? this.items(unwrap(inner)) : [];
        return withLiteral({ text, kind: 'array', items, origin });
      }
      case 'array_literal_expression':
        return withLiteral({ text, kind: 'array', items: this.items(node), origin });
      case 'hash_literal_expression': {
        const entries: Record<string, PsValue> = {};
        const body = findChild(node, 'hash_literal_body');
        for (const entry of body?.children ?? []) {
          if (entry?.type !== 'hash_entry') continue;
          const key = findChild(entry, 'key_expression');
          const value = entry.children.filter((c): c is Node => c !== null).find((c) => c.type === 'pipeline' || c.type === 'statement');
          if (!key || !value) continue;
          const keyValue = this.value(key);
          const keyText = typeof keyValue.literal === 'string' ? keyValue.literal : this.text(key);
          entries[keyText] = this.value(value);
        }
        const values = Object.values(entries);
        if (values.every((v) => v.literal !== undefined)) {
          const literal: Record<string, PsLiteral> = {};
          for (const [k, v] of Object.entries(entries)) literal[k] = v.literal!;
          return { text, kind: 'hashtable', entries, literal, origin };
        }
        return { text, kind: 'hashtable', entries, origin };
      }
      case 'key_expression':
      case 'simple_name':
        return { text, kind: 'bare', literal: text, origin };
      default:
        return { text, kind: 'expression', origin };
    }
  }

  /** Bare words and values written next to each other with commas: one array, as PowerShell reads it. */
  private commaList(run: readonly Node[]): PsValue {
    const items: PsValue[] = [];
    for (const node of run) {
      if (node.type !== 'generic_token') {
        items.push(this.value(node));
        continue;
      }
      const text = this.text(node);
      let offset = 0;
      for (const part of text.split(',')) {
        if (part !== '') {
          const { line, column } = this.origin(node);
          items.push({ text: part, kind: 'bare', literal: part, origin: { line, column: column + offset } });
        }
        offset += part.length + 1;
      }
    }
    const first = run[0]!;
    const text = this.source.slice(first.startIndex, run.at(-1)!.endIndex);
    return withLiteral({ text, kind: 'array', items, origin: this.origin(first) });
  }

  /** The items of `a, b, c` (an array_literal_expression), or the one value that is not a list. */
  private items(node: Node): PsValue[] {
    const list = unwrapUntil(node, 'array_literal_expression');
    if (list?.type !== 'array_literal_expression') return [this.value(node)];
    return list.children.filter((c): c is Node => c !== null && c.type !== ',').map((c) => this.value(c));
  }

  /** An element of a command with no white space in it whose only trouble is a grammar error inside. */
  private isRecoveredWord(node: Node): boolean {
    if (!node.hasError || node.type === 'ERROR') return false;
    const text = this.text(node);
    return text.length > 0 && !/\s/.test(text) && !/["'(){}]/.test(text.replace(/^["']|["']$/g, ''));
  }

  private error(node: Node, message: string): void {
    const { line, column } = this.origin(node);
    this.errors.push({ line, column, text: this.firstLine(node), message });
  }

  private firstLine(node: Node): string {
    const text = this.text(node);
    const line = text.split('\n')[0]!.trimEnd();
    return line.length > 60 ? `${line.slice(0, 57)}...` : line;
  }

  private text(node: Node): string {
    return this.source.slice(node.startIndex, node.endIndex);
  }

  origin(node: Node): PsOrigin {
    const index = node.startIndex;
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: index - this.lineStarts[lo]! + 1 };
  }
}

function findChild(node: Node, type: string): Node | undefined {
  for (const child of node.children) if (child?.type === type) return child;
  return undefined;
}

/** Down the chain of wrappers to the node that says what the value is. */
function unwrap(node: Node): Node {
  let current = node;
  while (WRAPPERS.has(current.type) && current.childCount === 1 && current.children[0]) current = current.children[0];
  return current;
}

function unwrapUntil(node: Node, type: string): Node | undefined {
  let current = node;
  for (;;) {
    if (current.type === type) return current;
    if (!WRAPPERS.has(current.type) || current.childCount !== 1 || !current.children[0]) return undefined;
    current = current.children[0];
  }
}

function withLiteral(value: PsValue & { items: readonly PsValue[] }): PsValue {
  if (value.items.every((item) => item.literal !== undefined)) return { ...value, literal: value.items.map((item) => item.literal!) };
  return value;
}

function hereStringBody(text: string): string {
  return text.replace(/^@["']\r?\n/, '').replace(/\r?\n["']@$/, '');
}

const MULTIPLIERS: Record<string, number> = { kb: 2 ** 10, mb: 2 ** 20, gb: 2 ** 30, tb: 2 ** 40, pb: 2 ** 50 };

function numberLiteral(text: string): number | undefined {
  const match = /^(0x[0-9a-f]+|[0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)(l|d|u|ul|y|uy|s|us|n)?(kb|mb|gb|tb|pb)?$/i.exec(text);
  if (!match) return undefined;
  const base = Number(match[1]);
  if (!Number.isFinite(base)) return undefined;
  return base * (match[3] ? MULTIPLIERS[match[3].toLowerCase()]! : 1);
}

function quote(text: string): string {
  return JSON.stringify(text);
}
