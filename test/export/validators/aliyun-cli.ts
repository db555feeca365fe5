import { readFileSync } from 'node:fs';

/*
 * aliyun CLI validation without the CLI: every `aliyun <product> <Api>` call of a bash script is
 * cut out (comments dropped, line continuations joined, words split as bash splits them), and its
 * API name and every `--Parameter` are looked up in the VPC OpenAPI metadata the CLI itself is
 * built from (vendored: test/fixtures/aliyun-openapi/vpc-2016-04-28.json), the way the CLI looks
 * them up: an exact name, `List.N` for a RepeatList, `Param.N.Member` for one with sub-parameters.
 * Members of an Array the metadata lists without them (TunnelOptionsSpecification) are checked
 * against the vendored member list, and need `--force`, without which the CLI refuses them.
 * What it catches: a misspelt API or parameter, a parameter of another API, a required parameter
 * left out, flattened members without --force.
 */

interface ParameterMeta {
  readonly type: string;
  readonly position?: string;
  readonly required?: boolean;
  readonly members?: { readonly [name: string]: ParameterMeta };
}

export interface OpenApiMeta {
  readonly product: string;
  readonly version: string;
  readonly source: string;
  readonly licence: string;
  readonly arrayMembers: { readonly [parameter: string]: readonly string[] | string };
  readonly apis: { readonly [api: string]: { readonly [parameter: string]: ParameterMeta } };
}

export function loadOpenApiMeta(path: string): OpenApiMeta {
  return JSON.parse(readFileSync(path, 'utf8')) as OpenApiMeta;
}

/** The CLI's own flags (not API parameters), and whether each takes a value. */
const CLI_FLAGS: { readonly [flag: string]: 'value' | 'none' | 'pairs' } = {
  region: 'value', profile: 'value', endpoint: 'value', version: 'value', method: 'value', 'cli-query': 'value',
  force: 'none', secure: 'none', insecure: 'none', quiet: 'none', waiter: 'pairs', pager: 'pairs',
};

export interface AliyunCall {
  readonly line: number;
  readonly product: string;
  readonly api: string;
  /** `--Name value` pairs in order; value undefined for a flag without one. */
  readonly options: { name: string; value: string | undefined }[];
}

/** Bash words of `text` from `start` to the end of the simple command (an unquoted newline, `|`, `)`, `;`, `&`, `>`). */
function words(text: string, start: number): string[] {
  const out: string[] = [];
  let word = '';
  let inWord = false;
  let i = start;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\\') { if (text[i + 1] !== '\n') { word += text[i + 1] ?? ''; inWord = true; } i += 2; continue; }
    if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      word += text.slice(i + 1, end); inWord = true; i = end + 1; continue;
    }
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') { if (text[j] === '\\') j++; word += text[j]; j++; }
      inWord = true; i = j + 1; continue;
    }
    if (ch === ' ' || ch === '\t') { if (inWord) out.push(word); word = ''; inWord = false; i++; continue; }
    if ('\n|);&>'.includes(ch)) break;
    word += ch; inWord = true; i++;
  }
  if (inWord) out.push(word);
  return out;
}

/** Every aliyun call of a bash script, with its line. */
export function aliyunCalls(script: string): AliyunCall[] {
  // Comments out (a `#` opening a line, or after a space outside quotes is rare in generated scripts: lines only).
  const text = script.split('\n').map((l) => (/^\s*#/.test(l) ? '' : l)).join('\n');
  const calls: AliyunCall[] = [];
  for (const m of text.matchAll(/(?<![\w-])aliyun[ \t]+/g)) {
    const w = words(text, m.index);
    const [, product, api, ...rest] = w;
    if (product === undefined || api === undefined) continue;
    const options: AliyunCall['options'] = [];
    for (let i = 0; i < rest.length; i++) {
      const token = rest[i]!;
      if (!token.startsWith('--')) { options.push({ name: '', value: token }); continue; }
      const name = token.slice(2);
      const kind = CLI_FLAGS[name];
      if (kind === 'none') { options.push({ name, value: undefined }); continue; }
      if (kind === 'pairs') {
        const pairs: string[] = [];
        while (i + 1 < rest.length && !rest[i + 1]!.startsWith('--') && rest[i + 1]!.includes('=')) pairs.push(rest[++i]!);
        options.push({ name, value: pairs.join(' ') });
        continue;
      }
      options.push({ name, value: i + 1 < rest.length && !rest[i + 1]!.startsWith('--') ? rest[++i] : undefined });
    }
    calls.push({ line: text.slice(0, m.index).split('\n').length, product, api, options });
  }
  return calls;
}

type Found = { kind: 'parameter'; top: string } | { kind: 'array-member'; top: string } | { kind: 'unknown'; why?: string };

function findParameter(meta: OpenApiMeta, params: { readonly [name: string]: ParameterMeta }, name: string, top?: string): Found {
  if (params[name] !== undefined) return { kind: 'parameter', top: top ?? name };
  for (const [p, m] of Object.entries(params)) {
    if (!name.startsWith(`${p}.`)) continue;
    const rest = name.slice(p.length + 1);
    const match = /^(\d+)(?:\.(.+))?$/.exec(rest);
    if (match === null) return { kind: 'unknown', why: `'${p}' takes members as ${p}.N.Member` };
    const [, index, member] = match;
    if (Number(index) < 1) return { kind: 'unknown', why: `${p} indexes start at 1` };
    if (m.members !== undefined && member !== undefined) return findParameter(meta, m.members, member, top ?? p);
    if (m.type === 'RepeatList' && member === undefined) return { kind: 'parameter', top: top ?? p };
    const list = meta.arrayMembers[p];
    if (Array.isArray(list) && member !== undefined) {
      return list.includes(member) ? { kind: 'array-member', top: top ?? p } : { kind: 'unknown', why: `'${member}' is not a member of ${p} (${list.join(', ')})` };
    }
    return { kind: 'unknown', why: `${p} is a ${m.type} without members` };
  }
  return { kind: 'unknown' };
}

/** Problems found, each with its line; empty when every call is valid. */
export function validateAliyunScript(fileName: string, script: string, meta: OpenApiMeta): string[] {
  const problems: string[] = [];
  const calls = aliyunCalls(script);
  if (calls.length === 0) problems.push(`${fileName}: no aliyun call found`);
  for (const call of calls) {
    const at = `${fileName}:${call.line}: aliyun ${call.product} ${call.api}`;
    if (call.product !== meta.product.toLowerCase()) { problems.push(`${at}: product '${call.product}' is not ${meta.product.toLowerCase()}`); continue; }
    const params = meta.apis[call.api];
    if (params === undefined) { problems.push(`${at}: no such API in ${meta.product} ${meta.version}`); continue; }
    const given = new Set<string>();
    let needsForce = false;
    for (const { name, value } of call.options) {
      if (name === '') { problems.push(`${at}: stray word '${value}'`); continue; }
      if (CLI_FLAGS[name] !== undefined) {
        if (name === 'region') given.add('RegionId');
        continue;
      }
      const found = findParameter(meta, params, name);
      if (found.kind === 'unknown') { problems.push(`${at}: --${name} is not a parameter of ${call.api}${found.why !== undefined ? `: ${found.why}` : ''}`); continue; }
      if (found.kind === 'array-member') needsForce = true;
      if (value === undefined) problems.push(`${at}: --${name} has no value`);
      given.add(found.top);
    }
    if (needsForce && !call.options.some((o) => o.name === 'force')) {
      problems.push(`${at}: members of an Array parameter the CLI metadata lists without members need --force (the CLI refuses them otherwise)`);
    }
    for (const [name, m] of Object.entries(params)) {
      if (m.required === true && m.type !== 'RepeatList' && !given.has(name)) problems.push(`${at}: required parameter --${name} is missing`);
    }
  }
  return problems;
}
