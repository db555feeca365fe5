import { z } from 'zod';
import { parseDocument, readDocumentFile, type ParsedDocument } from '../../config/document.js';
import { apiSchema, checkApiConfig, toApiSettings, type ApiSettings } from '../../config/api-schema.js';
import type { IssueCollector } from '../../config/issues.js';
import { interfaceAddress, ipv4, name, prefix } from '../../config/primitives.js';
import { isDhGroupSupported } from '../../crypto/dh.js';
import { DhGroup, TransformType, transformName } from '../../crypto/iana.js';
import { broadcastOf, formatPrefix, parseInterfaceAddress, parseIpv4, parsePrefix, prefixContains, type Ipv4Address, type Prefix } from '../../net/address.js';
import type { ChildConfig, PeerConfig, TunnelSpec } from '../config.js';
import { parseIdentity } from '../payloads/id.js';
import { selectorFromPrefix } from '../payloads/ts.js';
import { parseProposal, parseProposals, type ProposalProtocol } from '../proposal.js';

/*
 * The config file of `vpnlab ike run`: one IKEv2 gateway on real UDP sockets (500 and 4500),
 * with the emulated LAN behind it that its tunnels lead to. Names follow swanctl.conf where it
 * has one, so a strongSwan peer's config reads across.
 *
 *   address: 192.168.251.2
 *   lan: { gateway: 10.12.0.1/24, hosts: [{ name: vm1, address: 10.12.0.10 }] }
 *   connections:
 *     - name: to-swan
 *       remote: 192.168.251.1
 *       psk: "a long shared secret"
 *       proposals: [aes256-sha256-modp2048]
 *       children:
 *         - { name: net, localTs: [10.12.0.0/24], remoteTs: [10.11.0.0/24], espProposals: [aes256gcm16] }
 */

const seconds = z.number().int().min(0);

function proposalList(protocol: ProposalProtocol) {
  return z.array(z.string().superRefine((text, ctx) => {
    try {
      parseProposal(text, protocol);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
    }
  })).min(1).meta({ description: `${protocol === 'ike' ? 'IKE' : 'ESP'} proposals in preference order, strongSwan syntax`, examples: [protocol === 'ike' ? ['aes256-sha256-modp2048'] : ['aes256gcm16']] });
}

const identity = z.string().min(1).superRefine((text, ctx) => {
  if (text === '%any') return;
  try {
    parseIdentity(text);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
  }
}).meta({ description: 'An IPv4 address, a name (FQDN, or @name), user@domain, or keyid:hex; %any accepts any', examples: ['192.168.251.1', '@gw.example.net'] });

const childSchema = z.strictObject({
  name,
  localTs: z.array(prefix).min(1).meta({ description: 'Our side of the traffic selectors (0.0.0.0/0 for a route-based tunnel)' }),
  remoteTs: z.array(prefix).min(1).meta({ description: 'The peer\'s side' }),
  espProposals: proposalList('esp'),
  rekeyTime: seconds.optional().meta({ description: 'Rekey after this many seconds (default 3600; Azure uses 27000)' }),
  lifeTime: seconds.optional().meta({ description: 'Hard lifetime in seconds (default: rekeyTime + 10%)' }),
  rekeyBytes: z.number().int().min(0).optional().meta({ description: 'Rekey after this many bytes in either direction (0: never)' }),
  replayWindow: z.number().int().min(1).max(65536).optional().meta({ description: 'Anti-replay window in packets (default 64)' }),
  start: z.enum(['start', 'trap', 'none']).optional().meta({ description: 'start (default): bring up at once; trap: on the first packet that needs it; none: only when the peer asks' }),
  tunnel: z.enum(['route', 'policy']).optional().meta({ description: 'route (default): a tunnel interface the LAN routes remoteTs into; policy: packets matching the selectors are encrypted' }),
}).meta({ description: 'A CHILD_SA (swanctl children section)' });

const connectionSchema = z.strictObject({
  name,
  remote: z.union([ipv4, z.literal('%any')]).meta({ description: 'The peer\'s address (%any: answer any peer, never initiate)' }),
  localId: identity.optional().meta({ description: 'Our identity (default: our address)' }),
  remoteId: identity.optional().meta({ description: 'The identity the peer must prove (default: its address; %any: whatever it sends)' }),
  psk: z.string().min(1).meta({ description: 'The pre-shared key (UTF-8)' }),
  proposals: proposalList('ike'),
  rekeyTime: seconds.optional().meta({ description: 'IKE SA rekey after this many seconds (default 14400; Azure uses 28800; 0: never)' }),
  dpdDelay: seconds.optional().meta({ description: 'Liveness check after this many quiet seconds (default 30; 0: off)' }),
  dpdAction: z.enum(['clear', 'restart']).optional().meta({ description: 'When the peer is found dead: clear (default) or restart' }),
  encap: z.boolean().optional().meta({ description: 'ESP in UDP 4500 even without a NAT (strongSwan encap = yes). Default and only choice here: this runtime cannot send raw ESP (IP protocol 50), so false is refused' }),
  mode: z.enum(['initiate', 'respond']).optional().meta({ description: 'initiate (default): start children marked start; respond: only answer (Azure ResponderOnly)' }),
  retransmit: z.strictObject({
    timeout: z.number().positive().optional().meta({ description: 'First retransmit after this many seconds (default 4)' }),
    base: z.number().min(1).optional().meta({ description: 'Backoff factor (default 1.8)' }),
    tries: z.number().int().min(0).optional().meta({ description: 'Retransmits before giving up (default 5)' }),
  }).optional(),
  children: z.array(childSchema).min(1),
}).meta({ description: 'An IKE connection to one peer' });

const lanSchema = z.strictObject({
  gateway: interfaceAddress.meta({ description: 'The gateway\'s LAN address with its prefix (10.12.0.1/24)' }),
  hosts: z.array(z.strictObject({
    name,
    address: ipv4,
    os: z.enum(['linux', 'windows']).optional().meta({ description: 'Sets the initial TTL and ping style (default linux)' }),
  })).optional(),
}).meta({ description: 'The emulated network behind the gateway: its hosts answer ping and can ping through the tunnels' });

export const ikeDaemonSchema = z.strictObject({
  address: ipv4.meta({ description: 'Our public address: IKE listens on UDP 500 and 4500 here' }),
  api: apiSchema('ike', 8180),
  lan: lanSchema,
  connections: z.array(connectionSchema).min(1),
}).meta({ title: 'vpnlab ike run configuration', description: 'One IKEv2 gateway on real sockets, with an emulated LAN behind it' });

export type IkeDaemonConfig = z.infer<typeof ikeDaemonSchema>;

export function ikeDaemonJsonSchema(): unknown {
  return z.toJSONSchema(ikeDaemonSchema, { target: 'draft-2020-12', unrepresentable: 'any' });
}

/** The API's TCP port when `api.tcp` gives none. */
export const DEFAULT_IKE_API_PORT = 8180;
export const DEFAULT_CHILD_REKEY_SECONDS = 3600;
export const DEFAULT_IKE_REKEY_SECONDS = 14_400;

export interface LanHost {
  readonly name: string;
  readonly address: Ipv4Address;
  readonly os: 'linux' | 'windows';
}

export interface IkeDaemonSettings {
  readonly address: Ipv4Address;
  /** undefined: no control API. */
  readonly api: ApiSettings | undefined;
  readonly peers: PeerConfig[];
  readonly tunnels: TunnelSpec[];
  readonly lan: { readonly gateway: { address: Ipv4Address; prefix: Prefix }; readonly hosts: LanHost[] };
}

function checkIkeDaemonConfig(config: IkeDaemonConfig, issues: IssueCollector): void {
  checkApiConfig(config.api, issues, 'IKECONF', 'ike', DEFAULT_IKE_API_PORT);
  const names = new Map<string, number>();
  const remotes = new Map<string, number>();
  // The SA database, the tunnel interfaces (vti-NAME) and ESP delivery know a child by its name
  // alone, so child names must be unique across every connection, not only within one.
  const childNames = new Map<string, { connection: number; child: number }>();
  // The proposal syntax knows every IANA group name; the crypto layer does not implement them all.
  const unimplementedGroups = (text: string, protocol: ProposalProtocol): string[] => parseProposal(text, protocol).transforms
    .filter((t) => t.transformType === TransformType.DhGroup && !isDhGroupSupported(t.transformId))
    .map((t) => transformName(t.transformType, t.transformId));
  const checkGroups = (texts: readonly string[], protocol: ProposalProtocol, path: (string | number)[]) => texts.forEach((text, k) => {
    const missing = unimplementedGroups(text, protocol);
    if (missing.length > 0) {
      issues.error('IKECONF_UNSUPPORTED', [...path, k], `proposal '${text}': DH group ${missing.join(', ')} is not implemented`,
        `implemented: ${Object.values(DhGroup).filter((g) => g !== DhGroup.None && isDhGroupSupported(g)).map((g) => transformName(TransformType.DhGroup, g)).join(', ')}`);
    }
  });
  config.connections.forEach((c, i) => {
    checkGroups(c.proposals, 'ike', ['connections', i, 'proposals']);
    if (names.has(c.name)) issues.error('IKECONF_DUPLICATE_NAME', ['connections', i, 'name'], `connection '${c.name}' is also connections[${names.get(c.name)}]`);
    names.set(c.name, i);
    if (remotes.has(c.remote)) issues.error('IKECONF_DUPLICATE_ADDRESS', ['connections', i, 'remote'], `${c.remote} is already connections[${remotes.get(c.remote)}]: one connection per peer`);
    remotes.set(c.remote, i);
    if (c.encap === false) {
      issues.error('IKECONF_UNSUPPORTED', ['connections', i, 'encap'], 'ESP without UDP encapsulation cannot work here: Node.js has no raw sockets, so ESP (IP protocol 50) never leaves the process',
        'leave encap out (it defaults to true) and set encap = yes on a strongSwan peer');
    }
    if (c.remote === '%any' && c.mode !== 'respond') issues.error('IKECONF_CONFLICT', ['connections', i, 'mode'], 'a connection to %any cannot initiate: set mode: respond');
    c.children.forEach((ch, j) => {
      checkGroups(ch.espProposals, 'esp', ['connections', i, 'children', j, 'espProposals']);
      const first = childNames.get(ch.name);
      if (first !== undefined) {
        const where = first.connection === i ? `twice in ${c.name}` : `also connections[${first.connection}].children[${first.child}] (${config.connections[first.connection]!.name})`;
        issues.error('IKECONF_DUPLICATE_NAME', ['connections', i, 'children', j, 'name'], `child '${ch.name}' is defined ${where}`,
          'child names must be unique across all connections: the data plane knows a CHILD_SA by its name alone');
      } else {
        childNames.set(ch.name, { connection: i, child: j });
      }
      const rekey = ch.rekeyTime ?? DEFAULT_CHILD_REKEY_SECONDS;
      if (ch.lifeTime !== undefined && ch.lifeTime !== 0 && rekey !== 0 && ch.lifeTime <= rekey) {
        issues.error('IKECONF_CONFLICT', ['connections', i, 'children', j, 'lifeTime'],
          `lifeTime ${ch.lifeTime} must be longer than rekeyTime ${rekey}${ch.rekeyTime === undefined ? ' (the default)' : ''}, or the SA dies before it is rekeyed`);
      }
    });
  });
  // The LAN becomes a one-site topology at run time: refuse here what that would refuse there.
  const gw = parseInterfaceAddress(config.lan.gateway);
  const hostNames = new Map<string, number>([['gateway', -1]]);
  const addresses = new Map<number, string>([[gw.address, 'the gateway']]);
  (config.lan.hosts ?? []).forEach((h, i) => {
    const first = hostNames.get(h.name);
    if (first !== undefined) issues.error('IKECONF_DUPLICATE_NAME', ['lan', 'hosts', i, 'name'], first < 0 ? '\'gateway\' names the LAN gateway itself (ping --from gateway)' : `host '${h.name}' is also lan.hosts[${first}]`);
    hostNames.set(h.name, i);
    const address = parseIpv4(h.address);
    const { prefix } = gw;
    if (!prefixContains(prefix, address)) {
      issues.error('IKECONF_ADDRESS_OUTSIDE_LAN', ['lan', 'hosts', i, 'address'], `host '${h.name}' address ${h.address} is not inside the LAN ${formatPrefix(prefix)}`);
    } else if (prefix.length < 31 && (address === prefix.address || address === broadcastOf(prefix))) {
      issues.error('IKECONF_ADDRESS_OUTSIDE_LAN', ['lan', 'hosts', i, 'address'], `host '${h.name}' address ${h.address} is the ${address === prefix.address ? 'network' : 'broadcast'} address of ${formatPrefix(prefix)}`);
    } else if (addresses.has(address)) {
      issues.error('IKECONF_DUPLICATE_ADDRESS', ['lan', 'hosts', i, 'address'], `${h.address} is already ${addresses.get(address)}`);
    }
    if (!addresses.has(address)) addresses.set(address, `lan.hosts[${i}] (${h.name})`);
  });
}

const IKE_DOCUMENT = { schema: ikeDaemonSchema, jsonSchema: ikeDaemonJsonSchema, codePrefix: 'IKECONF', check: checkIkeDaemonConfig };

export function parseIkeDaemonConfig(text: string, file = '<input>'): ParsedDocument<IkeDaemonConfig> {
  return parseDocument(text, file, IKE_DOCUMENT);
}

export function loadIkeDaemonConfig(file: string): ParsedDocument<IkeDaemonConfig> {
  return parseIkeDaemonConfig(readDocumentFile(file, 'IKECONF'), file);
}

/** The checked file as engine, tunnel and LAN settings. */
export function toIkeDaemonSettings(config: IkeDaemonConfig): IkeDaemonSettings {
  const address = parseIpv4(config.address);
  const tunnels: TunnelSpec[] = [];
  const peers = config.connections.map((c): PeerConfig => {
    const remoteAddress = c.remote === '%any' ? undefined : parseIpv4(c.remote);
    const children = c.children.map((ch): ChildConfig => {
      const rekey = ch.rekeyTime ?? DEFAULT_CHILD_REKEY_SECONDS;
      tunnels.push({ connection: c.name, child: ch.name, kind: ch.tunnel ?? 'route', routes: ch.remoteTs.map((p) => parsePrefix(p)) });
      return {
        name: ch.name,
        espProposals: parseProposals(ch.espProposals, 'esp'),
        localSelectors: ch.localTs.map((p) => selectorFromPrefix(parsePrefix(p))),
        remoteSelectors: ch.remoteTs.map((p) => selectorFromPrefix(parsePrefix(p))),
        lifetimes: {
          rekeySeconds: rekey,
          lifeSeconds: ch.lifeTime ?? Math.round(rekey * 1.1),
          ...(ch.rekeyBytes !== undefined && ch.rekeyBytes > 0 ? { rekeyBytes: ch.rekeyBytes } : {}),
        },
        startAction: ch.start ?? 'start',
        ...(ch.replayWindow !== undefined ? { replayWindow: ch.replayWindow } : {}),
      };
    });
    return {
      name: c.name,
      localAddress: address,
      remoteAddress,
      localIdentity: parseIdentity(c.localId ?? config.address),
      remoteIdentity: c.remoteId === '%any' ? undefined : c.remoteId !== undefined ? parseIdentity(c.remoteId) : c.remote === '%any' ? undefined : parseIdentity(c.remote),
      psk: new TextEncoder().encode(c.psk),
      ikeProposals: parseProposals(c.proposals, 'ike'),
      ikeRekeySeconds: c.rekeyTime ?? DEFAULT_IKE_REKEY_SECONDS,
      dpdDelaySeconds: c.dpdDelay ?? 30,
      dpdAction: c.dpdAction ?? 'clear',
      forceEncapsulation: true,
      responderOnly: c.mode === 'respond',
      children,
      ...(c.retransmit !== undefined ? { retransmit: { timeoutMs: (c.retransmit.timeout ?? 4) * 1000, base: c.retransmit.base ?? 1.8, tries: c.retransmit.tries ?? 5 } } : {}),
    };
  });
  const gw = parseInterfaceAddress(config.lan.gateway);
  return {
    address,
    api: toApiSettings(config.api, DEFAULT_IKE_API_PORT),
    peers,
    tunnels,
    lan: {
      gateway: { address: gw.address, prefix: gw.prefix },
      hosts: (config.lan.hosts ?? []).map((h) => ({ name: h.name, address: parseIpv4(h.address), os: h.os ?? 'linux' })),
    },
  };
}
