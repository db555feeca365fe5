import { readFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:http';
import { Option } from 'commander';
import type { DaemonKind } from '../config/api-schema.js';
import { VpnlabError } from '../core/errors.js';
import { defaultApiSocket, tokenPathOf } from '../runtime/api-listen.js';

/* What the daemon commands (`bgp`, `ike`) share: calling a daemon's control API and running until a signal. */

/** How a command reaches a daemon: its unix socket (default), or TCP with the token file. */
export interface ApiTarget {
  socket?: string;
  api?: string;
  tokenFile?: string;
}

/** The `--socket`, `--api` and `--token-file` options of every command that asks a daemon. */
export function apiTargetOptions(daemon: DaemonKind): Option[] {
  const env = `VPNLAB_${daemon.toUpperCase()}_SOCKET`;
  return [
    new Option('--socket <path>', `the daemon's API socket (default: $${env}, else ${defaultApiSocket(daemon)})`),
    new Option('--api <url>', 'reach the API over TCP instead (api.tcp in the daemon\'s file), e.g. http://127.0.0.1:8179; needs --token-file'),
    new Option('--token-file <file>', 'the bearer token for --api (the daemon writes it next to its socket: NAME.token)'),
  ];
}

/** The longest an API call may take: a ping is bounded at 60 s by the daemon. */
const CALL_TIMEOUT_MS = 90_000;
/** Answers past this size are refused (the key tables of many SAs stay far below it). */
const MAX_ANSWER_OCTETS = 64 * 1024 * 1024;

function resolveTarget(daemon: DaemonKind, target: ApiTarget): { options: RequestOptions; where: string; prefix: string } {
  const tag = daemon.toUpperCase();
  if (target.api !== undefined) {
    if (target.socket !== undefined) throw new VpnlabError('ERR_USAGE', '--api and --socket are two ways to reach the daemon: give one');
    if (target.tokenFile === undefined) {
      throw new VpnlabError('ERR_USAGE', `--api needs --token-file FILE: the daemon writes its token next to its socket (e.g. ${tokenPathOf(defaultApiSocket(daemon))})`);
    }
    let url: URL;
    try {
      url = new URL(target.api);
    } catch {
      throw new VpnlabError('ERR_USAGE', `--api ${target.api}: expected a URL like http://127.0.0.1:8179`);
    }
    if (url.protocol !== 'http:') throw new VpnlabError('ERR_USAGE', `--api ${target.api}: only http:// on loopback is served`);
    let token: string;
    try {
      token = readFileSync(target.tokenFile, 'utf8').trim();
    } catch (e) {
      throw new VpnlabError(`ERR_${tag}_API_TOKEN`, `cannot read the token file ${target.tokenFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return {
      options: { host: url.hostname, port: url.port === '' ? 80 : Number(url.port), headers: { authorization: `Bearer ${token}` } },
      where: url.origin, prefix: url.pathname.replace(/\/+$/, ''),
    };
  }
  const socket = target.socket ?? process.env[`VPNLAB_${tag}_SOCKET`] ?? defaultApiSocket(daemon);
  return { options: { socketPath: socket }, where: socket, prefix: '' };
}

/** Calls a daemon's API; connection failures and API errors become one clear VpnlabError. */
export async function callApi<T>(daemon: DaemonKind, target: ApiTarget, path: string, method = 'GET'): Promise<T> {
  const tag = daemon.toUpperCase();
  const { options, where, prefix } = resolveTarget(daemon, target);
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request({ ...options, method, path: `${prefix}/api/v1/${path}`, timeout: CALL_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_ANSWER_OCTETS) req.destroy(new VpnlabError(`ERR_${tag}_API_BAD_ANSWER`, `the answer from ${where} is over ${MAX_ANSWER_OCTETS} octets`));
        else chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new VpnlabError(`ERR_${tag}_API_TIMEOUT`, `no answer from ${where} within ${CALL_TIMEOUT_MS / 1000} s`)));
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e instanceof VpnlabError) return reject(e);
      const how = target.api === undefined ? `the ${tag} daemon's socket ${where}` : `the ${tag} daemon's API at ${where}`;
      if (e.code === 'EACCES') {
        return reject(new VpnlabError(`ERR_${tag}_API_PERMISSION`, `permission denied on ${how}: only the daemon's user (and its api.group) may use it; run as that user or join the group`));
      }
      reject(new VpnlabError(`ERR_${tag}_API_UNREACHABLE`, `cannot reach ${how} (${e.code ?? e.message}): is \`vpnlab ${daemon} run\` running as this user, with the API on? (--socket PATH for another socket)`));
    });
    req.end();
  });
  let body: (T & { error?: { code?: string; message?: string } }) | null;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new VpnlabError(`ERR_${tag}_API_BAD_ANSWER`, `${where} answered HTTP ${status} with something that is not JSON`);
  }
  if (status < 200 || status > 299) throw new VpnlabError(`ERR_${tag}_API_${body?.error?.code ?? status}`, body?.error?.message ?? `HTTP ${status}`);
  return body as T;
}

/** Resolves after SIGINT or SIGTERM, once `stop` has finished. */
export function runUntilSignal(log: (line: string) => void, what: string, stop: () => Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    const finish = (signal: string) => {
      log(`${signal}: stopping (${what})`);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      void stop().then(resolve);
    };
    const onInt = () => finish('SIGINT');
    const onTerm = () => finish('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}

export function timestamped(out: (text: string) => void): (line: string) => void {
  return (line) => out(`${new Date().toISOString()} ${line}\n`);
}
