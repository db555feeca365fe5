import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Language, Parser, type Node } from 'web-tree-sitter';

/*
 * PowerShell validation without PowerShell: the script is parsed by the tree-sitter PowerShell
 * grammar (tree-sitter-powershell's WebAssembly build, run by web-tree-sitter) and must parse
 * without an error node; then every command is checked against a table built from Microsoft's
 * cmdlet reference (test/fixtures/cmdlets/cmdlets.json, its source in the README there): the
 * cmdlet must exist (by name or alias, case-insensitive as PowerShell is), each -Parameter must be
 * one of its parameters, their aliases or the common parameters (or an unambiguous prefix of one,
 * as PowerShell binds them), and a literal value given to a parameter with `Accepted values` must
 * be one of them. Functions the script defines are checked against their own param lists.
 *
 * Two gaps of the grammar (tree-sitter-powershell 0.26.4) would turn valid scripts into parse
 * errors; the parser reads a copy of the text masked over them with the same length, so every
 * position still points into the original, from which all names and values are read:
 *   - a parameter name with a digit (-IPv4Subnet) is split at the digit (upstream
 *     airbus-cert/tree-sitter-powershell#59): its digits are masked with letters;
 *   - a bareword argument that starts with a variable ($env:windir\System32\ras\router.pbk, the
 *     seed's argument) has no production: its `$` is masked with a letter.
 */

export interface CmdletParameter {
  readonly type?: string;
  readonly aliases: readonly string[];
  /** `Accepted values`, when the reference lists them. */
  readonly values?: readonly string[];
}

export interface CmdletTable {
  readonly commonParameters: readonly string[];
  readonly cmdlets: { readonly [name: string]: { readonly module: string; readonly doc: string; readonly aliases: readonly string[]; readonly parameters: { readonly [name: string]: CmdletParameter } } };
}

export function loadCmdletTable(path = 'test/fixtures/cmdlets/cmdlets.json'): CmdletTable {
  return JSON.parse(readFileSync(path, 'utf8')) as CmdletTable;
}

let parser: Promise<Parser> | undefined;

function powershellParser(): Promise<Parser> {
  parser ??= (async () => {
    await Parser.init();
    const language = await Language.load(resolve('node_modules/tree-sitter-powershell/tree-sitter-powershell.wasm'));
    const p = new Parser();
    p.setLanguage(language);
    return p;
  })();
  return parser;
}

/** The text with the grammar's two gaps masked, same length (see above). */
export function maskGrammarGaps(text: string): string {
  return text
    .replace(/(?<=\s)-[A-Za-z_][A-Za-z0-9_]*[0-9][A-Za-z0-9_]*/g, (m) => m.replace(/[0-9]/g, 'D'))
    .replace(/(?<=[ \t])\$(?:[A-Za-z_]\w*:)?[A-Za-z_]\w*(?=\\)/g, (m) => `V${m.slice(1)}`);
}

/** One command of a script: its name and each -Parameter with the literal values given to it. */
export interface ScriptCommand {
  readonly name: string;
  readonly line: number;
  readonly parameters: readonly { readonly name: string; readonly line: number; readonly values: readonly string[] | undefined }[];
}

export interface ParsedScript {
  readonly errors: readonly string[];
  readonly commands: readonly ScriptCommand[];
  /** Functions the script defines, by lower-case name, with their parameter names. */
  readonly functions: ReadonlyMap<string, readonly string[]>;
}

function descendants(node: Node, type: string): Node[] {
  return node.descendantsOfType(type).filter((n): n is Node => n !== null);
}

/** The literal words of an argument (bare tokens and strings without variables); undefined when it is computed. */
function literalValues(arg: Node, text: string): string[] | undefined {
  const src = (n: Node): string => text.slice(n.startIndex, n.endIndex);
  if (arg.type === 'generic_token') return [src(arg)];
  if (descendants(arg, 'variable').length > 0 || descendants(arg, 'sub_expression').length > 0) return undefined;
  const words = [...descendants(arg, 'generic_token').map(src), ...descendants(arg, 'verbatim_string_characters').map((n) => src(n).slice(1, -1).replace(/''/g, "'")),
    ...descendants(arg, 'expandable_string_literal').map((n) => src(n).slice(1, -1))];
  return words.length > 0 ? words : undefined;
}

export async function parseScript(text: string): Promise<ParsedScript> {
  const p = await powershellParser();
  const tree = p.parse(maskGrammarGaps(text));
  if (tree === null) return { errors: ['the parser returned no tree'], commands: [], functions: new Map() };
  const root = tree.rootNode;
  const errors: string[] = [];
  const visit = (n: Node): void => {
    if (n.type === 'ERROR' || n.isMissing) {
      errors.push(`${n.startPosition.row + 1}:${n.startPosition.column + 1}: ${n.isMissing ? `missing ${n.type}` : 'syntax error'} at ${JSON.stringify(text.slice(n.startIndex, Math.min(n.endIndex, n.startIndex + 60)))}`);
      return;
    }
    for (const c of n.children) if (c !== null) visit(c);
  };
  if (root.hasError) visit(root);
  const src = (n: Node): string => text.slice(n.startIndex, n.endIndex);
  const functions = new Map<string, string[]>();
  for (const f of descendants(root, 'function_statement')) {
    const name = f.children.find((c) => c?.type === 'function_name');
    if (name === undefined || name === null) continue;
    const lists = [
      ...f.children.filter((c): c is Node => c?.type === 'function_parameter_declaration'),
      ...f.children.filter((c): c is Node => c?.type === 'script_block').flatMap((b) => b.children.filter((c): c is Node => c?.type === 'param_block')),
    ];
    const params = lists.flatMap((l) => descendants(l, 'script_parameter'))
      .map((sp) => sp.children.find((c) => c?.type === 'variable'))
      .filter((v): v is Node => v !== undefined && v !== null)
      .map((v) => src(v).replace(/^\$/, ''));
    functions.set(src(name).toLowerCase(), params);
  }
  const commands: ScriptCommand[] = [];
  for (const c of descendants(root, 'command')) {
    const name = c.children.find((x) => x?.type === 'command_name');
    if (name === undefined || name === null) continue;
    const elements = c.children.find((x) => x?.type === 'command_elements')?.children.filter((x): x is Node => x !== null) ?? [];
    const parameters: { name: string; line: number; values: string[] | undefined }[] = [];
    for (let i = 0; i < elements.length; i++) {
      const e = elements[i]!;
      if (e.type !== 'command_parameter') continue;
      // the value: after a separator (`-P value` or `-P:value`), unless the next element is another parameter
      let values: string[] | undefined;
      const sep = elements[i + 1];
      const arg = elements[i + 2];
      if (sep?.type === 'command_argument_sep' && arg !== undefined && arg.type !== 'command_parameter' && arg.type !== 'command_argument_sep') {
        values = literalValues(arg, text);
      }
      parameters.push({ name: src(e).replace(/^-+/, '').replace(/:$/, ''), line: e.startPosition.row + 1, values });
    }
    commands.push({ name: src(name), line: name.startPosition.row + 1, parameters });
  }
  return { errors, commands, functions };
}

/** The parameter `written` binds to: an exact name or alias, else the only one it is a prefix of. */
function bind(written: string, names: readonly string[]): { found: string } | { problem: string } {
  const lower = written.toLowerCase();
  const exact = names.find((n) => n.toLowerCase() === lower);
  if (exact !== undefined) return { found: exact };
  const prefixed = names.filter((n) => n.toLowerCase().startsWith(lower));
  if (prefixed.length === 1) return { found: prefixed[0]! };
  if (prefixed.length > 1) return { problem: `-${written} is ambiguous (${prefixed.join(', ')})` };
  return { problem: `-${written} is not a parameter` };
}

/** Problems found, each with file:line; empty when the script parses and every command is known. */
export async function validatePowerShell(fileName: string, text: string, table: CmdletTable): Promise<string[]> {
  const script = await parseScript(text);
  const problems = script.errors.map((e) => `${fileName}:${e}`);
  const byName = new Map<string, string>();
  for (const [name, c] of Object.entries(table.cmdlets)) {
    byName.set(name.toLowerCase(), name);
    for (const a of c.aliases) byName.set(a.toLowerCase(), name);
  }
  for (const cmd of script.commands) {
    const own = script.functions.get(cmd.name.toLowerCase());
    if (own !== undefined) {
      for (const p of cmd.parameters) {
        const b = bind(p.name, [...own, ...table.commonParameters]);
        if ('problem' in b) problems.push(`${fileName}:${p.line}: ${cmd.name} (a function of the script): ${b.problem}`);
      }
      continue;
    }
    const cmdletName = byName.get(cmd.name.toLowerCase());
    if (cmdletName === undefined) {
      problems.push(`${fileName}:${cmd.line}: ${cmd.name} is not a cmdlet of the reference table nor a function of the script`);
      continue;
    }
    const cmdlet = table.cmdlets[cmdletName]!;
    const names: string[] = [];
    const owner = new Map<string, string>();
    for (const [pn, p] of Object.entries(cmdlet.parameters)) {
      for (const n of [pn, ...p.aliases]) {
        names.push(n);
        owner.set(n, pn);
      }
    }
    names.push(...table.commonParameters);
    for (const p of cmd.parameters) {
      const b = bind(p.name, names);
      if ('problem' in b) {
        problems.push(`${fileName}:${p.line}: ${cmdletName}: ${b.problem} (${cmdlet.doc})`);
        continue;
      }
      const accepted = cmdlet.parameters[owner.get(b.found) ?? '']?.values;
      if (accepted === undefined || p.values === undefined) continue;
      for (const v of p.values) {
        if (!accepted.some((a) => a.toLowerCase() === v.toLowerCase())) {
          problems.push(`${fileName}:${p.line}: ${cmdletName} -${owner.get(b.found)}: '${v}' is not an accepted value (${accepted.join(', ')})`);
        }
      }
    }
  }
  return problems;
}
