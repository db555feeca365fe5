import { readFileSync } from 'node:fs';
import { bindArguments, parsePowerShell, type PsValue } from '../../../src/config/powershell.js';

/*
 * PowerShell validation without PowerShell: the script is read by vpnlab's PowerShell reader
 * (src/config/powershell.ts: the tree-sitter PowerShell grammar, with its two known gaps handled —
 * digits in parameter names, `$env:windir\…` words) and must read without a parse error; then every
 * command is checked against a table built from Microsoft's cmdlet reference
 * (test/fixtures/cmdlets/cmdlets.json, its source in the README there): the cmdlet must exist (by
 * name or alias, without case, as PowerShell matches them), each -Parameter must be one of its
 * parameters, their aliases or the common parameters (or an unambiguous prefix of one, as
 * PowerShell binds them), and a literal value given to a parameter with `Accepted values` must be
 * one of them. Arguments are bound knowing the cmdlet's switches. Functions the script defines are
 * checked against their own param lists.
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

/** The literal words of a value (a bare word, a string, an array of them); undefined when it is computed. */
function literalWords(value: PsValue | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  if (value.kind === 'bare') return [value.text];
  if (value.kind === 'string' && typeof value.literal === 'string') return [value.literal];
  if (value.kind === 'array' && value.items !== undefined) {
    const words = value.items.map((i) => literalWords(i));
    return words.every((w) => w !== undefined) ? words.flat() : undefined;
  }
  return undefined;
}

/** Problems found, each with file:line; empty when the script parses and every command is known. */
export async function validatePowerShell(fileName: string, text: string, table: CmdletTable): Promise<string[]> {
  const script = await parsePowerShell(text);
  const problems = script.errors.map((e) => `${fileName}:${e.line}:${e.column}: ${e.message}`);
  const byName = new Map<string, string>();
  for (const [name, c] of Object.entries(table.cmdlets)) {
    byName.set(name.toLowerCase(), name);
    for (const a of c.aliases) byName.set(a.toLowerCase(), name);
  }
  const functions = new Map(script.functions.map((f) => [f.name.toLowerCase(), f.parameters]));
  for (const cmd of script.commands) {
    const own = functions.get(cmd.name.toLowerCase());
    if (own !== undefined) {
      for (const p of cmd.parameters) {
        const b = bind(p.name, [...own, ...table.commonParameters]);
        if ('problem' in b) problems.push(`${fileName}:${p.origin.line}: ${cmd.name} (a function of the script): ${b.problem}`);
      }
      continue;
    }
    const cmdletName = byName.get(cmd.name.toLowerCase());
    if (cmdletName === undefined) {
      problems.push(`${fileName}:${cmd.origin.line}: ${cmd.name} is not a cmdlet of the reference table nor a function of the script`);
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
    const parameterOf = (written: string): CmdletParameter | undefined => {
      const b = bind(written, names);
      return 'found' in b ? cmdlet.parameters[owner.get(b.found) ?? ''] : undefined;
    };
    const { parameters } = bindArguments(cmd.elements, (n) => parameterOf(n)?.type === 'SwitchParameter');
    for (const p of parameters) {
      const b = bind(p.name, names);
      if ('problem' in b) {
        problems.push(`${fileName}:${p.origin.line}: ${cmdletName}: ${b.problem} (${cmdlet.doc})`);
        continue;
      }
      const accepted = cmdlet.parameters[owner.get(b.found) ?? '']?.values;
      const words = literalWords(p.value);
      if (accepted === undefined || words === undefined) continue;
      for (const v of words) {
        if (!accepted.some((a) => a.toLowerCase() === v.toLowerCase())) {
          problems.push(`${fileName}:${p.origin.line}: ${cmdletName} -${owner.get(b.found)}: '${v}' is not an accepted value (${accepted.join(', ')})`);
        }
      }
    }
  }
  return problems;
}
