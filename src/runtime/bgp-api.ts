import { formatIpv4, parsePrefix } from '../net/address.js';
import { CeaseSubcode } from '../bgp/errors.js';
import type { BgpSpeaker } from '../bgp/speaker.js';
import { peerRecords, routeRecords, transitionRecords } from '../bgp/views.js';
import type { ApiSettings } from '../config/api-schema.js';
import { startApiListeners, type ApiListeners } from './api-listen.js';
import { ApiError, shown, type ApiRequest } from './json-api.js';

/*
 * The control API of `vpnlab bgp run` (unix socket, optionally loopback TCP with a token; see
 * api-listen.ts): read-only views plus a session reset, JSON in and out.
 *
 *   GET  /api/v1/summary               local AS, router ID, route and peer counts
 *   GET  /api/v1/peers                 every neighbour (PeerRecord[])
 *   GET  /api/v1/peers/NAME            one neighbour, with its recent state changes (TransitionRecord[])
 *   GET  /api/v1/routes[?prefix=P]     the Loc-RIB, or P and its more-specifics (RouteRecord[])
 *   POST /api/v1/peers/NAME/reset      stop the session (Cease / Administrative Reset) and start again
 *
 * Errors are `{ "error": { "code", "message" } }` with 400 / 401 / 403 / 404 / 405 / 421.
 */

function handle(speaker: BgpSpeaker, req: ApiRequest): unknown {
  const { url, expect } = req;
  const [resource, name, action] = req.parts;
  const neighbor = () => {
    const n = speaker.neighbor(name!);
    if (n === undefined) throw new ApiError(404, 'NO_SUCH_PEER', `no neighbour named '${shown(name!)}' (known: ${speaker.neighbors.map((x) => x.name).join(', ')})`);
    return n;
  };
  switch (resource) {
    case 'summary':
      expect('GET');
      req.params([]);
      if (name !== undefined) throw new ApiError(404, 'NOT_FOUND', `no such resource ${url.pathname}`);
      return {
        localAsn: speaker.config.localAs, routerId: formatIpv4(speaker.config.routerId), routes: speaker.rib.size,
        peers: speaker.neighbors.length, established: speaker.neighbors.filter((n) => n.established !== undefined).length,
      };
    case 'peers': {
      if (name === undefined) {
        expect('GET');
        req.params([]);
        return peerRecords(speaker);
      }
      if ((action !== undefined && action !== 'reset') || req.parts.length > 3) throw new ApiError(404, 'NOT_FOUND', `no such resource ${url.pathname} (a peer has: reset)`);
      expect(action === 'reset' ? 'POST' : 'GET');
      req.params([]);
      const n = neighbor();
      if (action === 'reset') {
        n.stop(CeaseSubcode.AdministrativeReset);
        n.start();
        return { reset: n.name };
      }
      return { ...peerRecords(speaker).find((p) => p.name === n.name)!, history: transitionRecords(n) };
    }
    case 'routes': {
      expect('GET');
      if (name !== undefined) throw new ApiError(404, 'NOT_FOUND', `no such resource ${url.pathname} (use routes?prefix=P)`);
      const text = req.params(['prefix']).get('prefix');
      if (text === undefined) return routeRecords(speaker);
      let prefix;
      try {
        prefix = parsePrefix(text, false);
      } catch {
        throw new ApiError(400, 'BAD_PARAMETER', `prefix=${shown(text)}: expected an IPv4 prefix like 10.5.0.0/16`);
      }
      return routeRecords(speaker, prefix);
    }
    default:
      throw new ApiError(404, 'NOT_FOUND', `no such resource ${shown(url.pathname)} (there are: summary, peers, routes)`);
  }
}

export type BgpApi = ApiListeners;

export function startBgpApi(speaker: BgpSpeaker, settings: ApiSettings, log: (line: string) => void): Promise<BgpApi> {
  return startApiListeners('bgp', settings, (req) => handle(speaker, req), log);
}
