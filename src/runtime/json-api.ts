import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { boundText } from '../config/display.js';

/*
 * The small JSON-over-HTTP server the daemons' APIs share: routing under /api/v1, strict query
 * parameters, typed errors as `{ "error": { "code", "message" } }` with their status, the checks
 * that keep browsers and other users out (Origin, Host, bearer token), and bounds on everything a
 * client controls: header and body sizes, idle and slow connections, connection count.
 */

export const API_PREFIX = '/api/v1';

/** Untrusted text as a message quotes it: cut to 64 characters, control characters escaped. */
export const shown = (text: string): string => boundText(text, 64);

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** Limits of one API listener. */
export const API_LIMITS = {
  /** Node's default is 16 KiB; no request here needs more than a line. */
  maxHeaderOctets: 8 * 1024,
  /** No endpoint takes a body; a small one is read and ignored, a larger one refused. */
  maxBodyOctets: 4 * 1024,
  maxConnections: 32,
  headersTimeoutMs: 5_000,
  /** The whole request (not the answer, which a ping may take a minute to give). */
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxRequestsPerSocket: 1_000,
} as const;

/** A request split into its resource path under /api/v1, with method and parameter checks. */
export interface ApiRequest {
  readonly url: URL;
  readonly method: string;
  /** The path segments after /api/v1, decoded. */
  readonly parts: string[];
  /** Throws 405 unless the request uses `method`. */
  expect(method: string): void;
  /**
   * The query parameters, each at most once: throws 400 UNKNOWN_PARAMETER for a name not in
   * `allowed`, BAD_PARAMETER for one given twice. Every endpoint calls it, with [] if it has none.
   */
  params(allowed: readonly string[]): Map<string, string>;
}

export function apiRequest(req: IncomingMessage): ApiRequest {
  let url: URL;
  let segments: string[];
  let parts: string[];
  try {
    url = new URL(req.url ?? '/', 'http://localhost');
    segments = url.pathname.replace(/\/+$/, '').split('/').filter((p) => p !== '');
    parts = segments.slice(2).map(decodeURIComponent);
  } catch {
    throw new ApiError(400, 'BAD_PATH', 'the request path is not a valid URL path (bad percent-encoding?)');
  }
  if (`/${segments.slice(0, 2).join('/')}` !== API_PREFIX) throw new ApiError(404, 'NOT_FOUND', `no such resource ${url.pathname}: the API lives under ${API_PREFIX}/`);
  const method = req.method ?? 'GET';
  return {
    url, method, parts,
    expect(m) {
      if (method !== m) throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed here; use ${m}`);
    },
    params(allowed) {
      const out = new Map<string, string>();
      for (const [name, value] of url.searchParams) {
        if (!allowed.includes(name)) {
          throw new ApiError(400, 'UNKNOWN_PARAMETER', `unknown parameter '${shown(name)}' for ${url.pathname}${allowed.length > 0 ? ` (allowed: ${allowed.join(', ')})` : ' (it takes none)'}`);
        }
        if (out.has(name)) throw new ApiError(400, 'BAD_PARAMETER', `parameter '${name}' is given more than once`);
        out.set(name, value);
      }
      return out;
    },
  };
}

/**
 * A whole number parameter in [min, max] (default `fallback` when absent). Only decimal digits are
 * accepted: no sign, exponent, fraction or hex, so `abc`, `1e12` and `0x10` are all refused.
 */
export function integerParam(params: Map<string, string>, name: string, range: { min: number; max: number; fallback: number; unit?: string }): number {
  const text = params.get(name);
  if (text === undefined) return range.fallback;
  const unit = range.unit !== undefined ? ` ${range.unit}` : '';
  const value = /^\d{1,10}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
    throw new ApiError(400, 'BAD_PARAMETER', `${name}=${shown(text)}: expected a whole number from ${range.min} to ${range.max}${unit}`);
  }
  return value;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

/** Who may call a listener: the unix socket trusts its file permissions; TCP wants Host and token. */
export type ApiGuard =
  | { readonly kind: 'unix' }
  | { readonly kind: 'tcp'; readonly hosts: readonly string[]; readonly token: string };

/** Throws the refusal a request earns from `guard`, if any. */
export function checkGuard(req: IncomingMessage, guard: ApiGuard): void {
  // No browser may call the API: a page's fetch always carries Origin, and body-less POSTs need no
  // CORS preflight, so Origin is refused outright on every listener.
  if (req.headers.origin !== undefined) throw new ApiError(403, 'ORIGIN_REFUSED', 'requests from a web page (with an Origin header) are refused: the API is for the vpnlab commands');
  if (guard.kind === 'unix') return;
  const host = req.headers.host;
  if (host === undefined || !guard.hosts.includes(host.toLowerCase())) {
    // DNS rebinding: a name the attacker controls, resolving to 127.0.0.1, arrives with its own Host.
    throw new ApiError(421, 'HOST_REFUSED', `Host '${shown(host ?? '')}' is not this API's (${guard.hosts.join(' or ')})`);
  }
  const auth = req.headers.authorization ?? '';
  const match = /^Bearer ([0-9a-fA-F]{1,256})$/.exec(auth);
  const given = Buffer.from(match?.[1]?.toLowerCase() ?? '');
  const wanted = Buffer.from(guard.token);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    throw new ApiError(401, 'UNAUTHORIZED', auth === '' ? 'the API over TCP needs Authorization: Bearer TOKEN (the token file is next to the daemon\'s socket)' : 'wrong token');
  }
}

/** Reads and drops a request body up to the limit; rejects with 413 past it. */
function drainBody(req: IncomingMessage): Promise<void> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (!(declared <= API_LIMITS.maxBodyOctets)) return Promise.reject(new ApiError(413, 'BODY_TOO_LARGE', `request bodies are limited to ${API_LIMITS.maxBodyOctets} octets (no endpoint takes one)`));
  if (declared === 0 && req.headers['transfer-encoding'] === undefined) return Promise.resolve();
  return new Promise((resolve, reject) => {
    let seen = 0;
    req.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > API_LIMITS.maxBodyOctets) {
        req.removeAllListeners('data');
        reject(new ApiError(413, 'BODY_TOO_LARGE', `request bodies are limited to ${API_LIMITS.maxBodyOctets} octets (no endpoint takes one)`));
      }
    });
    req.on('end', () => resolve());
    req.on('error', reject);
  });
}

export type ApiHandler = (req: ApiRequest) => unknown;

/** Answers of a client error Node found before a request existed (too large, malformed, too slow). */
function onClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || (err.code === 'ECONNRESET')) {
    socket.destroy();
    return;
  }
  const [status, code, reason] = err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'HEADERS_TOO_LARGE', `request headers are limited to ${API_LIMITS.maxHeaderOctets} octets`]
    : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'REQUEST_TIMEOUT', `the request did not arrive in time (headers within ${API_LIMITS.headersTimeoutMs / 1000} s, all of it within ${API_LIMITS.requestTimeoutMs / 1000} s)`]
      : [400, 'BAD_REQUEST', `malformed HTTP request (${err.code})`];
  const text = `${JSON.stringify(errorBody(code, reason))}\n`;
  // end() alone would leave the connection half-open for as long as the client likes.
  socket.end(`HTTP/1.1 ${status} ${code}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`, () => socket.destroy());
}

/**
 * An HTTP server for one listener: every request passes `guard`, has its body bounded, then gets
 * what `handle` returns as JSON (or its ApiError). Other errors are logged and answered 500
 * INTERNAL without their text.
 */
export function createApiServer(handle: ApiHandler, guard: ApiGuard, log: (line: string) => void): Server {
  const server = createServer({
    maxHeaderSize: API_LIMITS.maxHeaderOctets,
    requestTimeout: API_LIMITS.requestTimeoutMs,
    headersTimeout: API_LIMITS.headersTimeoutMs,
    keepAliveTimeout: API_LIMITS.keepAliveTimeoutMs,
    connectionsCheckingInterval: 1_000,
  }, (req, res) => {
    Promise.resolve()
      .then(() => checkGuard(req, guard))
      .then(() => drainBody(req))
      .then(() => handle(apiRequest(req)))
      .then((body) => send(res, 200, body), (e: unknown) => {
        if (res.headersSent) return;
        if (e instanceof ApiError) {
          const headers: Record<string, string> = e.status === 401 ? { 'www-authenticate': 'Bearer realm="vpnlab"' } : {};
          if (e.status === 413) headers.connection = 'close';
          send(res, e.status, errorBody(e.code, e.message), headers);
          return;
        }
        log(`API: ${req.method ?? '?'} ${shown(req.url ?? '')} failed: ${(e as Error).message}`);
        send(res, 500, errorBody('INTERNAL', 'internal error (see the daemon\'s log)'));
      });
  });
  server.maxConnections = API_LIMITS.maxConnections;
  server.maxRequestsPerSocket = API_LIMITS.maxRequestsPerSocket;
  server.on('clientError', onClientError);
  return server;
}

/** Closes a server and every connection it holds. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((done) => {
    server.closeAllConnections();
    server.close(() => done());
  });
}
