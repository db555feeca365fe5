import { readFileSync } from 'node:fs';
import { parse } from '@cdktf/hcl2json';

/*
 * Terraform validation without Terraform: the file is parsed by an HCL parser (@cdktf/hcl2json,
 * HashiCorp's own HCL library compiled to WebAssembly), then every resource type, argument and
 * nested block is checked against the provider's documented schema for a pinned version, vendored
 * under test/fixtures/provider-schemas/ with its source. What it catches: a misspelt argument, an
 * argument the resource does not have, a required argument left out, an enum value the provider
 * refuses, a reference to a resource the configuration never declares.
 */

/** One resource or nested block of a provider's schema. */
export interface BlockSchema {
  readonly attributes: { readonly [name: string]: AttributeSchema };
  readonly blocks?: { readonly [name: string]: BlockSchema & { readonly maxItems?: number; readonly required?: boolean } };
}

export interface AttributeSchema {
  readonly required?: boolean;
  /** The values the provider accepts, when it validates against a fixed list (numbers as their decimal text). */
  readonly enum?: readonly string[];
}

/** A vendored provider schema: test/fixtures/provider-schemas/<provider>.json. */
export interface ProviderSchema {
  readonly provider: string;
  readonly version: string;
  /** Where the names were read (the provider's documentation pages at that version). */
  readonly source: string;
  readonly licence: string;
  readonly resources: { readonly [type: string]: BlockSchema };
}

export function loadProviderSchema(path: string): ProviderSchema {
  return JSON.parse(readFileSync(path, 'utf8')) as ProviderSchema;
}

/** Problems found, each with the resource and the argument path; empty when the file is valid. */
export async function validateTerraform(fileName: string, text: string, schemas: readonly ProviderSchema[]): Promise<string[]> {
  let json: Record<string, unknown>;
  try {
    json = await parse(fileName, text) as Record<string, unknown>;
  } catch (e) {
    return [`${fileName}: HCL does not parse: ${(e as Error).message}`];
  }
  const problems: string[] = [];
  const resources = (json.resource ?? {}) as Record<string, Record<string, unknown[]>>;
  const declared = new Set<string>();
  for (const [type, byName] of Object.entries(resources)) for (const name of Object.keys(byName)) declared.add(`${type}.${name}`);
  const dataSources = (json.data ?? {}) as Record<string, Record<string, unknown>>;
  for (const [type, byName] of Object.entries(dataSources)) for (const name of Object.keys(byName)) declared.add(`data.${type}.${name}`);
  for (const [type, byName] of Object.entries(resources)) {
    const schema = schemas.find((s) => type.startsWith(`${s.provider}_`))?.resources[type];
    if (schema === undefined) {
      problems.push(`${type}: no such resource type in ${schemas.map((s) => `${s.provider} ${s.version}`).join(', ')}`);
      continue;
    }
    for (const [name, bodies] of Object.entries(byName)) {
      for (const body of bodies) checkBlock(`${type}.${name}`, body as Record<string, unknown>, schema, problems);
    }
  }
  // hcl2json keeps every expression as "${…}": each reference in one must name a declared resource.
  for (const expression of JSON.stringify(json).matchAll(/\$\{([^}]*)\}/g)) {
    for (const ref of expression[1]!.matchAll(/(?<![\w.])((?:data\.)?([a-z][a-z0-9]*)_[a-z0-9_]+\.[A-Za-z0-9_-]+)/g)) {
      if (schemas.some((s) => s.provider === ref[2]) && !declared.has(ref[1]!)) problems.push(`reference to ${ref[1]}, which the configuration does not declare`);
    }
  }
  return [...new Set(problems)];
}

const META_ARGUMENTS = new Set(['count', 'for_each', 'depends_on', 'provider', 'lifecycle', 'timeouts']);

function checkBlock(at: string, body: Record<string, unknown>, schema: BlockSchema, problems: string[]): void {
  for (const [key, value] of Object.entries(body)) {
    if (META_ARGUMENTS.has(key)) continue;
    const attribute = schema.attributes[key];
    const block = schema.blocks?.[key];
    if (attribute === undefined && block === undefined) {
      problems.push(`${at}: '${key}' is not an argument or block of this resource`);
      continue;
    }
    // Numbers are compared as written (`bandwidth = 10` against "10"): hcl2json gives them as numbers.
    const literal = typeof value === 'number' ? String(value) : value;
    if (attribute?.enum !== undefined && typeof literal === 'string' && !literal.includes('${') && !attribute.enum.includes(literal)) {
      problems.push(`${at}.${key}: '${literal}' is not one of ${attribute.enum.join(', ')}`);
    }
    if (block !== undefined) {
      const bodies = Array.isArray(value) ? value : [value];
      if (block.maxItems !== undefined && bodies.length > block.maxItems) problems.push(`${at}.${key}: at most ${block.maxItems} block(s)`);
      for (const [i, b] of bodies.entries()) checkBlock(`${at}.${key}[${i}]`, b as Record<string, unknown>, block, problems);
    }
  }
  for (const [name, attribute] of Object.entries(schema.attributes)) {
    if (attribute.required === true && !(name in body)) problems.push(`${at}: required argument '${name}' is missing`);
  }
  for (const [name, block] of Object.entries(schema.blocks ?? {})) {
    if (block.required === true && !(name in body)) problems.push(`${at}: required block '${name}' is missing`);
  }
}
