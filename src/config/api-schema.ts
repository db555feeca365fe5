import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { parseIpv4 } from '../net/address.js';
import type { IssueCollector } from './issues.js';
import { ipv4 } from './primitives.js';

/*
 * The `api` key both daemon files share. The control API is a unix socket that only its owner
 * (and a group the user names) can open, as strongSwan's vici and FRR's vtysh are; TCP only when
 * asked, on loopback, with a bearer token.
 *
 *   api:
 *     socket: /run/vpnlab/bgp.sock             # default: see defaultApiSocket (runtime/api-listen.ts)
 *     group: vpnlab                            # socket 0660 for this group (else 0600)
 *     tcp: { address: 127.0.0.1, port: 8179 }  # also over TCP, token in /run/vpnlab/bgp.token
 */

export type DaemonKind = 'bgp' | 'ike';

/** Linux's sun_path is 108 octets with the terminating NUL. */
export const MAX_SOCKET_PATH_OCTETS = 107;

const port = z.number().int().min(1).max(65535);

export function apiSchema(daemon: DaemonKind, defaultPort: number) {
  return z.union([z.literal(false), z.strictObject({
    socket: z.string().min(1).optional()
      .meta({ description: `Unix socket of the API (default /run/vpnlab/${daemon}.sock as root, else $XDG_RUNTIME_DIR/vpnlab/${daemon}.sock or /tmp/vpnlab-UID/${daemon}.sock); its folder must belong to you and be writable by nobody else` }),
    group: z.union([z.string().min(1), z.number().int().min(0)]).optional()
      .meta({ description: 'A group (name or number) whose members may use the socket too: socket 0660, a folder made for it 0750 (default: owner only, 0600)' }),
    tcp: z.strictObject({
      address: ipv4.optional().meta({ description: 'A loopback address (default 127.0.0.1)' }),
      port: port.optional().meta({ description: `Default ${defaultPort}` }),
    }).optional().meta({ description: 'Also serve the API over TCP on loopback; every request then needs the bearer token the daemon writes next to its socket (NAME.token)' }),
    address: z.unknown().optional().meta({ deprecated: true, description: 'Removed: the API is a unix socket now; see tcp' }),
    port: z.unknown().optional().meta({ deprecated: true, description: 'Removed: the API is a unix socket now; see tcp' }),
  })]).optional()
    .meta({ description: `The control API the \`vpnlab ${daemon}\` commands use: a unix socket for its owner (default); false: none` });
}

export type ApiConfig = z.infer<ReturnType<typeof apiSchema>>;

export interface ApiSettings {
  /** undefined: the default socket of the user the daemon runs as. */
  readonly socket: string | undefined;
  readonly group: string | number | undefined;
  readonly tcp: { readonly address: string; readonly port: number } | undefined;
}

export function isLoopback(address: string): boolean {
  return parseIpv4(address) >>> 24 === 127;
}

/** Checks of the `api` key: old TCP keys, relative or too long socket paths, TCP off loopback. */
export function checkApiConfig(api: ApiConfig, issues: IssueCollector, codePrefix: string, daemon: DaemonKind, defaultPort: number): void {
  if (api === undefined || api === false) return;
  for (const key of ['address', 'port'] as const) {
    if (api[key] === undefined) continue;
    const address = typeof api.address === 'string' ? api.address : '127.0.0.1';
    const tcpPort = typeof api.port === 'number' ? api.port : defaultPort;
    issues.error(`${codePrefix}_API_MOVED`, ['api', key],
      `api.${key} is gone: the API is now a unix socket only its owner can use (anyone on the host could call the old TCP API, and read and reset everything)`,
      `remove api.address and api.port to use the socket (the \`vpnlab ${daemon}\` commands find it); to keep TCP as well, write api: { tcp: { address: ${isLoopbackText(address) ? address : '127.0.0.1'}, port: ${tcpPort} } } and call it with --api http://127.0.0.1:${tcpPort} --token-file FILE (the daemon writes the token next to its socket)`);
  }
  if (api.socket !== undefined) {
    if (!isAbsolute(api.socket)) {
      issues.error(`${codePrefix}_INVALID_VALUE`, ['api', 'socket'], `'${api.socket}' is not an absolute path`, `e.g. /run/vpnlab/${daemon}.sock`);
    } else if (Buffer.byteLength(api.socket) > MAX_SOCKET_PATH_OCTETS) {
      issues.error(`${codePrefix}_INVALID_VALUE`, ['api', 'socket'], `a unix socket path is at most ${MAX_SOCKET_PATH_OCTETS} octets; this one has ${Buffer.byteLength(api.socket)}`, 'choose a shorter path');
    }
  }
  const address = api.tcp?.address;
  if (address !== undefined && !isLoopback(address)) {
    issues.error(`${codePrefix}_API_NOT_LOOPBACK`, ['api', 'tcp', 'address'],
      `the API serves ${address} only on loopback (127.0.0.0/8): on any other address the network could reach the daemon's control`,
      `use 127.0.0.1; to reach the API from another host, forward its socket over SSH: ssh -L /tmp/${daemon}.sock:SOCKET HOST, then vpnlab ${daemon} … --socket /tmp/${daemon}.sock`);
  }
}

function isLoopbackText(address: string): boolean {
  try {
    return isLoopback(address);
  } catch {
    return false;
  }
}

export function toApiSettings(api: ApiConfig, defaultPort: number): ApiSettings | undefined {
  if (api === false) return undefined;
  return {
    socket: api?.socket,
    group: api?.group,
    tcp: api?.tcp === undefined ? undefined : { address: api.tcp.address ?? '127.0.0.1', port: api.tcp.port ?? defaultPort },
  };
}
