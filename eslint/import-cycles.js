// @ts-check
// vpnlab/no-cross-folder-cycle: an import whose target leads back to the importing file, when the
// two are in different folders. Cycles inside one folder are that folder's business; a cycle
// across folders means neither folder is below the other.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** @typedef {Map<string, string[]>} Graph  absolute .ts path → the .ts files it imports */

/** One graph per root for the life of the process: one lint run. */
const graphs = new Map();

/** The .ts file a relative specifier names (`./x.js` is `./x.ts`), if there is one. */
function resolveImport(fromFile, spec) {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(fromFile), spec);
  for (const candidate of [base.replace(/\.js$/, '.ts'), base, `${base}.ts`]) {
    if (candidate.endsWith('.ts') && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function importsOf(file, text) {
  // preProcessFile sees import, import type, export … from and import() and skips comments.
  const found = ts.preProcessFile(text, true, true).importedFiles.map((f) => resolveImport(file, f.fileName));
  return [...new Set(found.filter((f) => f !== undefined))];
}

/** @returns {Graph} */
function graphOf(root) {
  let graph = graphs.get(root);
  if (graph !== undefined) return graph;
  graph = new Map();
  const visit = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.name.endsWith('.ts')) graph.set(p, importsOf(p, readFileSync(p, 'utf8')));
    }
  };
  visit(root);
  graphs.set(root, graph);
  return graph;
}

/** The shortest chain of imports from `start` to `goal` (both included), if any. */
function pathBetween(graph, start, goal) {
  const previous = new Map([[start, start]]);
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const at = queue[i];
    if (at === goal) {
      const chain = [at];
      for (let p = at; p !== start; p = previous.get(p)) chain.unshift(previous.get(p));
      return chain;
    }
    for (const next of graph.get(at) ?? []) {
      if (!previous.has(next)) {
        previous.set(next, at);
        queue.push(next);
      }
    }
  }
  return undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
export const noCrossFolderCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid import cycles that span files of two folders' },
    schema: [{
      type: 'object',
      properties: {
        root: { type: 'string' },
      },
      additionalProperties: false,
    }],
    messages: {
      cycle: 'This import closes a cycle across folders: {{cycle}}. Move what both sides need into a file of the lower folder (eslint/import-cycles.js).',
    },
  },
  create(context) {
    const options = context.options[0] ?? {};
    const root = resolve(context.cwd, options.root ?? 'src');
    const file = context.filename;
    const name = (f) => relative(root, f).split('\\').join('/');
    if (!file.endsWith('.ts') || name(file).startsWith('..')) return {};
    const graph = graphOf(root);
    // This file as it is now, not as it was when the graph was built.
    graph.set(file, importsOf(file, context.sourceCode.text));

    const check = (node, source) => {
      if (source?.type !== 'Literal' || typeof source.value !== 'string') return;
      const target = resolveImport(file, source.value);
      if (target === undefined || dirname(target) === dirname(file)) return;
      const back = pathBetween(graph, target, file);
      if (back === undefined) return;
      context.report({ node, messageId: 'cycle', data: { cycle: [file, ...back].map(name).join(' → ') } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
    };
  },
};

export const plugin = { meta: { name: 'vpnlab' }, rules: { 'no-cross-folder-cycle': noCrossFolderCycle } };
