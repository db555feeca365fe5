import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { PeerRecord, RouteRecord, TransitionRecord } from '../bgp/views.js';
import { formatIssue } from '../config/issues.js';
import { apiTargetOptions, callApi, runUntilSignal, timestamped, type ApiTarget } from './daemon-support.js';
import type { Io } from './io.js';
import { renderGetBgpPeer, renderGetBgpRouteInformation, renderPeers, renderRoutes } from './render/bgp.js';

type Format = 'table' | 'rras' | 'json';

function formatOption(): Option {
  return new Option('--format <format>', 'table, rras (Get-BgpPeer / Get-BgpRouteInformation layout) or json')
    .choices(['table', 'rras', 'json']).default('table');
}

function withApiOptions(cmd: Command): Command {
  for (const o of apiTargetOptions('bgp')) cmd.addOption(o);
  return cmd;
}

const call = <T>(target: ApiTarget, path: string, method = 'GET'): Promise<T> => callApi<T>('bgp', target, path, method);

function renderPeerDetail(p: PeerRecord & { history: TransitionRecord[] }): string {
  const lines = [
    `neighbor ${p.name} (${p.address}), AS ${p.asn}, ${p.mode}`,
    `  state ${p.state}${p.uptime !== null ? `, up ${p.uptime}s, hold time ${p.holdTime}s` : ''}`,
    `  local address ${p.localAddress ?? '-'}`,
    `  prefixes: ${p.prefixesAccepted} accepted, ${p.prefixesAdvertised} advertised; received ${p.announcementsReceived} announcements, ${p.withdrawalsReceived} withdrawals`,
    `  rejected: ${p.rejected.policy} by policy, ${p.rejected.noPolicy} for want of a policy (RFC 8212), ${p.rejected.asLoop} AS loops, ${p.rejected.blocked} over max-prefix`,
    `  messages: ${p.messages.in} in (${p.messages.updatesIn} UPDATEs), ${p.messages.out} out (${p.messages.updatesOut} UPDATEs)`,
    `  last error: ${p.lastError ?? 'none'}`,
    `  UPDATEs with errors (RFC 7606, no reset): ${p.updateErrors}${p.lastUpdateError !== null ? `, last: ${p.lastUpdateError}` : ''}`,
    `  routes not sent (cannot be encoded for this neighbour): ${p.routesNotSent}${p.lastRouteNotSent !== null ? `, last: ${p.lastRouteNotSent}` : ''}`,
    '  recent state changes:',
    ...p.history.map((h) => `    ${(h.at / 1000).toFixed(3)}s ${h.from} -> ${h.to}: ${h.reason}`),
  ];
  return lines.join('\n') + '\n';
}

export function addBgpCommands(program: Command, io: Io): void {
  const bgp = program.command('bgp').description('run vpnlab\'s BGP speaker on real sockets next to a real router, and query it');

  bgp.command('run <file>')
    .description('run a BGP speaker from a config file until SIGINT/SIGTERM (see docs/bgp-daemon.md)')
    .action(async (file: string) => {
      const { loadBgpDaemonConfig, toDaemonSettings } = await import('../bgp/config/daemon-schema.js');
      const { BgpDaemon } = await import('../runtime/bgp-daemon.js');
      const loaded = loadBgpDaemonConfig(file);
      for (const w of loaded.warnings) io.err(`${formatIssue(w)}\n`);
      const log = timestamped(io.out);
      const daemon = new BgpDaemon(toDaemonSettings(loaded.data), log);
      await daemon.start();
      // The sessions end with FIN after their NOTIFICATION; the open sockets keep the process
      // alive until that is done.
      await runUntilSignal(log, 'Cease / Administrative Shutdown to every peer', () => daemon.stop());
    });

  bgp.command('check <file>')
    .description('validate a `bgp run` config file; exit 1 with every problem found')
    .action(async (file: string) => {
      const { loadBgpDaemonConfig } = await import('../bgp/config/daemon-schema.js');
      const { data, warnings } = loadBgpDaemonConfig(file);
      for (const w of warnings) io.err(`${formatIssue(w)}\n`);
      io.out(`${file}: ok — AS ${data.localAsn}, router ID ${data.routerId}, ${data.neighbors.length} neighbour(s), ${data.policies?.length ?? 0} policies\n`);
    });

  bgp.command('schema')
    .description('print the JSON Schema of the `bgp run` config file')
    .option('-o, --out <file>', 'write it to a file instead')
    .action(async (opts: { out?: string }) => {
      const { bgpDaemonJsonSchema } = await import('../bgp/config/daemon-schema.js');
      const text = `${JSON.stringify(bgpDaemonJsonSchema(), null, 2)}\n`;
      if (opts.out !== undefined) writeFileSync(opts.out, text);
      else io.out(text);
    });

  withApiOptions(bgp.command('peers [name]'))
    .description('show the neighbours of a running daemon (state, uptime, prefixes, last error); with a name, one in detail')
    .addOption(formatOption())
    .action(async (name: string | undefined, opts: ApiTarget & { format: Format }) => {
      if (name !== undefined) {
        const peer = await call<PeerRecord & { history: never[] }>(opts, `peers/${encodeURIComponent(name)}`);
        io.out(opts.format === 'json' ? `${JSON.stringify(peer, null, 2)}\n` : opts.format === 'rras' ? renderGetBgpPeer([peer]) : renderPeerDetail(peer));
        return;
      }
      const peers = await call<PeerRecord[]>(opts, 'peers');
      io.out(opts.format === 'json' ? `${JSON.stringify(peers, null, 2)}\n` : opts.format === 'rras' ? renderGetBgpPeer(peers) : renderPeers(peers));
    });

  withApiOptions(bgp.command('routes [prefix]'))
    .description('show the routes of a running daemon (all paths, best marked, with why); with a prefix, it and its more-specifics')
    .addOption(formatOption())
    .action(async (prefix: string | undefined, opts: ApiTarget & { format: Format }) => {
      const routes = await call<RouteRecord[]>(opts, prefix === undefined ? 'routes' : `routes?prefix=${encodeURIComponent(prefix)}`);
      io.out(opts.format === 'json' ? `${JSON.stringify(routes, null, 2)}\n` : opts.format === 'rras' ? renderGetBgpRouteInformation(routes) : renderRoutes(routes));
    });

  withApiOptions(bgp.command('reset <name>'))
    .description('reset one session of a running daemon (Cease / Administrative Reset, then reconnect)')
    .action(async (name: string, opts: ApiTarget) => {
      await call(opts, `peers/${encodeURIComponent(name)}/reset`, 'POST');
      io.out(`${name}: reset\n`);
    });
}
