/**
 * strongSwan 5.9 (charon with kernel-libipsec) as an IKEv2/ESP test peer in network namespaces.
 *
 *   const topo = await createTopology();
 *   const a = await topo.createNamespace('a'), b = await topo.createNamespace('b');
 *   await topo.connect(a, 'wan0', '192.168.251.1/30', b, 'wan0', '192.168.251.2/30');
 *   const left = await startCharon({ topology: topo, ns: a, connections: [{ name: 'net',
 *     localAddrs: ['192.168.251.1'], remoteAddrs: ['192.168.251.2'], proposals: ['aes256-sha256-modp2048'],
 *     psk: 'secret', localId: { type: 'ipv4', address: '192.168.251.1' }, remoteId: { type: 'ipv4', address: '192.168.251.2' },
 *     children: [{ name: 'net', localTs: ['10.11.0.0/24'], remoteTs: ['10.12.0.0/24'], espProposals: ['aes256-sha256'] }] }] });
 *   const right = await startCharon({ topology: topo, ns: b, connections: [ … mirrored … ] });
 *   await left.initiate('net', { timeoutMs: 5_000 });
 *   await expectSwanLines({ left, right }, ['right :: @sas :: ^net\\[\\d+\\] ESTABLISHED responder '], { timeoutMs: 2_000 });
 *   await topo.destroy();   // stops the charons, deletes the namespaces
 *
 * See docs/interop.md ("strongSwan in network namespaces").
 */
import { InteropError, splitWords } from './daemon.js';
import { expectLinesOn, type ExpectOptions } from './peers.js';
import type { RunningCharon } from './strongswan/charon.js';
import { renderNotifyErrors, renderSas } from './strongswan/sas.js';

export {
  CHARON_PLUGINS, DEFAULT_LOG_LEVELS, KEY_MATERIAL_LOG_LEVELS, SWANCTL_PLUGINS, printedIdentity, renderIdentity,
  renderStrongswanConf, renderSwanctlConf,
  type CharonSettings, type DpdAction, type LogGroup, type LogLevel, type LogLevels, type StartAction, type SwanChild,
  type SwanConnection, type SwanIdentity,
} from './strongswan/config.js';
export {
  CHILD_STATES, ERROR_NOTIFIES, IKE_STATES, parseDumps, parseListSas, parseNotifyErrors, parseViciPretty, renderNotifyErrors,
  renderSas,
  type ChildSa, type ChildState, type IkeSa, type IkeState, type LogDump, type NotifyError,
} from './strongswan/sas.js';
export {
  CHARON, SWANCTL, SwanError, startCharon,
  type CharonOptions, type InitiateOptions, type RunningCharon, type SwanErrorCode, type TerminateOptions,
} from './strongswan/charon.js';

/** Stops every charon, even if some stops fail; rethrows the first failure afterwards. */
export async function stopCharons(charons: readonly (RunningCharon | undefined)[]): Promise<void> {
  const results = await Promise.allSettled(charons.map((c) => c?.stop()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Runs a command on a charon. Pseudo-commands:
 *   @sas     the SAs, one renderSas() line each (IKE: `net[1] ESTABLISHED initiator …`, CHILD: `net[1] net{1} INSTALLED …`)
 *   @error   the error notifies sent and received, one per line: `received AUTHENTICATION_FAILED in IKE_AUTH response 1 net[1]` ('-' if none)
 *   @log     charon's log
 * Anything else is swanctl arguments (`--list-conns`, `--stats`, `--list-sas --ike net`); --uri is added.
 */
export async function runOnCharon(charon: RunningCharon, command: string): Promise<string> {
  const verb = command.trim().split(/\s+/, 1)[0];
  switch (verb) {
    case '@sas': return renderSas(await charon.listSas());
    case '@error': return renderNotifyErrors(await charon.notifyErrors());
    case '@log': return charon.log();
    default: {
      const args = splitWords(command);
      if (!args[0]?.startsWith('--')) {
        throw new InteropError('INTEROP_BAD_CONFIG', `${charon.name}: ${JSON.stringify(command)} is neither @sas, @error, @log nor swanctl arguments (--list-conns …)`);
      }
      return charon.swanctl(args);
    }
  }
}

/**
 * evaltest for charons, with peers.ts's expectLines semantics: `peer :: command :: pattern [:: YES|NO]`;
 * with timeoutMs, failing lines are retried until all hold; every line still failing is reported
 * at once (INTEROP_EXPECT_FAILED) with the output it last saw.
 */
export async function expectSwanLines(
  charons: Readonly<Record<string, RunningCharon>> | readonly RunningCharon[],
  lines: readonly string[],
  opts: ExpectOptions = {},
): Promise<void> {
  return expectLinesOn(charons, runOnCharon, lines, { intervalMs: 100, ...opts });
}
