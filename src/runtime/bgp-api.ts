import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatIpv4, parsePrefix } from '../net/address.js';
import { CeaseSubcode } from '../bgp/errors.js';
import type { BgpSpeaker } from '../bgp/speaker.js';
import { peerRecords, routeRecords } from '../bgp/views.js';

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

export const API_PREFIX = '/api/v1';

class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function handle(speaker: BgpSpeaker, req: IncomingMessage): unknown {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const parts = url.pathname.replace(/\/+$/, '').split('/').filter((p) => p !== '');
  if (`/${parts.slice(0, 2).join('/')}` !== API_PREFIX) throw new ApiError(404, 'NOT_FOUND', `no such resource ${url.pathname}: the API lives under ${API_PREFIX}/`);
  const [resource, name, action] = parts.slice(2).map(decodeURIComponent);
  const method = req.method ?? 'GET';
  const expect = (m: string) => {
    if (method !== m) throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed here; use ${m}`);
  };
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

export interface BgpApi {
  readonly server: Server;
  /** `http://address:port` once listening. */
  url(): string;
  close(): Promise<void>;
}

export function startBgpApi(speaker: BgpSpeaker, address: string, port: number): Promise<BgpApi> {
  const server = createServer((req, res) => {
    try {
      send(res, 200, handle(speaker, req));
    } catch (e) {
      if (e instanceof ApiError) send(res, e.status, { error: { code: e.code, message: e.message } });
      else send(res, 500, { error: { code: 'INTERNAL', message: (e as Error).message } });
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      const info = server.address() as AddressInfo;
      resolve({
        server,
        url: () => `http://${info.address}:${info.port}`,
        close: () => new Promise((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}
