import { formatIpv4, parsePrefix } from '../net/address.js';
import { CeaseSubcode } from '../bgp/errors.js';
import type { BgpSpeaker } from '../bgp/speaker.js';
import { peerRecords, routeRecords } from '../bgp/views.js';
import { ApiError, startJsonApi, type ApiRequest, type JsonApi } from './json-api.js';

/*
 * The HTTP API of `vpnlab bgp run`: read-only views plus a session reset, JSON in and out.
 *
 *   GET  /api/v1/summary               local AS, router ID, route and peer counts
 *   GET  /api/v1/peers                 every neighbour (PeerRecord[])
 *   GET  /api/v1/peers/NAME            one neighbour, with its recent state changes
 *   GET  /api/v1/routes[?prefix=P]     the Loc-RIB, or P and its more-specifics (RouteRecord[])
 *   POST /api/v1/peers/NAME/reset      stop the session (Cease / Administrative Reset) and start again
 *
 * Errors are `{ "error": { "code", "message" } }` with 400 / 404 / 405.
 */

function handle(speaker: BgpSpeaker, req: ApiRequest): unknown {
  const { url, expect } = req;
  const [resource, name, action] = req.parts;
  const neighbor = () => {
    const n = speaker.neighbor(name!);
    if (n === undefined) throw new ApiError(404, 'NO_SUCH_PEER', `no neighbour named '${name}' (known: ${speaker.neighbors.map((x) => x.name).join(', ')})`);
    return n;
  };
  switch (resource) {
    case 'summary':
      expect('GET');
      return {
        localAsn: speaker.config.localAs, routerId: formatIpv4(speaker.config.routerId), routes: speaker.rib.size,
        peers: speaker.neighbors.length, established: speaker.neighbors.filter((n) => n.established !== undefined).length,
      };
    case 'peers': {
      if (name === undefined) {
        expect('GET');
        return peerRecords(speaker);
      }
      if (action !== undefined && action !== 'reset') throw new ApiError(404, 'NOT_FOUND', `no action '${action}' on a peer (there is: reset)`);
      expect(action === 'reset' ? 'POST' : 'GET');
      const n = neighbor();
      if (action === 'reset') {
        n.stop(CeaseSubcode.AdministrativeReset);
        n.start();
        return { reset: n.name };
      }
      return { ...peerRecords(speaker).find((p) => p.name === n.name)!, history: n.history };
    }
    case 'routes': {
      expect('GET');
      const text = url.searchParams.get('prefix');
      if (text === null) return routeRecords(speaker);
      try {
        return routeRecords(speaker, parsePrefix(text, false));
      } catch (e) {
        throw new ApiError(400, 'BAD_PREFIX', (e as Error).message);
      }
    }
    default:
      throw new ApiError(404, 'NOT_FOUND', `no such resource ${url.pathname} (there are: summary, peers, routes)`);
  }
}

export type BgpApi = JsonApi;

export function startBgpApi(speaker: BgpSpeaker, address: string, port: number): Promise<BgpApi> {
  return startJsonApi(address, port, (req) => handle(speaker, req));
}
