import type { SwanctlChild, SwanctlConnection, SwanctlSecret } from '../../../topology/platforms/linux.js';
import { headerLines, secretValue, type Artifact, type ExportContext } from '../../artifacts.js';
import type { ModelRef } from '../../adapter.js';
import { NOT_IN_TOPOLOGY } from '../import/settings.js';
import type { LinuxGatewayModel, LinuxModel } from '../model.js';

/*
 * swanctl.conf of one Linux gateway: `connections { … }` and `secrets { … }` key for key as the
 * topology's `swanctl:` block holds them (the block is written in swanctl's own names), with the
 * values strongSwan needs and the topology leaves to vpnlab's defaults made explicit only where
 * strongSwan's own default differs: vpnlab's gateways authenticate with PSKs, strongSwan's default
 * `auth` is pubkey, so a round without `auth` is written `auth = psk`. Everything else left out of
 * the topology is left out here too, so strongSwan applies the default vpnlab emulates.
 *
 * Format: strongSwan's settings syntax (swanctl.conf(5)); a list is comma-separated, a string with
 * spaces, quotes, braces or `#` is quoted with `"` and backslash escapes.
 */

/** The values of a strongSwan settings key, quoted when the bare form would not read back the same. */
export function swanValue(value: string): string {
  if (/^[A-Za-z0-9_.:/@%+-]+$/.test(value)) return value;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function list(values: readonly (string | number)[]): string {
  return values.map((v) => swanValue(String(v))).join(',');
}

function yesNo(value: boolean | 'yes' | 'no'): string {
  return value === true || value === 'yes' ? 'yes' : 'no';
}

/** Lines `key = value` for the fields that are set, in the order given. */
function keys(indent: string, fields: readonly [string, string | number | undefined][]): string[] {
  return fields.filter((f): f is [string, string | number] => f[1] !== undefined).map(([k, v]) => `${indent}${k} = ${v}`);
}

/**
 * A round the topology leaves out, or its `auth`, is written all the same (`auth = psk`: vpnlab's
 * default, strongSwan's is pubkey) under a `# vpnlab: not in the topology` line, which tells
 * `vpnlab import` to leave it out again.
 */
function authRound(indent: string, name: 'local' | 'remote', round: SwanctlConnection['local']): string[] {
  return [
    ...(round === undefined ? [`${indent}# ${NOT_IN_TOPOLOGY}: ${name} (vpnlab's default round: a pre-shared key)`] : []),
    `${indent}${name} {`,
    ...(round !== undefined && round.auth === undefined ? [`${indent}  # ${NOT_IN_TOPOLOGY}: auth (vpnlab's default psk; strongSwan's is pubkey)`] : []),
    ...keys(`${indent}  `, [['auth', round?.auth ?? 'psk'], ['id', round?.id === undefined ? undefined : swanValue(round.id)]]),
    `${indent}}`,
  ];
}

function child(indent: string, name: string, c: SwanctlChild): string[] {
  return [
    `${indent}${name} {`,
    ...keys(`${indent}  `, [
      ['mode', c.mode],
      ['local_ts', c.local_ts === undefined ? undefined : list(c.local_ts)],
      ['remote_ts', c.remote_ts === undefined ? undefined : list(c.remote_ts)],
      ['esp_proposals', c.esp_proposals === undefined ? undefined : list(c.esp_proposals)],
      ['rekey_time', c.rekey_time],
      ['life_time', c.life_time],
      ['if_id_in', c.if_id_in],
      ['if_id_out', c.if_id_out],
      ['start_action', c.start_action],
      ['dpd_action', c.dpd_action],
      ['close_action', c.close_action],
    ]),
    `${indent}}`,
  ];
}

function connection(name: string, c: SwanctlConnection): string[] {
  const i = '    ';
  return [
    `  ${name} {`,
    ...keys(i, [
      ['version', c.version],
      ['local_addrs', list(c.local_addrs)],
      ['remote_addrs', list(c.remote_addrs)],
      ['proposals', c.proposals === undefined ? undefined : list(c.proposals)],
      ['rekey_time', c.rekey_time],
      ['dpd_delay', c.dpd_delay],
      ['encap', c.encap === undefined ? undefined : yesNo(c.encap)],
      ['mobike', c.mobike === undefined ? undefined : yesNo(c.mobike)],
      ['if_id_in', c.if_id_in],
      ['if_id_out', c.if_id_out],
    ]),
    ...authRound(i, 'local', c.local),
    ...authRound(i, 'remote', c.remote),
    `${i}children {`,
    ...Object.entries(c.children).flatMap(([n, ch]) => child(`${i}  `, n, ch)),
    `${i}}`,
    '  }',
  ];
}

function secretBlock(context: ExportContext, site: string, gateway: string, name: string, s: SwanctlSecret): { lines: string[]; holdsSecret: boolean } {
  const ids = s.id === undefined ? [] : Array.isArray(s.id) ? s.id : [s.id];
  const psk = secretValue(context, s.secret, `${site}.${gateway}.${name}`);
  return {
    lines: [
      `  ${name} {`,
      ...ids.map((id, n) => `    ${ids.length === 1 ? 'id' : `id-${n + 1}`} = ${swanValue(id)}`),
      `    secret = "${psk.text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`,
      '  }',
    ],
    holdsSecret: psk.holdsSecret,
  };
}

/** `<site>/<gateway>/swanctl.conf`; undefined for a gateway without a `swanctl:` block. */
export function swanctlArtifact(ref: ModelRef<'linux', LinuxModel | undefined>, gateway: LinuxGatewayModel, context: ExportContext): Artifact | undefined {
  const swanctl = gateway.resource.swanctl;
  if (swanctl === undefined) return undefined;
  const secrets = Object.entries(swanctl.secrets ?? {}).map(([n, s]) => secretBlock(context, ref.site.name, gateway.name, n, s));
  const holdsSecrets = secrets.some((s) => s.holdsSecret);
  const header = headerLines(context, ref.site, `swanctl.conf of gateway '${gateway.name}'`, holdsSecrets);
  const lines = [
    ...header.map((l) => `# ${l}`),
    ...(gateway.resource.description === undefined ? [] : [`# Gateway '${gateway.name}': ${gateway.resource.description.replace(/\s+/g, ' ')}`]),
    '# Install as /etc/swanctl/swanctl.conf (or conf.d/*.conf) and load with `swanctl --load-all`;',
    '# loading again replaces the connections and secrets of the same names (idempotent).',
    ...(gateway.connections.some((c) => c.children.some((ch) => ch.ifId !== undefined))
      ? ['# Route-based children (if_id_in/if_id_out) need the XFRM interfaces of ip.sh.'] : []),
    '',
    'connections {',
    ...Object.entries(swanctl.connections).flatMap(([n, c], k) => [...(k > 0 ? [''] : []), ...connection(n, c)]),
    '}',
  ];
  if (secrets.length > 0) lines.push('', 'secrets {', ...secrets.flatMap((s) => s.lines), '}');
  return { path: `${ref.site.name}/${gateway.name}/swanctl.conf`, format: 'swanctl', text: `${lines.join('\n')}\n`, holdsSecrets };
}
