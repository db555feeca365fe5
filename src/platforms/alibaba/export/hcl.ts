/*
 * Just enough HCL to write Terraform: blocks with labels, attributes whose values are literals,
 * lists, maps or expressions, and comments kept with the line they explain. Strings are escaped so
 * that a pre-shared key holding `"`, `\`, `${` or `%{` is written as itself, never as an
 * interpolation.
 */

/** A Terraform expression written as is (a reference such as `alicloud_vpc.main.id`). */
export interface HclExpr {
  readonly expr: string;
}

export type HclValue = string | number | boolean | HclExpr | readonly string[] | { readonly [key: string]: string };

export type HclItem =
  | { readonly kind: 'attr'; readonly key: string; readonly value: HclValue; readonly comment?: string }
  | { readonly kind: 'block'; readonly type: string; readonly labels: readonly string[]; readonly body: readonly HclItem[] }
  | { readonly kind: 'comment'; readonly text: string }
  | { readonly kind: 'blank' };

export const ref = (expr: string): HclExpr => ({ expr });
export const attr = (key: string, value: HclValue, comment?: string): HclItem => ({ kind: 'attr', key, value, ...(comment !== undefined ? { comment } : {}) });
export const block = (type: string, labels: readonly string[], body: readonly HclItem[]): HclItem => ({ kind: 'block', type, labels, body });
export const comment = (text: string): HclItem => ({ kind: 'comment', text });
export const blank: HclItem = { kind: 'blank' };

/** A quoted HCL string: escapes, and `${` / `%{` doubled so they stay literal. */
export function hclString(text: string): string {
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(/\$\{/g, () => '$${')
    .replace(/%\{/g, () => '%%{');
  return `"${escaped}"`;
}

function isExpr(value: HclValue): value is HclExpr {
  return typeof value === 'object' && !Array.isArray(value) && 'expr' in value;
}

function valueText(value: HclValue): string {
  if (typeof value === 'string') return hclString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isExpr(value)) return value.expr;
  if (Array.isArray(value)) return `[${(value as readonly string[]).map(hclString).join(', ')}]`;
  const entries = Object.entries(value as { readonly [key: string]: string });
  return `{ ${entries.map(([k, v]) => `${hclString(k)} = ${hclString(v)}`).join(', ')} }`;
}

function commentLines(text: string, indent: string): string[] {
  return text.split('\n').map((line) => `${indent}#${line === '' ? '' : ` ${line}`}`);
}

export function renderHcl(items: readonly HclItem[], depth = 0): string[] {
  const indent = '  '.repeat(depth);
  const width = Math.max(0, ...items.filter((i) => i.kind === 'attr').map((i) => (i as { key: string }).key.length));
  const lines: string[] = [];
  for (const item of items) {
    switch (item.kind) {
      case 'blank': lines.push(''); break;
      case 'comment': lines.push(...commentLines(item.text, indent)); break;
      case 'attr': {
        const line = `${indent}${item.key.padEnd(width)} = ${valueText(item.value)}`;
        lines.push(item.comment === undefined ? line : `${line} # ${item.comment}`);
        break;
      }
      case 'block': {
        const labels = item.labels.map((l) => ` ${hclString(l)}`).join('');
        lines.push(`${indent}${item.type}${labels} {`, ...renderHcl(item.body, depth + 1), `${indent}}`);
        break;
      }
    }
  }
  return lines;
}

/**
 * Terraform names for resources of one type: the topology's name where it is a valid identifier
 * (letters, digits, `_`, `-`, not starting with a digit or `-`), else made one; unique per type.
 */
export class HclNames {
  private readonly taken = new Map<string, Set<string>>();

  name(type: string, wanted: string): string {
    let base = wanted.replace(/[^A-Za-z0-9_-]/g, '_');
    if (!/^[A-Za-z_]/.test(base)) base = `_${base}`;
    const taken = this.taken.get(type) ?? new Set<string>();
    this.taken.set(type, taken);
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
    taken.add(name);
    return name;
  }
}
