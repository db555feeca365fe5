import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, Option } from 'commander';
import { formatIssue } from '../config/issues.js';
import { EXPORT_FORMATS, type ExportFormat } from '../platforms/artifacts.js';
import { exportNetwork } from '../platforms/export.js';
import { loadTopologyFile } from '../platforms/load.js';
import type { Io } from './io.js';

export const VPNLAB_VERSION = '0.1.0';

/** `vpnlab export FILE [--site NAME] [--format F] [-o DIR] [--redact]`. */
export function addExportCommand(program: Command, io: Io): void {
  program.command('export <file>')
    .description('write what each platform needs to build the design: ARM template, Azure CLI, Terraform, aliyun CLI, RRAS PowerShell, swanctl.conf and frr.conf')
    .option('--site <name>', 'only this site')
    .addOption(new Option('--format <format>', 'only this format (repeatable)').choices(EXPORT_FORMATS).argParser((v: string, acc: ExportFormat[] = []) => [...acc, v as ExportFormat]))
    .option('-o, --out <dir>', 'write the files under this folder (by default they are printed, each under a ==> path <== line)')
    .option('--redact', 'write placeholders instead of the pre-shared keys')
    .option('--force', 'export even when check finds errors (the platform would refuse the design)')
    .action((file: string, opts: { site?: string; format?: ExportFormat[]; out?: string; redact?: boolean; force?: boolean }) => {
      const loaded = loadTopologyFile(file, { keepCheckErrors: opts.force === true });
      for (const w of loaded.warnings) io.err(`${formatIssue(w)}\n`);
      const { artifacts, skipped } = exportNetwork(loaded.network, {
        provenance: { file, vpnlabVersion: VPNLAB_VERSION },
        redact: opts.redact === true,
        ...(opts.site !== undefined ? { site: opts.site } : {}),
        ...(opts.format !== undefined ? { formats: opts.format } : {}),
      });
      for (const s of skipped) io.err(`note: site '${s.site}' writes nothing: ${s.reason}\n`);
      if (opts.out === undefined) {
        for (const a of artifacts) io.out(`==> ${a.path} <==\n${a.text}${a.text.endsWith('\n') ? '' : '\n'}\n`);
        return;
      }
      for (const a of artifacts) {
        const path = join(opts.out, ...a.path.split('/'));
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, a.text, a.holdsSecrets ? { mode: 0o600 } : {});
        io.out(`${path}${a.holdsSecrets ? '  (holds pre-shared keys)' : ''}\n`);
      }
    });
}
