import { z } from 'zod';
import { parseDocument, readDocumentFile, type ParsedDocument } from '../../config/document.js';
import { apiSchema, checkApiConfig, toApiSettings, type ApiSettings } from '../../config/api-schema.js';
import type { IssueCollector } from '../../config/issues.js';
import { asn, ipv4, name, prefix } from '../../config/primitives.js';
import { parseIpv4, parsePrefix } from '../../net/address.js';
import type { NeighborConfig } from '../neighbor.js';
import { ACCEPT_ALL, type Policy } from '../policy/types.js';
import { DEFAULT_HOLD_TIME, type SpeakerConfig } from '../speaker.js';
import { policySchema, toPolicy } from './policy-schema.js';

/*
 * The config file of `vpnlab bgp run`: one BGP speaker on real sockets, next to a real router.
 *
 *   localAsn: 65023
 *   routerId: 192.168.37.1
 *   listen: { address: 192.168.37.1, port: 179 }
 *   neighbors:
 *     - { name: AzureS2S, address: 10.3.1.254, asn: 65010, importPolicy: accept-all, exportPolicy: accept-all }
 */

const port = z.number().int().min(1).max(65535);
const BUILTIN_POLICIES = ['accept-all', 'reject-all'] as const;
const REJECT_ALL: Policy = Object.freeze({ name: 'reject-all', statements: [], default: 'reject' }) as Policy;

const policyRef = z.string().meta({ description: 'Name of a policy under `policies`, or accept-all / reject-all', examples: ['accept-all'] });

const neighborSchema = z.strictObject({
  name: name.optional().meta({ description: 'Name shown in views and logs (default: the address)' }),
  address: ipv4,
  asn,
  port: port.optional().meta({ description: 'Peer TCP port (default 179)' }),
  localAddress: ipv4.optional().meta({ description: 'Our source address for this session' }),
  mode: z.enum(['mixed', 'passive', 'active']).optional()
    .meta({ description: 'mixed (default): connect and accept, as RRAS OperationMode Mixed; passive: only accept (RRAS Server); active: only connect' }),
  holdTime: z.union([z.literal(0), z.number().int().min(3).max(65535)]).optional().meta({ description: 'Seconds (default: the global holdTime)' }),
  keepaliveTime: z.number().int().min(1).max(21845).optional().meta({ description: 'Seconds (default: a third of the negotiated hold time)' }),
  connectRetryTime: z.number().int().min(1).max(65535).optional().meta({ description: 'Seconds (default 120)' }),
  importPolicy: policyRef.optional(),
  exportPolicy: policyRef.optional(),
  maxPrefix: z.strictObject({
    limit: z.number().int().min(1),
    action: z.enum(['warn', 'teardown', 'block']).optional().meta({ description: 'teardown (default, as Azure at 4,000) sends CEASE; warn logs; block keeps the session and ignores further prefixes' }),
    restartAfter: z.number().int().min(1).optional().meta({ description: 'After a teardown, reconnect after this many seconds (default: stay down until restarted)' }),
  }).optional(),
  weight: z.number().int().min(0).max(65535).optional().meta({ description: 'Local weight of routes from this neighbour (RRAS/Cisco weight; Azure PeerWeight)' }),
  md5Password: z.string().optional().meta({ description: 'TCP MD5 signature (RFC 2385): not available on this runtime; a config that sets it is refused' }),
}).meta({ description: 'A BGP neighbour' });

export const bgpDaemonSchema = z.strictObject({
  localAsn: asn,
  routerId: ipv4.meta({ description: 'BGP identifier' }),
  listen: z.union([z.literal(false), z.strictObject({ address: ipv4.optional(), port: port.optional() })]).optional()
    .meta({ description: 'Where to accept BGP connections (default 0.0.0.0:179); false: never listen' }),
  api: apiSchema('bgp', 8179),
  holdTime: z.union([z.literal(0), z.number().int().min(3).max(65535)]).optional().meta({ description: 'Seconds (default 90)' }),
  ebgpRequiresPolicy: z.boolean().optional().meta({ description: 'RFC 8212: eBGP neighbours without import/export policy exchange nothing (default true)' }),
  networks: z.array(prefix).optional().meta({ description: 'Prefixes this speaker originates' }),
  policies: z.array(policySchema).optional(),
  neighbors: z.array(neighborSchema).min(1),
}).meta({ title: 'vpnlab bgp run configuration', description: 'One BGP speaker on real sockets' });

export type BgpDaemonConfig = z.infer<typeof bgpDaemonSchema>;

export function bgpDaemonJsonSchema(): unknown {
  return z.toJSONSchema(bgpDaemonSchema, { target: 'draft-2020-12', unrepresentable: 'any' });
}

export interface DaemonSettings {
  speaker: SpeakerConfig;
  /** undefined: no control API. */
  api: ApiSettings | undefined;
}

/** The API's TCP port when `api.tcp` gives none. */
export const DEFAULT_API_PORT = 8179;

function checkDaemonConfig(config: BgpDaemonConfig, issues: IssueCollector): void {
  const policyNames = new Set<string>(BUILTIN_POLICIES);
  (config.policies ?? []).forEach((p, i) => {
    if (policyNames.has(p.name)) issues.error('BGPCONF_DUPLICATE_NAME', ['policies', i, 'name'], `policy '${p.name}' is defined twice (or shadows a built-in)`);
    policyNames.add(p.name);
  });
  const names = new Map<string, number>();
  const addresses = new Map<string, number>();
  config.neighbors.forEach((n, i) => {
    const shown = n.name ?? n.address;
    if (names.has(shown)) issues.error('BGPCONF_DUPLICATE_NAME', ['neighbors', i, n.name !== undefined ? 'name' : 'address'], `neighbour name '${shown}' is used by neighbors[${names.get(shown)}] too`);
    names.set(shown, i);
    if (addresses.has(n.address)) issues.error('BGPCONF_DUPLICATE_ADDRESS', ['neighbors', i, 'address'], `${n.address} is already neighbors[${addresses.get(n.address)}]: one session per address`);
    addresses.set(n.address, i);
    for (const field of ['importPolicy', 'exportPolicy'] as const) {
      const ref = n[field];
      if (ref !== undefined && !policyNames.has(ref)) {
        issues.error('BGPCONF_UNKNOWN_POLICY', ['neighbors', i, field], `no policy named '${ref}'`, `defined: ${[...policyNames].join(', ')}`);
      }
    }
    if (n.md5Password !== undefined) {
      issues.error('BGPCONF_UNSUPPORTED', ['neighbors', i, 'md5Password'], 'TCP MD5 signatures are not available: Node.js sockets cannot set TCP_MD5SIG',
        'remove md5Password here and on the peer, or protect the session another way (e.g. run it inside an IPsec tunnel)');
    }
    if (n.mode === 'passive' && config.listen === false) {
      issues.error('BGPCONF_CONFLICT', ['neighbors', i, 'mode'], 'a passive neighbour needs the speaker to listen, but listen is false');
    }
    const holdTime = n.holdTime ?? config.holdTime ?? DEFAULT_HOLD_TIME;
    if (n.keepaliveTime !== undefined && holdTime !== 0 && n.keepaliveTime >= holdTime) {
      issues.error('BGPCONF_CONFLICT', ['neighbors', i, 'keepaliveTime'], `keepaliveTime ${n.keepaliveTime} must be less than the hold time ${holdTime}`);
    }
  });
  checkApiConfig(config.api, issues, 'BGPCONF', 'bgp', DEFAULT_API_PORT);
  const tcp = toApiSettings(config.api, DEFAULT_API_PORT)?.tcp;
  if (tcp !== undefined && config.listen !== false && tcp.port === (config.listen?.port ?? 179)) {
    const bgpAddress = config.listen?.address ?? '0.0.0.0';
    if (bgpAddress === '0.0.0.0' || bgpAddress === tcp.address) issues.error('BGPCONF_CONFLICT', ['api', 'tcp', 'port'], `the API and BGP both want ${tcp.address}:${tcp.port}`);
  }
}

const DAEMON_DOCUMENT = { schema: bgpDaemonSchema, jsonSchema: bgpDaemonJsonSchema, codePrefix: 'BGPCONF', check: checkDaemonConfig };

export function parseBgpDaemonConfig(text: string, file = '<input>'): ParsedDocument<BgpDaemonConfig> {
  return parseDocument(text, file, DAEMON_DOCUMENT);
}

export function loadBgpDaemonConfig(file: string): ParsedDocument<BgpDaemonConfig> {
  return parseBgpDaemonConfig(readDocumentFile(file, 'BGPCONF'), file);
}

/** The checked file as the speaker's configuration. */
export function toDaemonSettings(config: BgpDaemonConfig): DaemonSettings {
  const policies = new Map<string, Policy>([['accept-all', ACCEPT_ALL], ['reject-all', REJECT_ALL]]);
  for (const p of config.policies ?? []) policies.set(p.name, toPolicy(p));
  const neighbors = config.neighbors.map((n): NeighborConfig => {
    const out: NeighborConfig = { address: parseIpv4(n.address), asn: n.asn };
    if (n.name !== undefined) out.name = n.name;
    if (n.port !== undefined) out.port = n.port;
    if (n.localAddress !== undefined) out.localAddress = parseIpv4(n.localAddress);
    if (n.mode === 'passive') out.passive = true;
    if (n.mode === 'active') out.acceptIncoming = false;
    if (n.holdTime !== undefined) out.holdTime = n.holdTime;
    if (n.keepaliveTime !== undefined) out.keepaliveTime = n.keepaliveTime;
    if (n.connectRetryTime !== undefined) out.connectRetryTime = n.connectRetryTime;
    if (n.importPolicy !== undefined) out.importPolicy = policies.get(n.importPolicy)!;
    if (n.exportPolicy !== undefined) out.exportPolicy = policies.get(n.exportPolicy)!;
    if (n.maxPrefix !== undefined) {
      out.maxPrefix = { limit: n.maxPrefix.limit, action: n.maxPrefix.action ?? 'teardown' };
      if (n.maxPrefix.restartAfter !== undefined) out.maxPrefix.restartAfterMs = n.maxPrefix.restartAfter * 1000;
    }
    if (n.weight !== undefined) out.weight = n.weight;
    return out;
  });
  const speaker: SpeakerConfig = { localAs: config.localAsn, routerId: parseIpv4(config.routerId), neighbors };
  if (config.listen === false) speaker.listen = false;
  else if (config.listen !== undefined) {
    speaker.listen = {};
    if (config.listen.address !== undefined) speaker.listen.address = parseIpv4(config.listen.address);
    if (config.listen.port !== undefined) speaker.listen.port = config.listen.port;
  }
  if (config.holdTime !== undefined) speaker.holdTime = config.holdTime;
  if (config.ebgpRequiresPolicy !== undefined) speaker.ebgpRequiresPolicy = config.ebgpRequiresPolicy;
  if (config.networks !== undefined) speaker.networks = config.networks.map((p) => parsePrefix(p));
  return { speaker, api: toApiSettings(config.api, DEFAULT_API_PORT) };
}
