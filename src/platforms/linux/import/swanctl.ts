import { basename } from 'node:path';
import type { ImportSource, Origin, SourceReader, TopologyDraft } from '../../imports.js';
import { groupOf, readHeader, type Cite, type SwanctlPart } from './gateways.js';
import { parseSettings, type SettingsKey, type SettingsSection } from './settings.js';

/*
 * The swanctl.conf reader: `connections { <name> { … local { … } remote { … } children { <name>
 * { … } } } }` and `secrets { ike-<name> { id…, secret } }` into the gateway's `swanctl:` block,
 * whose keys are swanctl's own. Each key vpnlab has a field for is read (durations like `8h`
 * become seconds, lists split at commas); a key marked `# vpnlab: not in the topology` (a default
 * vpnlab's exporter had to write) is left out again; any other key or section is a problem at its
 * line, except the few listed in IGNORED, which change nothing vpnlab emulates (a note says so).
 */

type Kind = 'number' | 'duration' | 'list' | 'string' | 'yesno';

const CONNECTION: Readonly<Record<string, Kind>> = {
  version: 'number', local_addrs: 'list', remote_addrs: 'list', proposals: 'list', rekey_time: 'duration', dpd_delay: 'duration',
  encap: 'yesno', mobike: 'yesno', if_id_in: 'number', if_id_out: 'number',
};
const CHILD: Readonly<Record<string, Kind>> = {
  local_ts: 'list', remote_ts: 'list', esp_proposals: 'list', rekey_time: 'duration', life_time: 'duration', start_action: 'string',
  dpd_action: 'string', close_action: 'string', if_id_in: 'number', if_id_out: 'number', mode: 'string',
};
const ROUND: Readonly<Record<string, Kind>> = { auth: 'string', id: 'string' };

/** Keys strongSwan takes that change nothing vpnlab emulates: skipped, with a note. */
const IGNORED: Readonly<Record<string, string>> = {
  unique: 'duplicate IKE_SA policy', fragmentation: 'IKE fragmentation', send_certreq: 'certificate requests', send_cert: 'certificates',
  keyingtries: 'retries of the first exchange', reauth_time: 'reauthentication', over_time: 'the IKE_SA hard lifetime margin', rand_time: 'rekey jitter',
  dpd_timeout: 'the IKEv1 DPD timeout', updown: 'the updown script', hostaccess: 'the updown script\'s host access', policies: 'whether policies are installed',
};

export const swanctlReader: SourceReader = {
  format: 'swanctl',
  accepts: (source) => basename(source.path) === 'swanctl.conf'
    || (/\.conf$/i.test(source.path) && /^\s*(connections|secrets)\s*\{/m.test(source.text)),
  read: (source, draft) => readSwanctl(source, draft),
};

function readSwanctl(source: ImportSource, draft: TopologyDraft): void {
  const at = (place: { line: number; column: number }): Origin => ({ file: source.path, line: place.line, column: place.column });
  const parsed = parseSettings(source.text);
  for (const error of parsed.errors) draft.problem(at(error.at), 'IMPORT_SWANCTL_SYNTAX', error.message, 'strongSwan would refuse this file too');
  const group = groupOf(draft, source, at({ line: 1, column: 1 }));
  readHeader(group, parsed.header.map((text, n) => ({ text, origin: at({ line: n + 1, column: 1 }) })));
  const cites: Cite[] = [];
  const swanctl: Record<string, Record<string, unknown>> = {};
  const reader = new Reader(source.path, draft, cites);
  for (const item of parsed.items) {
    if (item.kind === 'key') {
      reader.unknown(item, 'a key outside connections and secrets');
      continue;
    }
    if (item.name === 'connections') {
      const connections = (swanctl['connections'] ??= {});
      for (const c of reader.sections(item, 'connection')) reader.connection(c, connections);
    } else if (item.name === 'secrets') {
      const secrets = (swanctl['secrets'] ??= {});
      for (const s of reader.sections(item, 'secret')) reader.secret(s, secrets);
    } else {
      draft.problem(at(item.at), 'IMPORT_SWANCTL_UNKNOWN', `section ${item.name}: vpnlab reads connections and secrets`, 'certificate authorities and address pools are not emulated; remove the section');
    }
  }
  const part: SwanctlPart = {
    file: source.path,
    fields: Object.keys(swanctl).length === 0 ? {} : { swanctl },
    cites,
    includes: parsed.includes.map((i) => ({ pattern: i.pattern, origin: at(i.at) })),
  };
  group.swanctl.push(part);
}

class Reader {
  constructor(private readonly file: string, private readonly draft: TopologyDraft, private readonly cites: Cite[]) {}

  at(place: { line: number; column: number }): Origin {
    return { file: this.file, line: place.line, column: place.column };
  }

  /** The subsections of `section`; a key directly in it is a problem. */
  sections(section: SettingsSection, what: string): SettingsSection[] {
    const out: SettingsSection[] = [];
    for (const item of section.items) {
      if (item.kind === 'section') out.push(item);
      else this.unknown(item, `a key directly in ${section.name}, where each ${what} is a section`);
    }
    return out;
  }

  unknown(key: SettingsKey | SettingsSection, where: string): void {
    this.draft.problem(this.at(key.at), 'IMPORT_SWANCTL_UNKNOWN', `${key.name}: ${where}`, 'remove it, or describe it in the topology by hand');
  }

  connection(section: SettingsSection, into: Record<string, unknown>): void {
    if (this.duplicate(into, section)) return;
    const path = ['swanctl', 'connections', section.name];
    const connection: Record<string, unknown> = {};
    into[section.name] = connection;
    this.cites.push({ path, origin: this.at(section.at) });
    for (const item of section.items) {
      if (item.marked) continue;
      if (item.kind === 'key') {
        this.key(item, CONNECTION, connection, path);
      } else if (item.name === 'local' || item.name === 'remote') {
        if (this.duplicate(connection, item)) continue;
        const round: Record<string, unknown> = {};
        connection[item.name] = round;
        this.cites.push({ path: [...path, item.name], origin: this.at(item.at) });
        for (const key of item.items) {
          if (key.marked) continue;
          if (key.kind === 'key') this.key(key, ROUND, round, [...path, item.name]);
          else this.unknown(key, `a section in ${item.name}, which vpnlab reads auth and id of`);
        }
      } else if (item.name === 'children') {
        const children: Record<string, unknown> = {};
        connection['children'] = children;
        this.cites.push({ path: [...path, 'children'], origin: this.at(item.at) });
        for (const c of this.sections(item, 'child')) {
          if (c.marked || this.duplicate(children, c)) continue;
          const child: Record<string, unknown> = {};
          children[c.name] = child;
          const childPath = [...path, 'children', c.name];
          this.cites.push({ path: childPath, origin: this.at(c.at) });
          for (const key of c.items) {
            if (key.marked) continue;
            if (key.kind === 'key') this.key(key, CHILD, child, childPath);
            else this.unknown(key, 'a section in a child');
          }
        }
      } else {
        this.unknown(item, /^(local|remote)/.test(item.name)
          ? 'vpnlab reads one authentication round per side, the sections named local and remote'
          : 'a section of a connection vpnlab does not read (it reads local, remote, children)');
      }
    }
    if (connection['children'] === undefined) connection['children'] = {};
  }

  secret(section: SettingsSection, into: Record<string, unknown>): void {
    if (!/^ike/.test(section.name)) {
      this.draft.problem(this.at(section.at), 'IMPORT_SWANCTL_UNKNOWN', `secret ${section.name}: vpnlab reads IKE pre-shared keys (ike-<name>)`, 'EAP, XAuth and private keys are not emulated; remove it');
      return;
    }
    if (section.marked || this.duplicate(into, section)) return;
    const path = ['swanctl', 'secrets', section.name];
    const ids: { value: string; origin: Origin }[] = [];
    const secret: Record<string, unknown> = {};
    into[section.name] = secret;
    this.cites.push({ path, origin: this.at(section.at) });
    for (const item of section.items) {
      if (item.marked) continue;
      if (item.kind === 'section') this.unknown(item, 'a section in a secret');
      else if (/^id/.test(item.name)) ids.push({ value: item.value, origin: this.at(item.valueAt) });
      else if (item.name === 'secret') {
        if (/^0[xs]/i.test(item.value)) {
          this.draft.problem(this.at(item.valueAt), 'IMPORT_SWANCTL_VALUE', 'a hex (0x) or base64 (0s) secret: vpnlab takes the key as text', 'write the key as a quoted string');
          continue;
        }
        if (/^REDACTED-PSK-/.test(item.value)) this.draft.note(this.at(item.valueAt), 'IMPORT_SWANCTL_REDACTED', `${section.name}: the key is a placeholder of \`vpnlab export --redact\`; write the real key in the topology`);
        secret['secret'] = item.value;
        this.cites.push({ path: [...path, 'secret'], origin: this.at(item.valueAt) });
      } else this.unknown(item, 'a secret holds id… and secret');
    }
    if (ids.length === 1) {
      secret['id'] = ids[0]!.value;
      this.cites.push({ path: [...path, 'id'], origin: ids[0]!.origin });
    } else if (ids.length > 1) {
      secret['id'] = ids.map((i) => i.value);
      this.cites.push({ path: [...path, 'id'], origin: ids[0]!.origin });
    }
  }

  private duplicate(into: Record<string, unknown>, section: SettingsSection): boolean {
    if (!Object.hasOwn(into, section.name)) return false;
    this.draft.problem(this.at(section.at), 'IMPORT_SWANCTL_DUPLICATE', `${section.name} is written twice`, 'strongSwan merges the two; write it once');
    return true;
  }

  private key(key: SettingsKey, kinds: Readonly<Record<string, Kind>>, into: Record<string, unknown>, path: readonly string[]): void {
    const kind = Object.hasOwn(kinds, key.name) ? kinds[key.name] : undefined;
    if (kind === undefined) {
      const ignored = Object.hasOwn(IGNORED, key.name) ? IGNORED[key.name] : undefined;
      if (ignored !== undefined) this.draft.note(this.at(key.at), 'IMPORT_SWANCTL_SKIPPED', `${key.name} = ${key.value}: skipped (${ignored}: not emulated)`);
      else this.unknown(key, `vpnlab has no field for it here (it reads ${Object.keys(kinds).join(', ')})`);
      return;
    }
    const origin = this.at(key.valueAt);
    const value = convert(key.value, kind);
    if (value === undefined) {
      this.draft.problem(origin, 'IMPORT_SWANCTL_VALUE', `${key.name} = ${key.value}: not ${describe(kind)}`);
      return;
    }
    if (Object.hasOwn(into, key.name)) this.draft.problem(this.at(key.at), 'IMPORT_SWANCTL_DUPLICATE', `${key.name} is written twice`, 'strongSwan takes the last; write it once');
    into[key.name] = value;
    this.cites.push({ path: [...path, key.name], origin });
  }
}

const UNITS: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

function convert(text: string, kind: Kind): unknown {
  switch (kind) {
    case 'string':
      return text === '' ? undefined : text;
    case 'list': {
      const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
      return items.length === 0 ? undefined : items;
    }
    case 'number':
      return /^\d{1,10}$/.test(text) ? Number(text) : undefined;
    case 'duration': {
      const match = /^(\d{1,10})\s*([smhd]?)$/.exec(text);
      return match === null ? undefined : Number(match[1]) * UNITS[match[2]!]!;
    }
    case 'yesno':
      return text === 'yes' || text === 'no' ? text : text === 'true' ? true : text === 'false' ? false : undefined;
  }
}

function describe(kind: Kind): string {
  return { string: 'a value', list: 'a comma-separated list', number: 'a number', duration: 'a duration (seconds, or with s, m, h, d)', yesno: 'yes or no' }[kind];
}
