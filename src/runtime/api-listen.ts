import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, lstatSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import type { Server } from 'node:http';
import { createConnection } from 'node:net';
import { basename, dirname, join } from 'node:path';
import type { ApiSettings, DaemonKind } from '../config/api-schema.js';
import { VpnlabError } from '../core/errors.js';
import { TransportError } from '../transport/types.js';
import { closeServer, createApiServer, type ApiGuard, type ApiHandler } from './json-api.js';
import { ensurePrivateFolder, writePrivateFile } from './private-files.js';

/*
 * Where a daemon's control API listens: its unix socket (0600, or 0660 for a chosen group, in a
 * folder only its owner can write to) and, when configured, loopback TCP with a bearer token.
 */

const uid = (): number => process.getuid?.() ?? 0;

/**
 * The socket a daemon uses when the config names none, and the one the commands try: root's in
 * /run/vpnlab, a user's in $XDG_RUNTIME_DIR/vpnlab, or /tmp/vpnlab-UID without XDG_RUNTIME_DIR.
 */
export function defaultApiSocket(daemon: DaemonKind, env: NodeJS.ProcessEnv = process.env, userId = uid()): string {
  if (userId === 0) return `/run/vpnlab/${daemon}.sock`;
  const xdg = env.XDG_RUNTIME_DIR;
  if (xdg !== undefined && xdg.startsWith('/')) return join(xdg, 'vpnlab', `${daemon}.sock`);
  return `/tmp/vpnlab-${userId}/${daemon}.sock`;
}

/** `/run/vpnlab/bgp.sock` → `/run/vpnlab/bgp.token`. */
export function tokenPathOf(socket: string): string {
  return `${socket.replace(/\.sock$/, '')}.token`;
}

export type ApiListenErrorCode = 'ERR_API_NOT_A_SOCKET' | 'ERR_API_GROUP' | 'ERR_API_SOCKET';

export class ApiListenError extends VpnlabError {
  declare readonly code: ApiListenErrorCode;

  constructor(code: ApiListenErrorCode, message: string) {
    super(code, message);
  }
}

/** A group name or number as a gid (names through getent, so NSS groups count too). */
export function resolveGroup(group: string | number): number {
  if (typeof group === 'number') return group;
  if (/^\d+$/.test(group)) return Number(group);
  let line: string | undefined;
  try {
    line = execFileSync('getent', ['group', group], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0];
  } catch {
    line = readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.split(':')[0] === group);
  }
  const gid = Number(line?.split(':')[2]);
  if (line === undefined || !Number.isInteger(gid)) throw new ApiListenError('ERR_API_GROUP', `api.group: no group named '${group}' on this host (create it with groupadd, or give a number)`);
  return gid;
}

/** Is a daemon answering on this socket? (false: a stale file left by one that died.) */
function socketIsLive(path: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = createConnection({ path });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', (e: NodeJS.ErrnoException) => {
      probe.destroy();
      if (e.code === 'ECONNREFUSED' || e.code === 'ENOENT') resolve(false);
      else reject(e);
    });
  });
}

/** Clears the way for a new socket at `path`: nothing there, or a stale socket (removed). */
async function clearSocketPath(path: string): Promise<void> {
  let st;
  try {
    st = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (!st.isSocket()) throw new ApiListenError('ERR_API_NOT_A_SOCKET', `${path} exists and is not a socket: refusing to replace it; remove it or set api.socket to another path`);
  if (await socketIsLive(path)) throw new TransportError('ERR_ADDRESS_IN_USE', `API socket ${path}: another daemon is answering on it (stop it, or set api.socket to another path)`);
  unlinkSync(path);
}

function listenOn(server: Server, target: { path: string } | { port: number; host: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (e: NodeJS.ErrnoException) => reject(e);
    server.once('error', fail);
    server.once('listening', () => {
      server.off('error', fail);
      resolve();
    });
    if ('path' in target) {
      // bind() creates the socket file with the umask's mode: 0600 from the first instant.
      const previous = process.umask(0o177);
      try {
        server.listen(target.path);
      } finally {
        process.umask(previous);
      }
    } else {
      server.listen(target.port, target.host);
    }
  });
}

function listenError(where: string, e: NodeJS.ErrnoException): VpnlabError {
  if (e instanceof VpnlabError) return e;
  const code = e.code === 'EADDRINUSE' ? 'ERR_ADDRESS_IN_USE' : e.code === 'EACCES' || e.code === 'EPERM' ? 'ERR_PERMISSION_DENIED' : 'ERR_ADDRESS_NOT_LOCAL';
  return new TransportError(code, `API on ${where}: ${e.code ?? e.message}`);
}

export interface ApiListeners {
  readonly socket: string;
  /** `http://127.0.0.1:8179` when TCP is on. */
  readonly tcpUrl: string | undefined;
  readonly tokenFile: string | undefined;
  /** Lines for the daemon's log saying where the API is. */
  describe(): string[];
  close(): Promise<void>;
}

/**
 * Starts a daemon's API: the unix socket always, TCP when `settings.tcp` says so. Throws
 * VpnlabError (ERR_UNSAFE_FOLDER, ERR_API_NOT_A_SOCKET, ERR_API_GROUP) or TransportError
 * (ERR_ADDRESS_IN_USE, ERR_PERMISSION_DENIED) with what to do.
 */
export async function startApiListeners(daemon: DaemonKind, settings: ApiSettings, handle: ApiHandler, log: (line: string) => void): Promise<ApiListeners> {
  const socket = settings.socket ?? defaultApiSocket(daemon);
  const gid = settings.group === undefined ? undefined : resolveGroup(settings.group);
  const dir = dirname(socket);
  const servers: Server[] = [];
  let tokenFile: string | undefined;
  const closeAll = async () => {
    await Promise.all(servers.map(closeServer));
    if (tokenFile !== undefined) {
      try {
        unlinkSync(tokenFile);
      } catch {
        // Already gone.
      }
    }
  };
  try {
    const created = ensurePrivateFolder(dir, { purpose: 'the API socket\'s folder', mode: gid === undefined ? 0o700 : 0o750, ...(gid !== undefined ? { gid } : {}) });
    if (!created && gid !== undefined && (statSync(dir).mode & 0o050) !== 0o050) {
      log(`note: api.group is set but the group cannot enter ${dir}: chgrp ${settings.group} ${dir} && chmod 750 ${dir}`);
    }
    await clearSocketPath(socket);
    const unix = createApiServer(handle, { kind: 'unix' }, log);
    await listenOn(unix, { path: socket }).catch((e: NodeJS.ErrnoException) => { throw listenError(socket, e); });
    servers.push(unix);
    try {
      if (gid !== undefined) chownSync(socket, -1, gid);
      chmodSync(socket, gid === undefined ? 0o600 : 0o660);
    } catch (e) {
      throw new ApiListenError('ERR_API_GROUP', `cannot give the API socket to group ${settings.group}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (the daemon's user must be a member of it)`);
    }
    let tcpUrl: string | undefined;
    if (settings.tcp !== undefined) {
      const { address, port } = settings.tcp;
      const token = randomBytes(32).toString('hex');
      tokenFile = writePrivateFile(dir, basename(tokenPathOf(socket)), `${token}\n`, { replace: true });
      const hosts = [`${address}:${port}`, ...(address === '127.0.0.1' ? [`localhost:${port}`] : [])];
      const guard: ApiGuard = { kind: 'tcp', hosts, token };
      const tcp = createApiServer(handle, guard, log);
      await listenOn(tcp, { port, host: address }).catch((e: NodeJS.ErrnoException) => { throw listenError(`${address}:${port}`, e); });
      servers.push(tcp);
      tcpUrl = `http://${address}:${port}`;
    }
    const token = tokenFile;
    return {
      socket, tcpUrl, tokenFile: token,
      describe: () => [
        `API on unix socket ${socket} (mode ${gid === undefined ? '0600' : `0660, group ${settings.group}`})`,
        ...(tcpUrl !== undefined ? [`API on ${tcpUrl}/api/v1/ (bearer token in ${token})`] : []),
      ],
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    if (e instanceof VpnlabError) throw e;
    throw new ApiListenError('ERR_API_SOCKET', `API socket ${socket}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
