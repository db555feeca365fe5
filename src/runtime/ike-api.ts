import { Ping, PING_DEFAULTS, type PingEvent } from '../apps/ping.js';
import { formatIpv4, isIpv4, parseIpv4 } from '../net/address.js';
import { formatChildSpi } from '../ike/payloads/notify.js';
import { ESP_SA_FILE, espSaTable, IKEV2_DECRYPTION_TABLE_FILE, ikev2DecryptionTable } from '../ike/key-export.js';
import type { IkeDaemon } from './ike-daemon.js';
import { ApiError, startJsonApi, type ApiRequest, type JsonApi } from './json-api.js';

/*
 * The HTTP API of `vpnlab ike run`, JSON in and out:
 *
 *   GET  /api/v1/sas                              IKE SAs with their CHILD_SAs (IkeSaView[])
 *   GET  /api/v1/tunnels                          per CHILD_SA: SPIs, packets and bytes in/out, drops
 *   POST /api/v1/connections/NAME/initiate        bring a connection up now
 *   POST /api/v1/connections/NAME/terminate       delete its IKE SAs
 *   POST /api/v1/connections/NAME/rekey           rekey its IKE SA now
 *   POST /api/v1/connections/NAME/rekey?child=C   rekey one CHILD_SA now
 *   POST /api/v1/ping?from=HOST&to=ADDR&count=N   ping from a LAN host (or the gateway), answers when done
 *   GET  /api/v1/keys                             the SAs' keys as Wireshark's ikev2_decryption_table and esp_sa files
 *
 * Errors are `{ "error": { "code", "message" } }` with 400 / 404 / 405.
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

function ping(daemon: IkeDaemon, url: URL): Promise<PingResult> {
  const from = url.searchParams.get('from') ?? 'gateway';
  const to = url.searchParams.get('to') ?? '';
  if (!isIpv4(to)) throw new ApiError(400, 'BAD_ADDRESS', `to=${to}: expected an IPv4 address`);
  const count = Number(url.searchParams.get('count') ?? '4');
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw new ApiError(400, 'BAD_COUNT', 'count must be 1 to 1000');
  const intervalMs = Number(url.searchParams.get('interval') ?? '1000');
  let node;
  try {
    node = from === 'gateway' ? daemon.gateway : daemon.host(from).ip;
  } catch (e) {
    throw new ApiError(404, 'NO_SUCH_HOST', (e as Error).message);
  }
  const style = node.initialTtl === 128 ? 'windows' : 'linux';
  return new Promise((resolve) => {
    daemon.pump.run(() => {
      const p: Ping = new Ping(node, parseIpv4(to), { ...PING_DEFAULTS[style], timeoutMs: 2000, intervalMs, count, identifier: 0x7000 + (count & 0xfff) }, () => {
        resolve({
          from, to, sent: p.sent,
          received: p.events.filter((e) => e.kind === 'reply').length,
          events: p.events.map((e): PingEventJson => ('from' in e ? { ...e, from: formatIpv4(e.from) } : e)),
        });
      });
    });
  });
}

function handle(daemon: IkeDaemon, req: ApiRequest): unknown {
  const { url, expect } = req;
  const [resource, name, action] = req.parts;
  switch (resource) {
    case 'sas':
      expect('GET');
      return daemon.pump.run(() => daemon.engine.view());
    case 'tunnels':
      expect('GET');
      return daemon.pump.run(() => daemon.sad.children().map((c) => ({
        ikeSa: c.config.ikeSaName, child: c.config.childName, inboundSpi: formatChildSpi(c.config.inboundSpi), outboundSpi: formatChildSpi(c.config.outboundSpi),
        udpEncapsulation: c.config.udpEncapsulation, outboundActive: c.outboundActive, superseded: c.superseded,
        inbound: c.inbound.counters, outbound: c.outbound.counters,
        /** Everything the data plane dropped for this child (all its SAs): no-sa, selector-mismatch, outer-send-failed... */
        childDrops: daemon.sad.counters(c.config.childName).drops,
      })));
    case 'connections': {
      expect('POST');
      const known = daemon.engine.peerNames();
      if (name === undefined || !known.includes(name)) throw new ApiError(404, 'NO_SUCH_CONNECTION', `no connection named '${name ?? ''}' (known: ${known.join(', ')})`);
      daemon.pump.run(() => {
        switch (action) {
          case 'initiate': daemon.engine.initiate(name); break;
          case 'terminate': daemon.engine.terminate(name); break;
          case 'rekey': {
            const child = url.searchParams.get('child');
            if (child === null) daemon.engine.rekeyIkeSa(name);
            else daemon.engine.rekeyChild(name, child);
            break;
          }
          default: throw new ApiError(404, 'NOT_FOUND', `no action '${action ?? ''}' on a connection (there are: initiate, terminate, rekey)`);
        }
      });
      return { [action!]: name };
    }
    case 'ping':
      expect('POST');
      return ping(daemon, url);
    case 'keys':
      expect('GET');
      return daemon.pump.run(() => ({
        [IKEV2_DECRYPTION_TABLE_FILE]: ikev2DecryptionTable(daemon.engine.ikeSas()),
        [ESP_SA_FILE]: espSaTable(daemon.sad.children().map((c) => c.config)),
      }));
    default:
      throw new ApiError(404, 'NOT_FOUND', `no such resource ${url.pathname} (there are: sas, tunnels, connections, ping, keys)`);
  }
}

export function startIkeApi(daemon: IkeDaemon, address: string, port: number): Promise<JsonApi> {
  return startJsonApi(address, port, (req) => handle(daemon, req));
}
