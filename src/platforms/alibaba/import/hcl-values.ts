/*
 * Values of a Terraform file as @cdktf/hcl2json gives them, made topology values: a string is a
 * template (`"${…}"` holds an expression, `$${` and `%%{` are escapes), numbers and booleans are
 * themselves, a block is a list of bodies. Variables and locals with literal values are followed;
 * nothing else is evaluated: an expression that is not a reference is "not a literal".
 */

export type HclJson = Record<string, unknown>;

/** A value read: a literal, a reference (`alicloud_vswitch.a.id`), or why it is neither. */
export type HclRead =
  | { readonly kind: 'literal'; readonly value: unknown }
  | { readonly kind: 'expression'; readonly text: string }
  | { readonly kind: 'invalid'; readonly why: string };

/** The expression a template string is, when it is exactly one `${…}`. */
function wholeExpression(text: string): string | undefined {
  const m = /^\$\{([^{}]*)\}$/.exec(text);
  return m?.[1]?.trim();
}

/** Whether a template holds an interpolation or directive (not the `$${` / `%%{` escapes). */
function interpolates(text: string): boolean {
  return /(^|[^$])\$\{/.test(text.replace(/\$\$\{/g, '')) || /(^|[^%])%\{/.test(text.replace(/%%\{/g, ''));
}

export class HclValues {
  private readonly variables = new Map<string, unknown>();
  private readonly locals = new Map<string, unknown>();

  constructor(json: HclJson) {
    const variables = json['variable'];
    if (isRecord(variables)) {
      for (const [name, bodies] of Object.entries(variables)) {
        const body = Array.isArray(bodies) ? bodies[0] : undefined;
        if (isRecord(body) && Object.hasOwn(body, 'default')) this.variables.set(name, body['default']);
      }
    }
    const locals = json['locals'];
    for (const body of Array.isArray(locals) ? locals : []) {
      if (isRecord(body)) for (const [name, value] of Object.entries(body)) this.locals.set(name, value);
    }
  }

  /** The value as written, variables and locals followed (a few steps: they may refer to each other). */
  read(value: unknown, steps = 0): HclRead {
    if (typeof value === 'string') {
      const expression = wholeExpression(value);
      if (expression !== undefined) return this.expression(expression, steps);
      if (interpolates(value)) return { kind: 'invalid', why: `"${value}" is a template; vpnlab does not evaluate Terraform expressions` };
      return { kind: 'literal', value: value.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{') };
    }
    if (typeof value === 'number' || typeof value === 'boolean') return { kind: 'literal', value };
    if (Array.isArray(value)) {
      const items: unknown[] = [];
      for (const item of value) {
        const read = this.read(item, steps);
        if (read.kind !== 'literal') return read.kind === 'invalid' ? read : { kind: 'invalid', why: `the list holds the expression ${read.text}` };
        items.push(read.value);
      }
      return { kind: 'literal', value: items };
    }
    if (value === null) return { kind: 'invalid', why: 'null' };
    return { kind: 'invalid', why: 'an object, where a value is expected' };
  }

  private expression(text: string, steps: number): HclRead {
    const followed = /^(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)$/.exec(text);
    if (followed) {
      const table = followed[1] === 'var' ? this.variables : this.locals;
      if (!table.has(followed[2]!) || steps > 8) return { kind: 'invalid', why: `${text} has no literal value in the file (vpnlab does not read -var or .tfvars)` };
      return this.read(table.get(followed[2]!), steps + 1);
    }
    return { kind: 'expression', text };
  }
}

export function isRecord(value: unknown): value is HclJson {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A nested block's bodies (hcl2json writes each block as a list of bodies). */
export function blocksOf(body: HclJson, name: string): HclJson[] {
  const value = body[name];
  return Array.isArray(value) ? value.filter(isRecord) : [];
}
