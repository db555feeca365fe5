import { formatIpv4, formatPrefix } from '../../../net/address.js';
import type { BgpPeer, VpnS2SInterface, VpnServerIPsecConfiguration, VpnTrafficSelector } from '../../../topology/platforms/rras.js';
import { headerLines, secretValue, type Artifact, type ExportContext } from '../../artifacts.js';
import type { ModelRef } from '../../adapter.js';
import type { RrasModel, RrasNetRoute, RrasS2SInterface } from '../model.js';

/*
 * The PowerShell an RRAS administrator pastes into an elevated session on the server, in the seed
 * document's own style and order (seed 000, "Server 2016 配置"): the S2S interface
 * (Add-VpnS2SInterface), the server's IPsec policy (Set-VpnServerIPsecConfiguration),
 * Set-VpnS2SInterface -InitiateConfigPayload, the router.pbk keys through a
 * Set-PrivateProfileString helper, Restart-Service RemoteAccess, Connect-VpnS2SInterface, then BGP
 * (Add-BgpRouter, Add-BgpPeer, Add-BgpCustomRoute) and the static routes. Each parameter is the
 * topology's field of the same name (the `rras:` block is written in the cmdlets' names).
 *
 * Idempotent where the cmdlets allow: every Add-* is guarded by its Get-* (-ErrorAction
 * SilentlyContinue) and an existing object is brought to the topology's values with the matching
 * Set-* instead. Restart-Service interrupts the tunnels each time the script runs (router.pbk is
 * read only when the service starts); the header says so.
 */

/** A PowerShell single-quoted string ('' is a literal quote inside). */
export function psString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function psList(items: readonly string[]): string {
  return `@(${items.map(psString).join(', ')})`;
}

function psBool(value: boolean): string {
  return value ? '$true' : '$false';
}

/** `-Name value` pairs, written on one line like the seed's commands. */
type Params = [string, string | undefined][];

function command(name: string, params: Params, switches: readonly (string | false | undefined)[] = []): string {
  const words = [name];
  for (const [p, v] of params) if (v !== undefined) words.push(`-${p} ${v}`);
  for (const s of switches) if (s !== false && s !== undefined) words.push(`-${s}`);
  return words.join(' ');
}

function num(v: number | undefined): string | undefined {
  return v === undefined ? undefined : String(v);
}

function selector(ts: VpnTrafficSelector): string {
  return `(${command('New-VpnTrafficSelector', [
    ['Type', ts.Type ?? 'IPv4'],
    ['IPAddressRange', `${psString(ts.IPAddressRange[0])}, ${psString(ts.IPAddressRange[1])}`],
    ['PortRange', ts.PortRange === undefined ? undefined : `${ts.PortRange[0]}, ${ts.PortRange[1]}`],
    ['ProtocolId', num(ts.ProtocolId)],
    ['TsPayloadId', num(ts.TsPayloadId)],
  ])})`;
}

function selectors(list: readonly VpnTrafficSelector[] | undefined): string | undefined {
  return list === undefined || list.length === 0 ? undefined : `@(${list.map(selector).join(', ')})`;
}

/** The parameters of the IPsec policy, shared by Add/Set-VpnS2SInterface and Set-VpnServerIPsecConfiguration. */
function policyParams(p: VpnS2SInterface | VpnServerIPsecConfiguration): Params {
  return [
    ['EncryptionType', p.EncryptionType],
    ['EncryptionMethod', p.EncryptionMethod],
    ['IntegrityCheckMethod', p.IntegrityCheckMethod],
    ['CipherTransformConstants', p.CipherTransformConstants],
    ['AuthenticationTransformConstants', p.AuthenticationTransformConstants],
    ['DHGroup', p.DHGroup],
    ['PfsGroup', p.PfsGroup],
    ['SALifeTimeSeconds', num(p.SALifeTimeSeconds)],
    ['MMSALifeTimeSeconds', num(p.MMSALifeTimeSeconds)],
    ['SADataSizeForRenegotiationKilobytes', num(p.SADataSizeForRenegotiationKilobytes)],
  ];
}

/** What Add-VpnS2SInterface and Set-VpnS2SInterface both take, from the interface's fields. */
function interfaceParams(i: VpnS2SInterface, psk: string | undefined): Params {
  return [
    ['Destination', i.Destination.length === 1 ? psString(i.Destination[0]!) : psList(i.Destination)],
    ['AuthenticationMethod', i.AuthenticationMethod],
    ['ResponderAuthenticationMethod', i.ResponderAuthenticationMethod],
    ['SharedSecret', psk],
    ['IPv4Subnet', i.IPv4Subnet === undefined ? undefined : psList(i.IPv4Subnet)],
    ['SourceIpAddress', i.SourceIpAddress === undefined ? undefined : psString(i.SourceIpAddress)],
    ['NumberOfTries', num(i.NumberOfTries)],
    ['RetryIntervalSeconds', num(i.RetryIntervalSeconds)],
    ['NetworkOutageTimeSeconds', num(i.NetworkOutageTimeSeconds)],
    ['AdminStatus', i.AdminStatus === undefined ? undefined : psBool(i.AdminStatus)],
    ...policyParams(i),
    ['LocalVpnTrafficSelector', selectors(i.LocalVpnTrafficSelector)],
    ['RemoteVpnTrafficSelector', selectors(i.RemoteVpnTrafficSelector)],
  ];
}

/** The helper the seed defines to write router.pbk (kernel32 WritePrivateProfileString), in vpnlab's own words. */
const PROFILE_HELPER = [
  '# router.pbk holds settings of the demand-dial interfaces that no cmdlet sets (IdleDisconnectSeconds = 0',
  '# keeps the tunnel up, RedialOnLinkFailure = 1 redials it): written with kernel32 WritePrivateProfileString.',
  'Function Set-PrivateProfileString {',
  '    param([string] $File, [string] $Section, [string] $Key, [string] $Value)',
  '    if (-not (\'VpnLab.PrivateProfile\' -as [type])) {',
  '        Add-Type -Namespace VpnLab -Name PrivateProfile -MemberDefinition \'[DllImport("kernel32.dll", CharSet = CharSet.Unicode, SetLastError = true)] public static extern bool WritePrivateProfileString(string section, string key, string value, string file);\'',
  '    }',
  '    if (-not [VpnLab.PrivateProfile]::WritePrivateProfileString($Section, $Key, $Value, $File)) {',
  '        throw "WritePrivateProfileString failed for [$Section] $Key in $File (Win32 error $([Runtime.InteropServices.Marshal]::GetLastWin32Error()))"',
  '    }',
  '}',
];

function interfaceBlock(iface: RrasS2SInterface, psk: string | undefined, lines: string[]): void {
  const r = iface.resource;
  const name = psString(r.Name);
  lines.push(`# Add and configure S2S VPN interface ${r.Name}${r.Description === undefined ? '' : ` (${r.Description.replace(/\s+/g, ' ')})`}`);
  if (r.SharedSecret === undefined && (r.AuthenticationMethod ?? 'PSKOnly') === 'PSKOnly') {
    lines.push('# The topology gives no SharedSecret: add -SharedSecret before running.');
  }
  const common = interfaceParams(r, psk);
  lines.push(
    `if (-not (Get-VpnS2SInterface -Name ${name} -ErrorAction SilentlyContinue)) {`,
    `    ${command('Add-VpnS2SInterface', [['Name', name], ['Protocol', r.Protocol], ...common], [r.Persistent === true && 'Persistent', r.CustomPolicy === true && 'CustomPolicy'])}`,
    '} else {',
    // Set-VpnS2SInterface has no -Protocol: an existing interface keeps the protocol it was added with.
    `    ${command('Set-VpnS2SInterface', [['Name', name], ...common], [r.Persistent === true && 'Persistent', r.CustomPolicy === true && 'CustomPolicy', 'Force'])}`,
    '}',
  );
}

function netRouteBlock(route: RrasNetRoute, lines: string[]): void {
  const r = route.resource;
  const prefix = formatPrefix(route.destination);
  const target = route.via.target;
  if (target?.kind === 's2s') {
    // RRAS keeps the static routes of a demand-dial interface (the console's "New Static Route")
    // as its IPv4Subnet list, "prefix:metric"; they survive redials, where a New-NetRoute on the
    // interface would vanish with it.
    const entry = `${prefix}:${r.RouteMetric ?? 256}`;
    lines.push(
      `# Static route ${prefix} into the S2S interface ${r.InterfaceAlias} (NetRoute; the RRAS console's static route, kept by RRAS in the interface's IPv4Subnet list)`,
      `$subnets = @((Get-VpnS2SInterface -Name ${psString(r.InterfaceAlias)}).IPv4Subnet | Where-Object { $_ })`,
      `if ($subnets -notcontains ${psString(entry)}) {`,
      `    Set-VpnS2SInterface -Name ${psString(r.InterfaceAlias)} -IPv4Subnet ($subnets + ${psString(entry)}) -Force`,
      '}',
    );
    return;
  }
  const params: Params = [
    ['DestinationPrefix', psString(prefix)],
    ['InterfaceAlias', psString(r.InterfaceAlias)],
    ['NextHop', route.nextHop === undefined ? undefined : psString(formatIpv4(route.nextHop))],
  ];
  lines.push(
    `# Static route ${prefix} through adapter ${r.InterfaceAlias} (NetRoute)`,
    `if (-not (${command('Get-NetRoute', params.slice(0, 2))} -ErrorAction SilentlyContinue)) {`,
    `    ${command('New-NetRoute', [...params, ['RouteMetric', num(r.RouteMetric)]])}`,
    '}',
  );
}

function bgpPeerParams(p: BgpPeer): Params {
  return [
    ['LocalIPAddress', psString(p.LocalIPAddress)],
    ['PeerIPAddress', psString(p.PeerIPAddress)],
    ['PeerASN', String(p.PeerASN)],
    ['LocalASN', num(p.LocalASN)],
    ['OperationMode', p.OperationMode],
    ['PeeringMode', p.PeeringMode],
    ['HoldTimeSec', num(p.HoldTimeSec)],
    ['IdleHoldTimeSec', num(p.IdleHoldTimeSec)],
    ['MaxAllowedPrefix', num(p.MaxAllowedPrefix)],
    ['Weight', num(p.Weight)],
    ['RouteReflectorClient', p.RouteReflectorClient === undefined ? undefined : psBool(p.RouteReflectorClient)],
  ];
}

function bgpBlock(model: RrasModel, lines: string[]): void {
  const router = model.block.BgpRouter;
  if (router !== undefined) {
    const params: Params = [
      ['BgpIdentifier', psString(router.BgpIdentifier)],
      ['LocalASN', String(router.LocalASN)],
      ['TransitRouting', router.TransitRouting],
      ['CompareMEDAcrossASN', router.CompareMEDAcrossASN === undefined ? undefined : psBool(router.CompareMEDAcrossASN)],
      ['DefaultGatewayRouting', router.DefaultGatewayRouting === undefined ? undefined : psBool(router.DefaultGatewayRouting)],
      ['RouteReflector', router.RouteReflector],
      ['ClusterId', num(router.ClusterId)],
      ['ClientToClientReflection', router.ClientToClientReflection],
    ];
    lines.push(
      '# BGP router: the router ID and this server\'s AS number',
      'if (-not (Get-BgpRouter -ErrorAction SilentlyContinue)) {',
      `    ${command('Add-BgpRouter', params)}`,
      '} else {',
      `    ${command('Set-BgpRouter', params, ['Force'])}`,
      '}',
    );
  }
  for (const peer of model.block.BgpPeers ?? []) {
    const name = psString(peer.Name);
    lines.push(
      `# BGP peer ${peer.Name}`,
      `if (-not (Get-BgpPeer -Name ${name} -ErrorAction SilentlyContinue)) {`,
      `    ${command('Add-BgpPeer', [['Name', name], ...bgpPeerParams(peer)])}`,
      '} else {',
      `    ${command('Set-BgpPeer', [['Name', name], ...bgpPeerParams(peer)], ['Force'])}`,
      '}',
    );
  }
  const custom = model.block.BgpCustomRoutes ?? [];
  if (custom.length > 0) {
    lines.push('# Routes advertised to the BGP peers (the adapters\' prefixes and static routes, networks)', '$customRoutes = Get-BgpCustomRoute -ErrorAction SilentlyContinue');
  }
  for (const entry of custom) {
    const missing = [
      ...(entry.Interface ?? []).map((i) => `$customRoutes.Interface -notcontains ${psString(i)}`),
      ...(entry.Network ?? []).map((n) => `$customRoutes.Network -notcontains ${psString(n)}`),
    ];
    const params: Params = [
      ['Interface', entry.Interface === undefined ? undefined : entry.Interface.length === 1 ? psString(entry.Interface[0]!) : psList(entry.Interface)],
      ['Network', entry.Network === undefined ? undefined : entry.Network.length === 1 ? psString(entry.Network[0]!) : psList(entry.Network)],
    ];
    lines.push(`if (${missing.map((m) => `(${m})`).join(' -or ')}) {`, `    ${command('Add-BgpCustomRoute', params)}`, '}');
  }
}

function adaptersBlock(model: RrasModel, lines: string[]): void {
  lines.push(
    '# The server\'s network adapters (InterfaceAlias as the topology names them; rename with Rename-NetAdapter first):',
    '# their addresses, added when missing.',
  );
  for (const a of model.adapters) {
    const where = a.internet ? 'the Internet, not behind NAT' : a.subnet !== undefined ? `subnet ${a.subnet.name}` : 'no subnet';
    lines.push(`# ${a.name}: ${where}`);
    if (a.prefix === undefined) {
      lines.push(`# ${formatIpv4(a.address)} has no prefix length in the topology: assign it by hand.`);
      continue;
    }
    const find = command('Get-NetIPAddress', [['InterfaceAlias', psString(a.name)], ['IPAddress', psString(formatIpv4(a.address))]]);
    const add = command('New-NetIPAddress', [
      ['InterfaceAlias', psString(a.name)], ['IPAddress', psString(formatIpv4(a.address))], ['PrefixLength', String(a.prefix.length)],
      ['DefaultGateway', a.defaultGateway === undefined ? undefined : psString(formatIpv4(a.defaultGateway.value))],
    ]);
    lines.push(`if (-not (${find} -ErrorAction SilentlyContinue)) {`, `    ${add}`, '}');
  }
}

/** `<site>/<server>.ps1`; undefined for an RRAS site without an `rras:` block. */
export function powershellArtifact(ref: ModelRef<'rras', RrasModel | undefined>, context: ExportContext): Artifact | undefined {
  const model = ref.model;
  if (model === undefined) return undefined;
  const psks = model.interfaces.map((i) => (i.resource.SharedSecret === undefined ? undefined : secretValue(context, i.resource.SharedSecret, `${ref.site.name}.${i.name}`)));
  const holdsSecrets = psks.some((p) => p?.holdsSecret === true);
  const lines = [
    ...headerLines(context, ref.site, `RRAS PowerShell for server '${model.serverName}'`, holdsSecrets).map((l) => `# ${l}`),
    '# Run in an elevated PowerShell (ISE) session on the Windows Server 2016 RRAS server.',
    '# Idempotent: what exists is left or set to these values, what is missing is added; but each run restarts',
    '# the RemoteAccess service (router.pbk is read when it starts), which drops the tunnels for a moment.',
    '',
    '$ErrorActionPreference = \'Stop\'',
    '',
    '# The Remote Access role with Routing, and RRAS installed for site-to-site VPN',
    'if (-not (Get-WindowsFeature -Name Routing).Installed) {',
    "    Install-WindowsFeature -Name 'RemoteAccess', 'Routing' -IncludeManagementTools",
    '}',
    'if ((Get-RemoteAccess -ErrorAction SilentlyContinue).VpnS2SStatus -ne \'Installed\') {',
    '    Install-RemoteAccess -VpnType VpnS2S',
    '}',
    '',
  ];
  adaptersBlock(model, lines);
  lines.push('', ...PROFILE_HELPER, '');
  model.interfaces.forEach((iface, k) => {
    interfaceBlock(iface, psks[k]?.text === undefined ? undefined : psString(psks[k]!.text), lines);
    lines.push('');
  });
  const server = model.block.VpnServerIPsecConfiguration;
  if (server !== undefined) {
    lines.push(
      '# The server\'s IPsec policy for S2S interfaces without their own',
      command('Set-VpnServerIPsecConfiguration', [...policyParams(server), ['IdleDisconnectSeconds', num(server.IdleDisconnectSeconds)]], [server.CustomPolicy === true && 'CustomPolicy']),
      '',
    );
  }
  for (const iface of model.interfaces) {
    const r = iface.resource;
    const name = psString(r.Name);
    if (r.InitiateConfigPayload !== undefined) lines.push(command('Set-VpnS2SInterface', [['Name', name], ['InitiateConfigPayload', psBool(r.InitiateConfigPayload)]], ['Force']));
  }
  const pbk = model.interfaces.flatMap((iface) => {
    const r = iface.resource;
    const keys: [string, string][] = [];
    if (r.IdleDisconnectSeconds !== undefined) keys.push(['IdleDisconnectSeconds', String(r.IdleDisconnectSeconds)]);
    if (r.RedialOnLinkFailure !== undefined) keys.push(['RedialOnLinkFailure', r.RedialOnLinkFailure === true || r.RedialOnLinkFailure === 1 ? '1' : '0']);
    return keys.map(([k, v]) => `Set-PrivateProfileString "$env:windir\\System32\\ras\\router.pbk" ${psString(r.Name)} ${psString(k)} ${psString(v)}`);
  });
  if (pbk.length > 0) lines.push('', '# Set the S2S VPN connections to be persistent by editing the router.pbk file (requires admin privileges)', ...pbk);
  lines.push('', '# Restart the RRAS service', 'Restart-Service RemoteAccess', '');
  const dial = model.interfaces.filter((i) => i.resource.AdminStatus !== false);
  if (dial.length > 0) {
    lines.push('# Dial the peers', ...dial.map((i) => `Connect-VpnS2SInterface -Name ${psString(i.resource.Name)}`), '');
  }
  if (model.netRoutes.length > 0) {
    for (const r of model.netRoutes) netRouteBlock(r, lines);
    lines.push('');
  }
  if (model.block.BgpRouter !== undefined || (model.block.BgpPeers ?? []).length > 0) {
    bgpBlock(model, lines);
    lines.push('');
  }
  const text = `${lines.join('\n').replace(/\n+$/, '')}\n`;
  // Windows PowerShell 5.1 reads a .ps1 without a byte-order mark in the ANSI code page: a script
  // with any other character (a description, a name) is written as UTF-8 with a BOM.
  const bom = [...text].some((c) => c.charCodeAt(0) > 0x7f) ? '\uFEFF' : '';
  return { path: `${ref.site.name}/${model.serverName}.ps1`, format: 'powershell', text: `${bom}${text}`, holdsSecrets };
}
