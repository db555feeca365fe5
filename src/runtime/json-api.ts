import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * The small JSON-over-HTTP server the daemons' APIs share: routing under /api/v1, typed errors
 * as `{ "error": { "code", "message" } }` with their status, and a clean close.
 */

export const API_PREFIX = '/api/v1';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** A request split into its resource path under /api/v1, with a method check. */
export interface ApiRequest {
  readonly url: URL;
  readonly method: string;
  /** The path segments after /api/v1, decoded. */
  readonly parts: string[];
  /** Throws 405 unless the request uses `method`. */
  expect(method: string): void;
}

export function apiRequest(req: IncomingMessage): ApiRequest {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const segments = url.pathname.replace(/\/+$/, '').split('/').filter((p) => p !== '');
  if (`/${segments.slice(0, 2).join('/')}` !== API_PREFIX) throw new ApiError(404, 'NOT_FOUND', `no such resource ${url.pathname}: the API lives under ${API_PREFIX}/`);
  const method = req.method ?? 'GET';
  return {
    url, method, parts: segments.slice(2).map(decodeURIComponent),
    expect(m) {
      if (method !== m) throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed here; use ${m}`);
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export interface JsonApi {
  readonly server: Server;
  /** `http://address:port` once listening. */
  url(): string;
  close(): Promise<void>;
}

/** Listens on address:port; each request's answer is what `handle` returns (or throws, as ApiError). */
export function startJsonApi(address: string, port: number, handle: (req: ApiRequest) => unknown): Promise<JsonApi> {
  const server = createServer((req, res) => {
    Promise.resolve().then(() => handle(apiRequest(req))).then((body) => send(res, 200, body), (e: unknown) => {
      if (e instanceof ApiError) send(res, e.status, { error: { code: e.code, message: e.message } });
      else send(res, 500, { error: { code: 'INTERNAL', message: (e as Error).message } });
    });
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
