import { basename } from 'node:path';
import { bindArguments, parsePowerShell, type PsCommand, type PsElement, type PsFunction, type PsLiteral, type PsValue } from '../../../config/powershell.js';
import type { DraftSite, ImportSource, Origin, SourceReader, TopologyDraft } from '../../imports.js';
import { RrasAssumptions } from './assumptions.js';
import { COMMON, DEFAULT_SERVER_NAME, REMOVES, RRAS_CMDLETS, TRAFFIC_SELECTOR, type FieldType, type Fields } from './cmdlets.js';

export { RRAS_CMDLETS } from './cmdlets.js';

/*
 * The RRAS reader of `vpnlab import`: a PowerShell script that configures Windows Server RRAS
 * (the RemoteAccess, BGP and NetTCPIP cmdlets the `rras:` block is named after, see
 * src/topology/platforms/rras.ts) read into one rras site. Each cmdlet call fills the entry its
 * schema collection names, each parameter the field of the same name; the router.pbk settings the
 * seed writes through its Set-PrivateProfileString / Invoke-WindowsApi helpers fill the S2S
 * interface of the section they name. Variables assigned a literal at the top of the script are
 * followed; any other value, and any command the block has no place for, is a problem at its line.
 * What the script never says but the topology needs (the server's adapters and public address,
 * the LAN, a test host) is filled by a stated assumption once every source has been read.
 */

interface Cmdlet {
  /** The cmdlet's parameters this reader fills fields from, by the schema's (= the cmdlet's) names. */
  readonly fields: Fields;
  readonly aliases?: Readonly<Record<string, string>>;
  /** Fills the block from the bound parameters. */
  readonly apply: (call: Call) => void;
}

interface Call {
  readonly command: PsCommand;
  /** Field name → value read, with where it was written. */
  readonly values: Map<string, { value: unknown; origin: Origin }>;
}

export const rrasPowerShellReader: SourceReader = {
  format: 'powershell (RRAS)',
  accepts: (source) => /\.ps1$/i.test(source.path),
  read: (source, draft) => readRrasScript(source, draft),
};

async function readRrasScript(source: ImportSource, draft: TopologyDraft): Promise<void> {
  const script = await parsePowerShell(source.text);
  const at = (line: number, column: number): Origin => ({ file: source.path, line, column });
  for (const error of script.errors) draft.problem(at(error.line, error.column), 'IMPORT_PS_SYNTAX', error.message, 'PowerShell itself would refuse this line too; fix it in the script');
  const name = source.site ?? siteNameOf(source.path);
  const site = draft.site('rras', name, at(1, 1));
  const reader = new ScriptReader(source.path, site, draft, script.functions, script.commands);
  // Top-level statements in order: an assignment is seen by the commands after it.
  const statements = [
    ...script.assignments.filter((a) => a.within === undefined).map((a) => ({ line: a.origin.line, column: a.origin.column, run: () => reader.assign(a.variable, a.operator, a.value) })),
    ...script.commands.filter((c) => c.within === undefined && c.inside === undefined).map((c) => ({ line: c.origin.line, column: c.origin.column, run: () => reader.command(c) })),
  ].sort((a, b) => a.line - b.line || a.column - b.column);
  for (const statement of statements) statement.run();
  // vpnlab export writes <site>/<server>.ps1: in an export folder the file is named after the server.
  const stem = basename(source.path).replace(/\.[^.]*$/, '');
  if (source.site !== undefined && stem !== DEFAULT_SERVER_NAME && /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(stem)) reader.nameServer(stem, at(1, 1));
  // A script from an export folder says every static route the topology has: none is assumed.
  draft.afterAll(() => new RrasAssumptions(source.path, site, draft, reader.rrasBlock).assume({ peerRoute: source.site === undefined }));
}

/** The file's name without extension, made a valid site name. */
function siteNameOf(path: string): string {
  const stem = basename(path).replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return stem === '' ? 'OnPrem' : stem;
}

class ScriptReader {
  private readonly variables = new Map<string, PsValue | undefined>();
  /** Variables assigned something other than a literal, by name: their text. */
  private readonly expressions = new Map<string, string>();
  private readonly block: Record<string, unknown>;

  get rrasBlock(): Record<string, unknown> {
    return this.block;
  }
  private readonly cmdlets: Readonly<Record<string, Cmdlet>>;

  constructor(
    private readonly file: string, private readonly site: DraftSite, private readonly draft: TopologyDraft,
    private readonly functions: readonly PsFunction[], private readonly allCommands: readonly PsCommand[],
  ) {
    const existing = site.data['rras'];
    this.block = typeof existing === 'object' && existing !== null ? existing as Record<string, unknown> : {};
    site.data['rras'] = this.block;
    this.cmdlets = {
      'add-vpns2sinterface': { ...RRAS_CMDLETS['Add-VpnS2SInterface'], apply: (call) => this.addInterface(call) },
      'set-vpns2sinterface': { ...RRAS_CMDLETS['Set-VpnS2SInterface'], apply: (call) => this.setInterface(call) },
      'set-vpnserveripsecconfiguration': { ...RRAS_CMDLETS['Set-VpnServerIPsecConfiguration'], apply: (call) => this.fill(['VpnServerIPsecConfiguration'], call, true) },
      'add-bgprouter': { ...RRAS_CMDLETS['Add-BgpRouter'], apply: (call) => this.fill(['BgpRouter'], call, false) },
      'add-bgppeer': { ...RRAS_CMDLETS['Add-BgpPeer'], apply: (call) => this.append('BgpPeers', call) },
      'add-bgpcustomroute': { ...RRAS_CMDLETS['Add-BgpCustomRoute'], apply: (call) => this.append('BgpCustomRoutes', call) },
      'new-netroute': { ...RRAS_CMDLETS['New-NetRoute'], apply: (call) => this.append('NetRoutes', call) },
      'set-bgprouter': { ...RRAS_CMDLETS['Set-BgpRouter'], apply: (call) => this.setBgpRouter(call) },
      'set-bgppeer': { ...RRAS_CMDLETS['Set-BgpPeer'], apply: (call) => this.setBgpPeer(call) },
      'new-netipaddress': {
        fields: { InterfaceAlias: 'string', IPAddress: 'string', PrefixLength: 'number', DefaultGateway: 'string', AddressFamily: 'string' },
        apply: (call) => this.addAddress(call),
      },
      'rename-computer': { fields: { NewName: 'string', Restart: 'switch' }, apply: (call) => this.rename(call) },
      'connect-vpns2sinterface': { fields: { Name: 'string' }, apply: (call) => this.connect(call) },
      'install-remoteaccess': { fields: { VpnType: 'string' }, apply: (call) => this.install(call) },
    };
  }

  assign(variable: string, operator: string, value: PsValue): void {
    const key = variable.toLowerCase();
    this.variables.set(key, operator === '=' && value.literal !== undefined ? value : undefined);
    if (operator === '=' && value.literal === undefined) this.expressions.set(key, value.text);
    else this.expressions.delete(key);
  }

  /** The server's name, where something other than a cmdlet gives it (an export's file name). */
  nameServer(name: string, origin: Origin): void {
    const server = this.server();
    if (server['Name'] !== undefined) return;
    server['Name'] = name;
    this.site.assumed(['rras', 'Server', 'Name'], origin, `${name}: the script's file name (vpnlab export writes <site>/<server>.ps1)`);
  }

  /**
   * `Set-VpnS2SInterface -Name N -IPv4Subnet ($subnets + 'P:M')` where $subnets holds
   * (Get-VpnS2SInterface -Name N).IPv4Subnet: a static route P into the interface, kept by RRAS in
   * its IPv4Subnet list (how the RRAS console's "New Static Route" and vpnlab export write one).
   * Read as a NetRoutes entry; the command without that parameter is read as usual.
   */
  private staticRoutes(command: PsCommand): PsCommand {
    const elements = command.elements;
    const index = elements.findIndex((e) => e.type === 'parameter' && e.name.toLowerCase() === 'ipv4subnet');
    const element = elements[index];
    const next = element?.type === 'parameter' && element.colonValue === undefined ? elements[index + 1] : undefined;
    const value = element?.type === 'parameter' ? element.colonValue ?? (next?.type === 'argument' ? next.value : undefined) : undefined;
    const match = value === undefined ? null : /^\(\s*\$(\w+)\s*\+\s*(['"])([^'"]+)\2\s*\)$/.exec(value.text);
    if (match === null || value === undefined) return command;
    const held = this.expressions.get(match[1]!.toLowerCase()) ?? '';
    const nameElement = elements.findIndex((e) => e.type === 'parameter' && e.name.toLowerCase() === 'name');
    const nameValue = elements[nameElement + 1];
    const name = nameValue?.type === 'argument' ? this.follow(nameValue.value)?.literal : undefined;
    if (typeof name !== 'string' || !/Get-VpnS2SInterface\b/i.test(held) || !/\.IPv4Subnet\b/i.test(held)) return command;
    const entry = match[3]!;
    const colon = entry.lastIndexOf(':');
    const prefix = colon < 0 ? entry : entry.slice(0, colon);
    const metric = colon < 0 ? undefined : Number(entry.slice(colon + 1));
    const routes = (this.block['NetRoutes'] ??= []) as Record<string, unknown>[];
    const route: Record<string, unknown> = { DestinationPrefix: prefix, InterfaceAlias: name };
    // 256 is New-NetRoute's default metric, which the topology leaves out.
    if (metric !== undefined && Number.isInteger(metric) && metric !== 256) route['RouteMetric'] = metric;
    routes.push(route);
    const origin = this.at(value.origin);
    for (const field of Object.keys(route)) this.site.from(['rras', 'NetRoutes', routes.length - 1, field], origin);
    const drop = new Set([index, ...(next === undefined || element?.type !== 'parameter' || element.colonValue !== undefined ? [] : [index + 1])]);
    return { ...command, elements: elements.filter((_e, i) => !drop.has(i)) };
  }

  command(command: PsCommand): void {
    const lower = command.name.toLowerCase();
    if (lower === 'set-privateprofilestring') return this.privateProfile(command);
    if (lower === 'invoke-windowsapi') return this.windowsApi(command);
    if (lower === 'restart-service' || lower === 'start-service') return this.service(command);
    if (/^(get|write|test|format|out|select|where|start-sleep|import-module|set-strictmode|set-executionpolicy|start-transcript|stop-transcript|install-windowsfeature|add-windowsfeature)(-|$)/.test(lower)) return;
    if (lower === 'set-vpns2sinterface') command = this.staticRoutes(command);
    const removes = REMOVES[lower];
    if (removes !== undefined && Object.hasOwn(REMOVES, lower)) return this.remove(command, removes);
    const cmdlet = Object.hasOwn(this.cmdlets, lower) ? this.cmdlets[lower] : undefined;
    if (cmdlet === undefined) {
      const helper = this.functions.some((f) => f.name.toLowerCase() === lower);
      this.draft.problem(this.at(command.origin), 'IMPORT_PS_UNKNOWN_COMMAND',
        helper ? `${command.name} is a function of the script that vpnlab does not follow` : `${command.name} configures nothing the rras block holds`,
        'remove the line, or describe what it does in the topology by hand');
      return;
    }
    const call = this.bind(command, cmdlet);
    if (call !== undefined) cmdlet.apply(call);
  }

  private bind(command: PsCommand, cmdlet: Cmdlet): Call | undefined {
    const known = { ...COMMON, ...cmdlet.fields };
    const names = Object.keys(known);
    const resolve = (written: string): string | undefined => {
      const lower = written.toLowerCase();
      for (const [alias, field] of Object.entries(cmdlet.aliases ?? {})) if (alias.toLowerCase() === lower) return field;
      const exact = names.find((n) => n.toLowerCase() === lower);
      if (exact) return exact;
      const prefixed = names.filter((n) => n.toLowerCase().startsWith(lower));
      return prefixed.length === 1 ? prefixed[0] : undefined;
    };
    const bound = bindArguments(this.splatted(command), (written) => known[resolve(written) ?? ''] === 'switch');
    const values = new Map<string, { value: unknown; origin: Origin }>();
    let ok = true;
    for (const parameter of bound.parameters) {
      const field = resolve(parameter.name);
      if (field === undefined) {
        this.draft.problem(this.at(parameter.origin), 'IMPORT_PS_UNKNOWN_PARAMETER', `${command.name} -${parameter.name}: the rras block has no field for it`, `the fields of ${command.name} are ${Object.keys(cmdlet.fields).join(', ')}`);
        ok = false;
        continue;
      }
      if (field in COMMON) continue;
      const type = known[field]!;
      const origin = this.at(parameter.value?.origin ?? parameter.origin);
      if (parameter.value === undefined) {
        if (type === 'switch') values.set(field, { value: true, origin });
        else {
          this.draft.problem(origin, 'IMPORT_PS_MISSING_VALUE', `${command.name} -${parameter.name} has no value`);
          ok = false;
        }
        continue;
      }
      const value = this.convert(parameter.value, type, `${command.name} -${parameter.name}`);
      if (value === undefined) ok = false;
      else values.set(field, { value, origin });
    }
    for (const argument of bound.positional) {
      this.draft.problem(this.at(argument.origin), 'IMPORT_PS_POSITIONAL', `${command.name}: the argument ${argument.text} is not bound to a parameter vpnlab knows`, 'name its parameter (-Name value)');
      ok = false;
    }
    return ok ? { command, values } : undefined;
  }

  /** The command's elements with each `@name` of a hashtable literal spread into its parameters. */
  private splatted(command: PsCommand): PsElement[] {
    return command.elements.flatMap((element): PsElement[] => {
      if (element.type !== 'argument' || element.value.splat !== true) return [element];
      const table = this.variables.get(element.value.variable!.toLowerCase());
      if (table?.kind !== 'hashtable' || table.entries === undefined) return [element];
      return Object.entries(table.entries).map(([name, value]) => ({ type: 'parameter', name, colonValue: value, origin: element.value.origin }));
    });
  }

  /**
   * `@((New-VpnTrafficSelector -Type IPv4 -IPAddressRange a, b …), …)`: the selectors the
   * New-VpnTrafficSelector calls written inside the value make.
   */
  private selectors(raw: PsValue, what: string): unknown {
    const lines = raw.text.split('\n');
    const endLine = raw.origin.line + lines.length - 1;
    const endColumn = lines.length === 1 ? raw.origin.column + raw.text.length : lines.at(-1)!.length + 1;
    const within = (c: PsCommand): boolean => {
      const { line, column } = c.origin;
      const afterStart = line > raw.origin.line || (line === raw.origin.line && column >= raw.origin.column);
      const beforeEnd = line < endLine || (line === endLine && column < endColumn);
      return afterStart && beforeEnd;
    };
    const calls = this.allCommands.filter((c) => c.name.toLowerCase() === 'new-vpntrafficselector' && within(c));
    if (calls.length === 0) {
      this.draft.problem(this.at(raw.origin), 'IMPORT_PS_NOT_LITERAL', `${what}: ${raw.text} is not a list of New-VpnTrafficSelector calls written in place; vpnlab does not run the script`, 'write the New-VpnTrafficSelector calls in the parameter\'s value');
      return undefined;
    }
    const out: Record<string, unknown>[] = [];
    for (const call of calls) {
      const bound = this.bind(call, { fields: TRAFFIC_SELECTOR, apply: () => {} });
      if (bound === undefined) return undefined;
      const selector: Record<string, unknown> = {};
      for (const [field, { value }] of bound.values) selector[field] = value;
      for (const pair of ['IPAddressRange', 'PortRange']) {
        const range = selector[pair] as unknown[] | undefined;
        if (range !== undefined && range.length !== 2) {
          this.draft.problem(this.at(call.origin), 'IMPORT_PS_VALUE', `New-VpnTrafficSelector -${pair} takes a first and a last value, not ${range.length}`);
          return undefined;
        }
      }
      out.push(selector);
    }
    return out;
  }

  /** A literal of the field's type, variables followed; undefined (with a problem) otherwise. */
  private convert(raw: PsValue, type: FieldType, what: string): unknown {
    if (type === 'selectors') return this.selectors(raw, what);
    const value = this.follow(raw);
    const origin = this.at(raw.origin);
    if (value === undefined || value.literal === undefined) {
      const why = raw.kind === 'variable' ? `$${raw.variable} is not assigned a literal before this line` : `${raw.text} is not a literal (${raw.kind})`;
      this.draft.problem(origin, 'IMPORT_PS_NOT_LITERAL', `${what}: ${why}; vpnlab does not run the script`, 'write the value itself, or assign it to a variable as a literal');
      return undefined;
    }
    const literal = value.literal;
    const scalar = (v: PsLiteral): string | number | boolean | undefined => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : undefined);
    let out: unknown;
    switch (type) {
      case 'string': {
        const s = scalar(literal);
        out = s === undefined || typeof s === 'boolean' ? undefined : String(s);
        break;
      }
      case 'number': {
        const s = scalar(literal);
        out = typeof s === 'number' ? s : typeof s === 'string' && /^\d+$/.test(s) ? Number(s) : undefined;
        break;
      }
      case 'bool':
      case 'switch':
        out = typeof literal === 'boolean' ? literal : undefined;
        break;
      case 'numbers': {
        const items = Array.isArray(literal) ? literal : [literal];
        out = items.every((item) => typeof item === 'number') ? items : undefined;
        break;
      }
      case 'list': {
        const items = Array.isArray(literal) ? literal : [literal];
        const strings = items.map((item) => scalar(item as PsLiteral));
        out = strings.every((s) => s !== undefined && typeof s !== 'boolean') ? strings.map(String) : undefined;
        break;
      }
    }
    if (out === undefined) this.draft.problem(origin, 'IMPORT_PS_VALUE', `${what}: ${raw.text} is not a ${type === 'list' ? 'list of values' : type}`);
    return out;
  }

  private follow(value: PsValue): PsValue | undefined {
    if (value.kind !== 'variable' || value.literal !== undefined) return value;
    return this.variables.get(value.variable!.replace(/^(script|global|local):/i, '').toLowerCase());
  }

  /** Sets the fields of the object at `path` in the block (created, or merged into when `merge`). */
  private fill(path: readonly string[], call: Call, merge: boolean): void {
    const key = path[0]!;
    const existing = this.block[key] as Record<string, unknown> | undefined;
    if (existing !== undefined && !merge) {
      this.draft.problem(this.at(call.command.origin), 'IMPORT_PS_DUPLICATE', `${call.command.name} is called a second time; the server has one ${key}`);
      return;
    }
    const target = existing ?? {};
    this.block[key] = target;
    this.setAll(target, ['rras', key], call);
  }

  private append(key: string, call: Call): void {
    const list = (this.block[key] ??= []) as Record<string, unknown>[];
    const entry: Record<string, unknown> = {};
    list.push(entry);
    this.setAll(entry, ['rras', key, list.length - 1], call);
  }

  private setAll(target: Record<string, unknown>, path: readonly (string | number)[], call: Call): void {
    for (const [field, { value, origin }] of call.values) {
      target[field] = value;
      this.site.from([...path, field], origin);
    }
  }

  private interfaces(): Record<string, unknown>[] {
    return (this.block['VpnS2SInterfaces'] ??= []) as Record<string, unknown>[];
  }

  private interfaceNamed(name: string): number {
    return this.interfaces().findIndex((i) => typeof i['Name'] === 'string' && i['Name'].toLowerCase() === name.toLowerCase());
  }

  private addInterface(call: Call): void {
    const name = call.values.get('Name')?.value;
    if (typeof name !== 'string') {
      this.draft.problem(this.at(call.command.origin), 'IMPORT_PS_MISSING_VALUE', 'Add-VpnS2SInterface without -Name', 'give the interface a -Name');
      return;
    }
    if (this.interfaceNamed(name) >= 0) {
      this.draft.problem(this.at(call.command.origin), 'IMPORT_PS_DUPLICATE', `a second S2S interface named ${name}`);
      return;
    }
    this.append('VpnS2SInterfaces', call);
  }

  private setInterface(call: Call): void {
    const name = call.values.get('Name')?.value;
    if (typeof name !== 'string') {
      this.draft.problem(this.at(call.command.origin), 'IMPORT_PS_MISSING_VALUE', `${call.command.name} without -Name: vpnlab does not follow what a pipeline sends it`, 'name the interface: -Name <name>');
      return;
    }
    const index = this.interfaceNamed(name);
    if (index < 0) {
      this.draft.problem(this.at(call.command.origin), 'IMPORT_PS_NO_INTERFACE', `${call.command.name} -Name ${name}: no Add-VpnS2SInterface before it creates that interface`, 'add the interface first');
      return;
    }
    const target = this.interfaces()[index]!;
    call.values.delete('Name');
    this.setAll(target, ['rras', 'VpnS2SInterfaces', index], call);
  }

  /** New-NetIPAddress: an adapter of the server (its Subnet and Internet flags are assumed at the end). */
  private addAddress(call: Call): void {
    const alias = call.values.get('InterfaceAlias');
    const address = call.values.get('IPAddress');
    if (alias === undefined || address === undefined) {
      this.draft.problem(this.at(call.command.origin), 'IMPORT_PS_MISSING_VALUE', 'New-NetIPAddress needs -InterfaceAlias and -IPAddress');
      return;
    }
    const server = this.server();
    const adapters = server['NetworkAdapters'] as Record<string, unknown>[];
    const index = adapters.length;
    const length = call.values.get('PrefixLength');
    const adapter: Record<string, unknown> = { Name: alias.value, IPAddress: length === undefined ? address.value : `${String(address.value)}/${String(length.value)}` };
    adapters.push(adapter);
    const path = ['rras', 'Server', 'NetworkAdapters', index];
    this.site.from([...path, 'Name'], alias.origin);
    this.site.from([...path, 'IPAddress'], address.origin);
    const gateway = call.values.get('DefaultGateway');
    if (gateway !== undefined) {
      adapter['DefaultGateway'] = gateway.value;
      this.site.from([...path, 'DefaultGateway'], gateway.origin);
    }
  }

  private rename(call: Call): void {
    const name = call.values.get('NewName');
    if (name === undefined) return;
    this.server()['Name'] = name.value;
    this.site.from(['rras', 'Server', 'Name'], name.origin);
  }

  private server(): Record<string, unknown> {
    const server = (this.block['Server'] ??= {}) as Record<string, unknown>;
    server['NetworkAdapters'] ??= [];
    return server;
  }

  /** Set-BgpRouter (the else of an export's Get-BgpRouter guard): the router's fields, set again. */
  private setBgpRouter(call: Call): void {
    if (this.block['BgpRouter'] === undefined) {
      this.draft.problem(this.at(call.command.origin), 'IMPORT_PS_NO_ROUTER', 'Set-BgpRouter before any Add-BgpRouter', 'add the router first');
      return;
    }
    this.fill(['BgpRouter'], call, true);
  }

  /** Set-BgpPeer -Name N: the fields of the peer N that an Add-BgpPeer made. */
  private setBgpPeer(call: Call): void {
    const name = call.values.get('Name')?.value;
    const peers = (this.block['BgpPeers'] ?? []) as Record<string, unknown>[];
    const index = peers.findIndex((p) => typeof p['Name'] === 'string' && typeof name === 'string' && p['Name'].toLowerCase() === name.toLowerCase());
    if (index < 0) {
      this.draft.problem(this.at(call.command.origin), 'IMPORT_PS_NO_PEER', `Set-BgpPeer -Name ${String(name)}: no Add-BgpPeer before it makes that peer`, 'add the peer first');
      return;
    }
    call.values.delete('Name');
    this.setAll(peers[index]!, ['rras', 'BgpPeers', index], call);
  }

  private connect(call: Call): void {
    const name = call.values.get('Name')?.value;
    if (typeof name !== 'string' || this.interfaceNamed(name) < 0) {
      this.draft.problem(this.at(call.command.origin), 'IMPORT_PS_NO_INTERFACE', `Connect-VpnS2SInterface -Name ${String(name)}: no S2S interface has that name`);
    }
    // The emulator dials every enabled interface when it starts: nothing to write.
  }

  private install(call: Call): void {
    const type = call.values.get('VpnType')?.value;
    if (type !== undefined && String(type).toLowerCase() !== 'vpns2s') {
      this.draft.problem(this.at(call.command.origin), 'IMPORT_PS_VALUE', `Install-RemoteAccess -VpnType ${String(type)}: vpnlab emulates the site-to-site role only (VpnS2S)`);
    }
  }

  /**
   * A Remove- cmdlet clears nothing vpnlab has read yet (an idempotent script removes what a
   * previous run made, then adds it again); removing what this script added is not followed.
   */
  private remove(command: PsCommand, key: string): void {
    const existing = this.block[key];
    if (existing === undefined || (Array.isArray(existing) && existing.length === 0)) return;
    this.draft.problem(this.at(command.origin), 'IMPORT_PS_REMOVE', `${command.name} removes ${key} the script has added before: vpnlab reads a script that builds each resource once`, 'remove the earlier command or this one');
  }

  private service(command: PsCommand): void {
    const names = [...command.positional, ...command.parameters.filter((p) => /^name$/i.test(p.name)).map((p) => p.value!).filter(Boolean)];
    if (!names.some((n) => typeof n.literal === 'string' && n.literal.toLowerCase() === 'remoteaccess')) {
      this.draft.problem(this.at(command.origin), 'IMPORT_PS_UNKNOWN_COMMAND', `${command.name} of a service other than RemoteAccess configures nothing the rras block holds`);
    }
  }

  /** `Set-PrivateProfileString FILE SECTION KEY VALUE`: the helper the seed defines to write router.pbk. */
  private privateProfile(command: PsCommand): void {
    const declared = this.functions.find((f) => f.name.toLowerCase() === 'set-privateprofilestring')?.parameters ?? ['file', 'category', 'key', 'value'];
    const args: (PsValue | undefined)[] = [];
    let positional = 0;
    for (const parameter of command.parameters) {
      const index = declared.findIndex((d) => d.toLowerCase() === parameter.name.toLowerCase());
      if (index < 0) {
        this.draft.problem(this.at(parameter.origin), 'IMPORT_PS_UNKNOWN_PARAMETER', `Set-PrivateProfileString -${parameter.name}: the helper takes ${declared.join(', ')}`);
        return;
      }
      args[index] = parameter.value;
    }
    for (const value of command.positional) {
      while (args[positional] !== undefined) positional++;
      args[positional++] = value;
    }
    this.pbkEntry(command, args[0], args[1], args[2], args[3]);
  }

  /** `Invoke-WindowsApi "kernel32.dll" ([UInt32]) "WritePrivateProfileString" $types @(section, key, value, file)`. */
  private windowsApi(command: PsCommand): void {
    const [, , method, , parameters] = command.positional;
    const api = method && this.follow(method)?.literal;
    const list = parameters && this.follow(parameters);
    if (typeof api !== 'string' || api.toLowerCase() !== 'writeprivateprofilestring' || list?.items?.length !== 4) {
      this.draft.problem(this.at(command.origin), 'IMPORT_PS_UNKNOWN_COMMAND', 'Invoke-WindowsApi is read only for WritePrivateProfileString with its four values written out');
      return;
    }
    const [section, key, value, file] = list.items;
    this.pbkEntry(command, file, section, key, value);
  }

  private pbkEntry(command: PsCommand, file?: PsValue, section?: PsValue, key?: PsValue, value?: PsValue): void {
    if (!file || !section || !key || !value) {
      this.draft.problem(this.at(command.origin), 'IMPORT_PS_MISSING_VALUE', `${command.name} needs a file, a section, a key and a value`);
      return;
    }
    const followed = this.follow(file)?.literal;
    const fileText = typeof followed === 'string' ? followed : file.text;
    if (!/router\.pbk["']?$/i.test(fileText)) {
      this.draft.problem(this.at(file.origin), 'IMPORT_PS_VALUE', `${command.name} writes ${fileText}; vpnlab reads only the RRAS phone book router.pbk`);
      return;
    }
    const sectionName = this.convert(section, 'string', `${command.name} section`);
    const keyName = this.convert(key, 'string', `${command.name} key`);
    if (typeof sectionName !== 'string' || typeof keyName !== 'string') return;
    const index = this.interfaceNamed(sectionName);
    if (index < 0) {
      this.draft.problem(this.at(section.origin), 'IMPORT_PS_NO_INTERFACE', `router.pbk section [${sectionName}]: no S2S interface has that name`, 'the section of router.pbk is the interface\'s -Name');
      return;
    }
    const field = ['IdleDisconnectSeconds', 'RedialOnLinkFailure'].find((f) => f.toLowerCase() === keyName.toLowerCase());
    if (field === undefined) {
      this.draft.problem(this.at(key.origin), 'IMPORT_PS_UNKNOWN_PARAMETER', `router.pbk key ${keyName} is not in the rras block`, 'the router.pbk keys vpnlab reads are IdleDisconnectSeconds and RedialOnLinkFailure');
      return;
    }
    const number = this.convert(value, 'number', `router.pbk ${field}`);
    if (typeof number !== 'number') return;
    if (field === 'RedialOnLinkFailure' && number !== 0 && number !== 1) {
      this.draft.problem(this.at(value.origin), 'IMPORT_PS_VALUE', `router.pbk RedialOnLinkFailure is 0 or 1, not ${number}`);
      return;
    }
    this.interfaces()[index]![field] = number;
    this.site.from(['rras', 'VpnS2SInterfaces', index, field], this.at(value.origin));
  }

  private at(origin: { line: number; column: number }): Origin {
    return { file: this.file, line: origin.line, column: origin.column };
  }

}

