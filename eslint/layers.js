// @ts-check
// The layering of src/ as lint rules: the table below, turned into ESLint's own
// no-restricted-imports options for every folder (see docs/architecture.md, "Layers").
import { readdirSync } from 'node:fs';
import { join, posix, relative, resolve } from 'node:path';
import process from 'node:process';

/**
 * src/'s top-level folders, lowest first. A folder imports only folders on lower rows; folders on
 * the same row are independent of each other.
 */
export const LAYERS = [
  { folders: ['core'], role: 'clock, rng, errors, bytes' },
  { folders: ['net', 'crypto'], role: 'addresses and packet codecs; algorithms' },
  { folders: ['config', 'transport', 'router', 'esp'], role: 'config files, the Transport interface, the IP node, ESP' },
  { folders: ['bgp', 'ike'], role: 'the protocol engines' },
  { folders: ['ipsec'], role: 'the IPsec data plane over IKE and ESP' },
  { folders: ['sim'], role: 'the general-purpose simulator' },
  { folders: ['apps'], role: 'ping and traceroute clients' },
  { folders: ['topology'], role: 'the topology file' },
  { folders: ['platforms'], role: 'the platform adapters' },
  { folders: ['emulator'], role: 'a hybrid network assembled from a topology' },
  { folders: ['runtime'], role: 'the real runtime and its daemons' },
  { folders: ['cli'], role: 'the commands and their text' },
];

/**
 * Rules inside one folder. `from`: the importing files' folder (with its subfolders); `forbid`:
 * the files it may not import, as a test on their path under src/.
 */
export const INNER_RULES = [
  {
    from: 'bgp/rib',
    forbid: /^bgp\/(?:speaker|neighbor|connection|timers|fsm[^/]*)\.ts$/,
    why: 'the RIB knows no sessions (speaker, neighbours, connections, the FSM)',
  },
  {
    from: 'bgp/policy',
    forbid: /^bgp\/(?:speaker|neighbor|connection|timers|fsm[^/]*)\.ts$/,
    why: 'policy knows no sessions (speaker, neighbours, connections, the FSM)',
  },
  {
    from: 'bgp/attributes',
    forbid: /^bgp\/(?!attributes\/|(?:types|errors|context|nlri)\.ts$)/,
    why: 'path attribute codecs use only the shared types, errors, codec context and NLRI codec of bgp/',
  },
  {
    from: 'ike/payloads',
    forbid: /^ike\/(?:engine\.ts|ike-sa\.ts|task-manager\.ts|tasks\/)/,
    why: 'payload codecs know nothing of the engine, IKE SAs or tasks',
  },
  {
    from: 'cli/render',
    forbid: /^cli\/[^/]+\.ts$/,
    why: 'renderers make text from records; the commands call them, never the reverse',
  },
];

/** Each subfolder of platforms/ is one platform; none imports another. */
export const PLATFORMS = 'platforms';

/** The one shared platform file that may import every platform's folder: the table of adapters. */
export const PLATFORM_REGISTRY = 'platforms/registry.ts';

const posixRelative = (from, to) => relative(from, to).split('\\').join('/');
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Every folder under `dir` (relative to it, '/'-separated), and every .ts file. */
function walk(dir) {
  const folders = [];
  const files = [];
  const visit = (rel) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        folders.push(p);
        visit(p);
      } else if (e.name.endsWith('.ts')) files.push(p);
    }
  };
  visit('');
  return { folders, files };
}

function rowOf(top) {
  const row = LAYERS.findIndex((l) => l.folders.includes(top));
  if (row < 0) throw new Error(`eslint/layers.js: src/${top}/ is in no layer; add it to LAYERS`);
  return row;
}

/** The specifier a file in `folder` writes for `target` (both under src/). */
function specifier(folder, target) {
  const rel = posixRelative(folder, target);
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/**
 * The no-restricted-imports patterns for the files of one folder (not its subfolders); the
 * registry's are its folder's but for the platforms' folders.
 */
function patternsFor(folder, tree, isRegistry = false) {
  const top = folder.split('/')[0];
  const row = rowOf(top);
  const patterns = [];
  for (const [r, layer] of LAYERS.entries()) {
    for (const other of layer.folders) {
      if (other === top || r < row) continue;
      const why = r === row
        ? `${top} and ${other} are independent (same layer: ${layer.role})`
        : `${other} (${layer.role}) is above ${top} (${LAYERS[row].role})`;
      patterns.push({ regex: `^${escape(specifier(folder, other))}(?:/|$)`, message: `src/${top} may not import src/${other}: ${why}; dependencies point down (eslint/layers.js).` });
    }
  }
  for (const rule of INNER_RULES) {
    if (folder !== rule.from && !folder.startsWith(`${rule.from}/`)) continue;
    const targets = tree.files.filter((f) => rule.forbid.test(f)).map((f) => specifier(folder, f.replace(/\.ts$/, '.js')));
    if (targets.length === 0) continue;
    patterns.push({ regex: `^(?:${targets.map(escape).join('|')})$`, message: `In src/${rule.from}: ${rule.why} (eslint/layers.js).` });
  }
  const platform = platformOf(folder);
  const platforms = tree.folders.filter((f) => platformOf(f) === f);
  if (platform !== undefined) {
    for (const other of platforms.filter((p) => p !== platform)) {
      patterns.push({ regex: `^${escape(specifier(folder, other))}(?:/|$)`, message: `src/${platform} may not import src/${other}: a platform's folder never imports another platform's; share through the files of src/${PLATFORMS} (eslint/layers.js).` });
    }
  } else if (folder === PLATFORMS && !isRegistry) {
    for (const other of platforms) {
      patterns.push({ regex: `^${escape(specifier(folder, other))}(?:/|$)`, message: `src/${PLATFORMS}'s shared files may not import src/${other}: only ${PLATFORM_REGISTRY} knows the platforms (eslint/layers.js).` });
    }
  }
  return patterns;
}

function platformOf(folder) {
  const [top, sub] = folder.split('/');
  return top === PLATFORMS && sub !== undefined ? `${PLATFORMS}/${sub}` : undefined;
}

/**
 * Flat-config blocks that apply the layering to every folder under `root` (relative to the
 * config's folder, `cwd`): one block per folder, one more per file that is an exception (the
 * registry).
 */
export function layerConfig({ root = 'src', cwd = process.cwd(), registry = PLATFORM_REGISTRY } = {}) {
  const tree = walk(resolve(cwd, root));
  const blocks = [];
  const glob = (p) => posix.join(root, p);
  const rule = (patterns) => ({ 'no-restricted-imports': ['error', { patterns: patterns.map((p) => ({ ...p, caseSensitive: true })) }] });
  for (const folder of tree.folders) {
    const patterns = patternsFor(folder, tree);
    if (patterns.length === 0) continue;
    const hasRegistry = posix.dirname(registry) === folder;
    blocks.push({ files: [glob(`${folder}/*.ts`)], ignores: hasRegistry ? [glob(registry)] : [], rules: rule(patterns) });
    if (hasRegistry) blocks.push({ files: [glob(registry)], rules: rule(patternsFor(folder, tree, true)) });
  }
  return blocks;
}
