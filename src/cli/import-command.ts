import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, type ConfigIssue } from '../config/issues.js';
import { MANIFEST_PATH } from '../platforms/export.js';
import { formatImportIssue, importSources } from '../platforms/import.js';
import type { ImportSource, SourceReader } from '../platforms/imports.js';
import { parseTopology } from '../platforms/load.js';
import { PLATFORMS } from '../platforms/registry.js';
import type { Io } from './io.js';

/** Every platform's readers, in the registry's order. */
export function platformReaders(): SourceReader[] {
  return Object.values(PLATFORMS).flatMap((adapter) => adapter.readers ?? []);
}

/**
 * The sources a command line names: a file as it is; a folder written by `vpnlab export -o DIR`
 * as its manifest followed by the artifacts it lists, each marked with its site.
 */
export function collectSources(paths: readonly string[]): ImportSource[] {
  const sources: ImportSource[] = [];
  for (const path of paths) {
    if (!statSync(path).isDirectory()) {
      sources.push({ path, text: readFileSync(path, 'utf8') });
      continue;
    }
    const manifestPath = join(path, MANIFEST_PATH);
    if (!existsSync(manifestPath)) {
      sources.push({ path, text: '' });
      continue;
    }
    const text = readFileSync(manifestPath, 'utf8');
    sources.push({ path: manifestPath, text });
    let manifest: { sites?: { site?: { name?: string }; artifacts?: string[] }[] };
    try {
      manifest = JSON.parse(text) as typeof manifest;
    } catch {
      continue;
    }
    for (const entry of manifest.sites ?? []) {
      for (const artifact of entry.artifacts ?? []) {
        const file = join(path, ...artifact.split('/'));
        sources.push({ path: file, text: readFileSync(file, 'utf8'), ...(entry.site?.name === undefined ? {} : { site: entry.site.name }) });
      }
    }
  }
  return sources;
}

/** `vpnlab import SOURCE… [-o FILE]`. */
export function addImportCommand(program: Command, io: Io): void {
  program.command('import <sources...>')
    .description('read what builds a network — an export folder, ARM templates, Terraform (azurerm, alicloud), RRAS PowerShell, swanctl.conf / frr.conf / ip.sh, topology files — into one topology file')
    .option('-o, --out <file>', 'write the topology to this file (by default it is printed)')
    .action(async (paths: string[], opts: { out?: string }) => {
      const result = await importSources(collectSources(paths), platformReaders());
      for (const note of result.notes) io.err(`warning: ${formatImportIssue(note)}\n`);
      for (const problem of result.problems) io.err(`${formatImportIssue(problem)}\n`);
      if (result.problems.length > 0) {
        io.err(`import failed: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}; nothing written\n`);
        io.exitCode = 1;
        return;
      }
      const name = opts.out ?? '<import>';
      try {
        const loaded = parseTopology(result.text, name, { keepCheckErrors: true });
        for (const issue of loaded.warnings) io.err(`check: ${located(issue)}\n`);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        for (const issue of e.issues) io.err(`${located(issue)}\n`);
        io.err('import failed: the imported topology does not pass the topology schema; nothing written\n');
        io.exitCode = 1;
        return;
      }
      if (opts.out === undefined) io.out(result.text);
      else {
        writeFileSync(opts.out, result.text, { mode: 0o600 });
        io.out(`${opts.out}\n`);
      }
    });
}

/** `file:line:col: CODE path: message`, the form import prints everything in. */
function located(issue: ConfigIssue): string {
  return `${issue.file}:${issue.line}:${issue.column}: ${issue.severity === 'error' ? '' : 'warning '}${issue.code} ${issue.path}: ${issue.message}${issue.hint === undefined ? '' : ` (${issue.hint})`}`;
}
