import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { formatIssue } from '../config/issues.js';
import { DEFAULT_IKE_API_PORT, ikeDaemonJsonSchema, loadIkeDaemonConfig, toIkeDaemonSettings } from '../ike/config/daemon-schema.js';
import type { IkeSaView } from '../ike/views.js';
import { TransportError } from '../transport/types.js';
import { IkeDaemon } from '../runtime/ike-daemon.js';
import { startIkeApi, type PingResult } from '../runtime/ike-api.js';
import { callApi, runUntilSignal, timestamped } from './daemon-support.js';
import type { Io } from './main.js';

const DEFAULT_API = process.env.VPNLAB_IKE_API ?? `http://127.0.0.1:${DEFAULT_IKE_API_PORT}`;

function apiOption(): Option {
  return new Option('--api <url>', 'the daemon\'s HTTP API (or set VPNLAB_IKE_API)').default(DEFAULT_API);
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
    .action(async (file: string) => {
      const loaded = loadIkeDaemonConfig(file);
      for (const w of loaded.warnings) io.err(`${formatIssue(w)}\n`);
      const settings = toIkeDaemonSettings(loaded.data);
      const log = timestamped(io.out);
      const daemon = new IkeDaemon(settings, log);
      const api = settings.api === undefined ? undefined : await startIkeApi(daemon, settings.api.address, settings.api.port).catch((e: NodeJS.ErrnoException) => {
        throw new TransportError(e.code === 'EADDRINUSE' ? 'ERR_ADDRESS_IN_USE' : e.code === 'EACCES' ? 'ERR_PERMISSION_DENIED' : 'ERR_ADDRESS_NOT_LOCAL',
          `HTTP API on ${settings.api!.address}:${settings.api!.port}: ${e.message}`);
      });
      if (api !== undefined) log(`HTTP API on ${api.url()}/api/v1/`);
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
    .action((file: string) => {
      const { data, warnings } = loadIkeDaemonConfig(file);
      for (const w of warnings) io.err(`${formatIssue(w)}\n`);
      const children = data.connections.reduce((n, c) => n + c.children.length, 0);
      io.out(`${file}: ok — ${data.connections.length} connection(s), ${children} child SA(s), LAN ${data.lan.gateway} with ${data.lan.hosts?.length ?? 0} host(s)\n`);
    });

  ike.command('schema')
    .description('print the JSON Schema of the `ike run` config file')
    .option('-o, --out <file>', 'write it to a file instead')
    .action((opts: { out?: string }) => {
      const text = `${JSON.stringify(ikeDaemonJsonSchema(), null, 2)}\n`;
      if (opts.out !== undefined) writeFileSync(opts.out, text);
      else io.out(text);
    });

  ike.command('sas')
    .description('show the IKE SAs and CHILD_SAs of a running daemon (as swanctl --list-sas does)')
    .addOption(apiOption())
    .option('--json', 'print JSON')
    .action(async (opts: { api: string; json?: boolean }) => {
      const sas = await callApi<IkeSaView[]>('ike', opts.api, 'sas');
      io.out(opts.json === true ? `${JSON.stringify(sas, null, 2)}\n` : renderSas(sas));
    });

  ike.command('ping <address>')
    .description('ping from a host of the daemon\'s emulated LAN (or its gateway) through the tunnels')
    .addOption(apiOption())
    .option('--from <host>', 'a LAN host name, or gateway', 'gateway')
    .option('-c, --count <n>', 'echo requests to send', '4')
    .action(async (address: string, opts: { api: string; from: string; count: string }) => {
      const r = await callApi<PingResult>('ike', opts.api, `ping?from=${encodeURIComponent(opts.from)}&to=${encodeURIComponent(address)}&count=${encodeURIComponent(opts.count)}`, 'POST');
      io.out(renderPing(r));
      if (r.received === 0) io.exitCode = 1;
    });

  ike.command('keys')
    .description('write the SAs\' keys as Wireshark reads them (ikev2_decryption_table, esp_sa) into a Wireshark config folder')
    .addOption(apiOption())
    .requiredOption('-o, --out <dir>', 'the folder (e.g. ~/.config/wireshark, or one given to tshark as WIRESHARK_CONFIG_DIR)')
    .action(async (opts: { api: string; out: string }) => {
      const files = await callApi<Record<string, string>>('ike', opts.api, 'keys');
      mkdirSync(opts.out, { recursive: true });
      for (const [name, text] of Object.entries(files)) writeFileSync(join(opts.out, name), text);
      io.out(`wrote ${Object.keys(files).map((f) => join(opts.out, f)).join(' and ')}; ESP decryption needs the preference esp.enable_encryption_decode: TRUE\n`);
    });

  for (const [action, help] of [['initiate', 'bring a connection up now'], ['terminate', 'delete a connection\'s IKE SAs'], ['rekey', 'rekey a connection\'s IKE SA (or, with --child, one CHILD_SA) now']] as const) {
    const cmd = ike.command(`${action} <connection>`).description(help).addOption(apiOption());
    if (action === 'rekey') cmd.option('--child <name>', 'rekey this CHILD_SA instead');
    cmd.action(async (connection: string, opts: { api: string; child?: string }) => {
      const query = opts.child !== undefined ? `?child=${encodeURIComponent(opts.child)}` : '';
      await callApi('ike', opts.api, `connections/${encodeURIComponent(connection)}/${action}${query}`, 'POST');
      io.out(`${connection}: ${action}${opts.child !== undefined ? ` ${opts.child}` : ''} requested\n`);
    });
  }
}
