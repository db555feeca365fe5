import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { formatIssue } from '../config/issues.js';
import { VpnlabError } from '../core/errors.js';
import type { IkeSaView } from '../ike/views.js';
import type { PingResult } from '../runtime/ike-api.js';
import { ensurePrivateFolder, writePrivateFile } from '../runtime/private-files.js';
import { apiTargetOptions, callApi, runUntilSignal, timestamped, type ApiTarget } from './daemon-support.js';
import type { Io } from './io.js';

function withApiOptions(cmd: Command): Command {
  for (const o of apiTargetOptions('ike')) cmd.addOption(o);
  return cmd;
}

/** `swanctl --list-sas`-like text. */
export function renderSas(sas: readonly IkeSaView[]): string {
  if (sas.length === 0) return 'no IKE SAs\n';
  const lines: string[] = [];
  for (const s of sas) {
    lines.push(`${s.name}: ${s.state.toUpperCase()}${s.establishedSeconds !== undefined ? ` ${s.establishedSeconds}s ago` : ''}, ${s.local}...${s.remote}${s.natTraversal ? ' (UDP 4500)' : ''}`);
    lines.push(`  ${s.role}, SPIs ${s.spiI}_i ${s.spiR}_r${s.suite !== undefined ? `, ${s.suite}` : ''}`);
    for (const c of s.children) {
      lines.push(`  ${c.name}{${c.reqid}}: ${c.state.toUpperCase()}, TUNNEL${c.udpEncapsulation ? '-in-UDP' : ''}, SPIs ${c.inboundSpi}_i ${c.outboundSpi}_o, ${c.suite}, ${c.ageSeconds}s old`);
      lines.push(`    ${c.localSelectors.join(' ')} === ${c.remoteSelectors.join(' ')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function renderPing(r: PingResult): string {
  const lines = [`PING ${r.to} from ${r.from}`];
  for (const e of r.events) {
    if (e.kind === 'reply') lines.push(`${e.bytes + 8} bytes from ${e.from}: icmp_seq=${e.seq} ttl=${e.ttl} time=${e.rttMs.toFixed(1)} ms`);
    else if (e.kind === 'error') lines.push(`From ${e.from} icmp_seq=${e.seq} type ${e.icmpType} code ${e.icmpCode}`);
    else if (e.kind === 'timeout') lines.push(`icmp_seq=${e.seq}: no reply`);
    else lines.push(`icmp_seq=${e.seq}: not sent (${e.reason})`);
  }
  lines.push(`${r.sent} packets transmitted, ${r.received} received, ${Math.round(100 * (1 - r.received / Math.max(1, r.sent)))}% packet loss`);
  return `${lines.join('\n')}\n`;
}

export function addIkeCommands(program: Command, io: Io): void {
  const ike = program.command('ike').description('run vpnlab\'s IKEv2/IPsec gateway on real sockets, with an emulated LAN behind it, and query it');

  ike.command('run <file>')
    .description('run an IKEv2 gateway from a config file until SIGINT/SIGTERM (see docs/ike-daemon.md)')
    .option('--allow-key-export', 'let the API give out the SAs\' keys (GET /api/v1/keys, `vpnlab ike keys`): off by default')
    .action(async (file: string, opts: { allowKeyExport?: boolean }) => {
      const { loadIkeDaemonConfig, toIkeDaemonSettings } = await import('../ike/config/daemon-schema.js');
      const { IkeDaemon } = await import('../runtime/ike-daemon.js');
      const { startIkeApi } = await import('../runtime/ike-api.js');
      const loaded = loadIkeDaemonConfig(file);
      for (const w of loaded.warnings) io.err(`${formatIssue(w)}\n`);
      const settings = toIkeDaemonSettings(loaded.data);
      const log = timestamped(io.out);
      const daemon = new IkeDaemon(settings, log);
      const allowKeyExport = opts.allowKeyExport === true;
      const api = settings.api === undefined ? undefined : await startIkeApi(daemon, settings, { allowKeyExport }, log);
      for (const line of api?.describe() ?? []) log(line);
      if (api !== undefined && allowKeyExport) log('key export is on (--allow-key-export): whoever can use the API can read every SA\'s keys');
      try {
        await daemon.start();
      } catch (e) {
        await api?.close();
        throw e;
      }
      await runUntilSignal(log, 'deleting every IKE SA', async () => {
        await daemon.stop();
        await api?.close();
      });
    });

  ike.command('check <file>')
    .description('validate an `ike run` config file; exit 1 with every problem found')
    .action(async (file: string) => {
      const { loadIkeDaemonConfig } = await import('../ike/config/daemon-schema.js');
      const { data, warnings } = loadIkeDaemonConfig(file);
      for (const w of warnings) io.err(`${formatIssue(w)}\n`);
      const children = data.connections.reduce((n, c) => n + c.children.length, 0);
      io.out(`${file}: ok — ${data.connections.length} connection(s), ${children} child SA(s), LAN ${data.lan.gateway} with ${data.lan.hosts?.length ?? 0} host(s)\n`);
    });

  ike.command('schema')
    .description('print the JSON Schema of the `ike run` config file')
    .option('-o, --out <file>', 'write it to a file instead')
    .action(async (opts: { out?: string }) => {
      const { ikeDaemonJsonSchema } = await import('../ike/config/daemon-schema.js');
      const text = `${JSON.stringify(ikeDaemonJsonSchema(), null, 2)}\n`;
      if (opts.out !== undefined) writeFileSync(opts.out, text);
      else io.out(text);
    });

  withApiOptions(ike.command('sas'))
    .description('show the IKE SAs and CHILD_SAs of a running daemon (as swanctl --list-sas does)')
    .option('--json', 'print JSON')
    .action(async (opts: ApiTarget & { json?: boolean }) => {
      const sas = await callApi<IkeSaView[]>('ike', opts, 'sas');
      io.out(opts.json === true ? `${JSON.stringify(sas, null, 2)}\n` : renderSas(sas));
    });

  withApiOptions(ike.command('ping <address>'))
    .description('ping from a host of the daemon\'s emulated LAN (or its gateway) through the tunnels')
    .option('--from <host>', 'a LAN host name, or gateway', 'gateway')
    .option('-c, --count <n>', 'echo requests to send (1 to 100)', '4')
    .option('-i, --interval <ms>', 'milliseconds between requests (10 to 10000)')
    .action(async (address: string, opts: ApiTarget & { from: string; count: string; interval?: string }) => {
      const interval = opts.interval !== undefined ? `&interval=${encodeURIComponent(opts.interval)}` : '';
      const r = await callApi<PingResult>('ike', opts, `ping?from=${encodeURIComponent(opts.from)}&to=${encodeURIComponent(address)}&count=${encodeURIComponent(opts.count)}${interval}`, 'POST');
      io.out(renderPing(r));
      if (r.received === 0) io.exitCode = 1;
    });

  withApiOptions(ike.command('keys'))
    .description('write the SAs\' keys as Wireshark reads them (ikev2_decryption_table, esp_sa) into a Wireshark config folder (the daemon must run with --allow-key-export)')
    .requiredOption('-o, --out <dir>', 'a folder of yours that nobody else can write to (e.g. ~/.config/wireshark, or one given to tshark as WIRESHARK_CONFIG_DIR); created 0700 if missing')
    .option('--force', 'replace key files already in the folder (written anew and renamed over them, never through a link)')
    .action(async (opts: ApiTarget & { out: string; force?: boolean }) => {
      const dir = resolve(opts.out);
      const { ESP_SA_FILE, IKEV2_DECRYPTION_TABLE_FILE } = await import('../ike/key-export.js');
      ensurePrivateFolder(dir, { purpose: 'the keys folder', mode: 0o700 });
      const names = [IKEV2_DECRYPTION_TABLE_FILE, ESP_SA_FILE];
      const replace = opts.force === true;
      // Refuse before writing either, rather than leave one new file next to an old one.
      if (!replace) for (const name of names) if (existsSync(join(dir, name))) throw new VpnlabError('ERR_FILE_EXISTS', `${join(dir, name)} exists: refusing to write over it; add --force to replace it`);
      const files = await callApi<Record<string, unknown>>('ike', opts, 'keys');
      const written = names.map((name) => {
        const text = files[name];
        if (typeof text !== 'string') throw new VpnlabError('ERR_IKE_API_BAD_ANSWER', `the daemon's answer has no ${name}`);
        return writePrivateFile(dir, name, text, { replace, hint: 'add --force to replace it' });
      });
      io.out(`wrote ${written.join(' and ')} (mode 0600); ESP decryption needs the preference esp.enable_encryption_decode: TRUE\n`);
    });

  for (const [action, help] of [['initiate', 'bring a connection up now'], ['terminate', 'delete a connection\'s IKE SAs'], ['rekey', 'rekey a connection\'s IKE SA (or, with --child, one CHILD_SA) now']] as const) {
    const cmd = withApiOptions(ike.command(`${action} <connection>`)).description(help);
    if (action === 'rekey') cmd.option('--child <name>', 'rekey this CHILD_SA instead');
    cmd.action(async (connection: string, opts: ApiTarget & { child?: string }) => {
      const query = opts.child !== undefined ? `?child=${encodeURIComponent(opts.child)}` : '';
      await callApi('ike', opts, `connections/${encodeURIComponent(connection)}/${action}${query}`, 'POST');
      io.out(`${connection}: ${action}${opts.child !== undefined ? ` ${opts.child}` : ''} requested\n`);
    });
  }
}
