import { Ping, PING_DEFAULTS, type PingEvent } from '../apps/ping.js';
import { formatIpv4, isIpv4, parseIpv4 } from '../net/address.js';
import { formatChildSpi } from '../ike/payloads/notify.js';
import { ESP_SA_FILE, espSaTable, IKEV2_DECRYPTION_TABLE_FILE, ikev2DecryptionTable } from '../ike/key-export.js';
import type { IkeDaemon } from './ike-daemon.js';
import type { IkeDaemonSettings } from '../ike/config/daemon-schema.js';
import { startApiListeners, type ApiListeners } from './api-listen.js';
import { ApiError, integerParam, shown, type ApiRequest } from './json-api.js';

/*
 * The control API of `vpnlab ike run` (unix socket, optionally loopback TCP with a token; see
 * api-listen.ts), JSON in and out:
 *
 *   GET  /api/v1/sas                              IKE SAs with their CHILD_SAs (IkeSaView[])
 *   GET  /api/v1/tunnels                          per CHILD_SA: SPIs, packets and bytes in/out, drops
 *   POST /api/v1/connections/NAME/initiate        bring a connection up now
 *   POST /api/v1/connections/NAME/terminate       delete its IKE SAs
 *   POST /api/v1/connections/NAME/rekey           rekey its IKE SA now
 *   POST /api/v1/connections/NAME/rekey?child=C   rekey one CHILD_SA now
 *   POST /api/v1/ping?from=HOST&to=ADDR&count=N&interval=MS   ping from a LAN host (or the gateway), answers when done
 *   GET  /api/v1/keys                             the SAs' keys as Wireshark's ikev2_decryption_table and esp_sa files
 *                                                 (only with `ike run --allow-key-export`)
 *
 * Errors are `{ "error": { "code", "message" } }` with 400 / 401 / 403 / 404 / 405 / 409 / 421 / 429.
 */

/** A ping event as JSON carries it: addresses as text. */
type WithTextFrom<E> = E extends { from: number } ? Omit<E, 'from'> & { from: string } : E;
export type PingEventJson = WithTextFrom<PingEvent>;

export interface PingResult {
  readonly from: string;
  readonly to: string;
  readonly sent: number;
  readonly received: number;
  readonly events: readonly PingEventJson[];
}

/** Bounds of `POST /api/v1/ping`: no request may hold the API (or the LAN) for long. */
export const PING_LIMITS = {
  count: { min: 1, max: 100, fallback: 4 },
  intervalMs: { min: 10, max: 10_000, fallback: 1000, unit: 'ms' },
  /** Each echo waits this long for its reply. */
  replyTimeoutMs: 2000,
  /** The longest a ping may take, from the first request to the last reply or timeout. */
  maxDurationMs: 60_000,
  /** Pings running at once. */
  maxConcurrent: 4,
} as const;

interface ApiState {
  pings: number;
  nextIdentifier: number;
}

function ping(daemon: IkeDaemon, state: ApiState, params: Map<string, string>): Promise<PingResult> {
  const from = params.get('from') ?? 'gateway';
  const to = params.get('to');
  if (to === undefined) throw new ApiError(400, 'BAD_PARAMETER', 'to: missing; give the IPv4 address to ping (to=10.11.0.10)');
  if (!isIpv4(to)) throw new ApiError(400, 'BAD_PARAMETER', `to=${shown(to)}: expected an IPv4 address like 10.11.0.10`);
  const count = integerParam(params, 'count', PING_LIMITS.count);
  const intervalMs = integerParam(params, 'interval', PING_LIMITS.intervalMs);
  let node;
  try {
    node = from === 'gateway' ? daemon.gateway : daemon.host(from).ip;
  } catch {
    throw new ApiError(404, 'NO_SUCH_HOST', `from=${shown(from)}: no such host on the LAN (a lan.hosts name, or gateway)`);
  }
  const style = node.initialTtl === 128 ? 'windows' : 'linux';
  // iputils sends on its interval and waits after the last; Windows waits for each reply in turn.
  const timeoutMs = PING_LIMITS.replyTimeoutMs;
  const durationMs = style === 'linux' ? (count - 1) * intervalMs + timeoutMs : count * Math.max(intervalMs, timeoutMs);
  if (durationMs > PING_LIMITS.maxDurationMs) {
    throw new ApiError(400, 'BAD_PARAMETER', `count=${count} interval=${intervalMs}: this ping could take ${durationMs / 1000} s (each echo waits up to ${timeoutMs / 1000} s${style === 'windows' ? ' before the next, from a Windows host' : ' after the last'}); the limit is ${PING_LIMITS.maxDurationMs / 1000} s: lower count or interval`);
  }
  if (state.pings >= PING_LIMITS.maxConcurrent) throw new ApiError(429, 'BUSY', `${state.pings} pings are running (at most ${PING_LIMITS.maxConcurrent} at once); try again when one ends`);
  state.pings++;
  const identifier = 0x7000 + (state.nextIdentifier++ & 0xfff);
  const result = (p: Ping): PingResult => ({
    from, to, sent: p.sent,
    received: p.events.filter((e) => e.kind === 'reply').length,
    events: p.events.map((e): PingEventJson => ('from' in e ? { ...e, from: formatIpv4(e.from) } : e)),
  });
  return new Promise((resolve, reject) => {
    try {
      daemon.pump.run(() => {
        // A first echo that cannot be sent ends the ping inside the constructor: answer once `p` is set.
        const p: Ping = new Ping(node, parseIpv4(to), { ...PING_DEFAULTS[style], timeoutMs, intervalMs, count, identifier }, () => {
          queueMicrotask(() => {
            state.pings--;
            resolve(result(p));
          });
        });
      });
    } catch (e) {
      state.pings--;
      reject(e);
    }
  });
}

export interface IkeApiOptions {
  /** `vpnlab ike run --allow-key-export`: GET /keys answers; without it, 403 KEY_EXPORT_DISABLED. */
  readonly allowKeyExport: boolean;
}

function handle(daemon: IkeDaemon, settings: IkeDaemonSettings, options: IkeApiOptions, state: ApiState, req: ApiRequest): unknown {
  const { url, expect } = req;
  const [resource, name, action] = req.parts;
  const leaf = (depth: number) => {
    if (req.parts.length > depth) throw new ApiError(404, 'NOT_FOUND', `no such resource ${url.pathname}`);
  };
  switch (resource) {
    case 'sas':
      expect('GET');
      leaf(1);
      req.params([]);
      return daemon.pump.run(() => daemon.engine.view());
    case 'tunnels':
      expect('GET');
      leaf(1);
      req.params([]);
      return daemon.pump.run(() => daemon.sad.children().map((c) => ({
        ikeSa: c.config.ikeSaName, child: c.config.childName, inboundSpi: formatChildSpi(c.config.inboundSpi), outboundSpi: formatChildSpi(c.config.outboundSpi),
        udpEncapsulation: c.config.udpEncapsulation, outboundActive: c.outboundActive, superseded: c.superseded,
        inbound: c.inbound.counters, outbound: c.outbound.counters,
        /** Everything the data plane dropped for this child (all its SAs): no-sa, selector-mismatch, outer-send-failed... */
        childDrops: daemon.sad.counters(c.config.childName).drops,
      })));
    case 'connections': {
      expect('POST');
      leaf(3);
      const peer = settings.peers.find((p) => p.name === name);
      if (peer === undefined) throw new ApiError(404, 'NO_SUCH_CONNECTION', `no connection named '${shown(name ?? '')}' (known: ${settings.peers.map((p) => p.name).join(', ')})`);
      if (action !== 'initiate' && action !== 'terminate' && action !== 'rekey') {
        throw new ApiError(404, 'NOT_FOUND', `no action '${shown(action ?? '')}' on a connection (there are: initiate, terminate, rekey)`);
      }
      const child = req.params(action === 'rekey' ? ['child'] : []).get('child');
      if (child !== undefined && !peer.children.some((c) => c.name === child)) {
        throw new ApiError(404, 'NO_SUCH_CHILD', `child=${shown(child)}: connection ${peer.name} has no such child (it has: ${peer.children.map((c) => c.name).join(', ')})`);
      }
      if (action === 'initiate' && peer.remoteAddress === undefined) {
        throw new ApiError(409, 'CANNOT_INITIATE', `connection ${peer.name} answers %any: it has no address to initiate to`);
      }
      daemon.pump.run(() => {
        if (action === 'initiate') daemon.engine.initiate(peer.name);
        else if (action === 'terminate') daemon.engine.terminate(peer.name);
        else if (child === undefined) daemon.engine.rekeyIkeSa(peer.name);
        else daemon.engine.rekeyChild(peer.name, child);
      });
      return { [action]: peer.name };
    }
    case 'ping':
      expect('POST');
      leaf(1);
      return ping(daemon, state, req.params(['from', 'to', 'count', 'interval']));
    case 'keys':
      expect('GET');
      leaf(1);
      req.params([]);
      if (!options.allowKeyExport) {
        throw new ApiError(403, 'KEY_EXPORT_DISABLED', 'key export is off: start the daemon with `vpnlab ike run FILE --allow-key-export` to let GET /api/v1/keys give out the SAs\' keys');
      }
      return daemon.pump.run(() => ({
        [IKEV2_DECRYPTION_TABLE_FILE]: ikev2DecryptionTable(daemon.engine.ikeSas()),
        [ESP_SA_FILE]: espSaTable(daemon.sad.children().map((c) => c.config)),
      }));
    default:
      throw new ApiError(404, 'NOT_FOUND', `no such resource ${shown(url.pathname)} (there are: sas, tunnels, connections, ping, keys)`);
  }
}

export function startIkeApi(daemon: IkeDaemon, settings: IkeDaemonSettings, options: IkeApiOptions, log: (line: string) => void): Promise<ApiListeners> {
  const state: ApiState = { pings: 0, nextIdentifier: 0 };
  return startApiListeners('ike', settings.api!, (req) => handle(daemon, settings, options, state, req), log);
}
