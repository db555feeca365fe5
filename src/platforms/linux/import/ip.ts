import { basename } from 'node:path';
import type { ImportSource, Origin, SourceReader, TopologyDraft } from '../../imports.js';
import { groupOf, readHeader, type Cite, type IpPart, type NicComment } from './gateways.js';

/*
 * The ip.sh reader: the iproute2 and iptables commands of a gateway's shell script into its
 * `interfaces`, `xfrm` and `routes`:
 *
 *   ip link add NAME type xfrm [dev DEV] if_id N     an XFRM interface
 *   ip link set [dev] NAME [mtu N] [up]             its MTU (or a NIC's)
 *   ip address add|replace A/LEN dev NAME           a NIC's address, or an XFRM interface's
 *   ip route add|replace|append PREFIX [via A] [dev NAME] [metric N]
 *   iptables -t mangle -A|-I FORWARD -o NAME … -j TCPMSS --set-mss N    the XFRM interface's set-mss
 *   # eth1 (subnet lan) / # eth0 (the Internet)    the NIC's cabling, as vpnlab's export writes it
 *
 * Commands joined by `||`, `&&`, `;` are read one by one; a check (`ip link show`, `iptables -C`),
 * `set`, the forwarding and rp_filter sysctls, and deletions before an add (an idempotent script)
 * change nothing the topology holds. A `# vpnlab: not in the topology: dev X` comment above an
 * `ip link add` says the export filled in that dev: it is left out again. Variables, loops and
 * anything else are problems at their line: vpnlab reads the script, it does not run it.
 */

export const ipReader: SourceReader = {
  format: 'ip',
  accepts: (source) => basename(source.path) === 'ip.sh'
    || (/\.sh$/i.test(source.path) && /^\s*(ip(\s+-4)?\s+(link|address|addr|route)\s+(add|replace|append)\b|ip link show \S+ >\/dev\/null 2>&1 \|\| ip link add)/m.test(source.text)
      && !/^\s*(az|aliyun)\s/m.test(source.text)),
  read: (source, draft) => readIp(source, draft),
};

interface Word {
  readonly text: string;
  readonly column: number;
}

interface Device {
  name: string;
  origin: Origin;
  addresses: { value: string; origin: Origin }[];
  mtu?: { value: number; origin: Origin };
  xfrm?: { ifId: number; dev?: string; origin: Origin; devOrigin?: Origin; ifIdOrigin: Origin };
  mss?: { value: number; origin: Origin };
}

const SYSCTLS = /^net\.ipv4\.(ip_forward=1|conf\.[A-Za-z0-9_./-]+\.rp_filter=[02])$/;

function readIp(source: ImportSource, draft: TopologyDraft): void {
  const at = (line: number, column = 1): Origin => ({ file: source.path, line, column });
  const group = groupOf(draft, source, at(1));
  const lines = source.text.split(/\r?\n/);
  const header: { text: string; origin: Origin }[] = [];
  for (let n = 0; n < lines.length && /^\s*#/.test(lines[n]!); n++) if (!lines[n]!.startsWith('#!')) header.push({ text: lines[n]!.replace(/^\s*#\s?/, '').trim(), origin: at(n + 1) });
  readHeader(group, header);
  const devices = new Map<string, Device>();
  const order: string[] = [];
  const routes: { fields: Record<string, unknown>; cites: Cite[] }[] = [];
  const cabling = new Map<string, NicComment>();
  let markedDev: string | undefined;
  const device = (name: string, origin: Origin): Device => {
    let d = devices.get(name);
    if (d === undefined) {
      d = { name, origin, addresses: [] };
      devices.set(name, d);
      order.push(name);
    }
    return d;
  };
  const problem = (origin: Origin, message: string, fix = 'write the command out with its values, or describe it in the topology by hand'): void => draft.problem(origin, 'IMPORT_IP_UNKNOWN', message, fix);

  for (let index = 0; index < lines.length; index++) {
    const lineNo = index + 1;
    let line = lines[index]!;
    // Backslash continuations join the next lines.
    while (line.endsWith('\\') && index + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++index]!}`;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#!')) continue;
    if (trimmed.startsWith('#')) {
      const body = trimmed.replace(/^#\s?/, '');
      const cabled = /^(\S+) \((?:subnet (\S+)|(the Internet))\)$/.exec(body);
      if (cabled !== null) cabling.set(cabled[1]!, { ...(cabled[2] === undefined ? { internet: true } : { subnet: cabled[2] }), origin: at(lineNo, 3) });
      const marked = /^vpnlab: not in the topology: dev (\S+)/.exec(body);
      if (marked !== null) markedDev = marked[1];
      continue;
    }
    const words = split(line);
    if (words === undefined) {
      problem(at(lineNo), 'a quote is not closed on this line', 'close the quote');
      continue;
    }
    for (const command of commands(words)) {
      const first = command[0];
      if (first === undefined) continue;
      const origin = at(lineNo, first.column);
      const texts = command.map((w) => w.text);
      if (texts.some((t) => /[$`]/.test(t))) {
        problem(at(lineNo, command.find((w) => /[$`]/.test(w.text))!.column), `${texts.join(' ')}: a variable or command substitution; vpnlab reads the script, it does not run it`);
        continue;
      }
      const name = first.text;
      if (name === 'set' || name === 'true' || name === ':' || name === 'exit') continue;
      if (name === 'sysctl') {
        const settings = texts.slice(1).filter((t) => !t.startsWith('-'));
        if (!settings.every((s) => SYSCTLS.test(s))) draft.note(origin, 'IMPORT_IP_SKIPPED', `${texts.join(' ')}: skipped (vpnlab's gateways forward with rp_filter off; other sysctls are not emulated)`);
        continue;
      }
      if (name === 'iptables') {
        readIptables(command, origin, device, draft);
        continue;
      }
      if (name !== 'ip') {
        problem(origin, `${name}: ip.sh is read for ip and iptables commands`, 'remove the line, or describe what it does in the topology by hand');
        continue;
      }
      const args = texts.slice(1).filter((t) => t !== '-4');
      const object = args[0] ?? '';
      const verb = args[1] ?? '';
      const word = (n: number): Origin => at(lineNo, command[texts.indexOf(args[n]!, 1)]?.column ?? first.column);
      if (/^(link|l)$/.test(object) && /^(show|sh|list)$/.test(verb)) continue;
      if (/^(del|delete|flush)$/.test(verb)) {
        draft.note(origin, 'IMPORT_IP_SKIPPED', `${texts.join(' ')}: skipped (a deletion; vpnlab reads what the script adds)`);
        continue;
      }
      if (/^(link|l)$/.test(object) && /^(add|a)$/.test(verb)) {
        // ip link add NAME type xfrm …, or ip link add dev|name NAME type xfrm …
        const named = args[2] === 'dev' || args[2] === 'name';
        const linkName = named ? args[3] : args[2];
        const options = pairs(args, named ? 4 : 3);
        const type = options.get('type')?.value;
        const ifIdText = options.get('if_id')?.value;
        const ifId = ifIdText === undefined ? undefined : /^0x[0-9a-f]{1,8}$/i.test(ifIdText) ? parseInt(ifIdText, 16) : /^\d{1,10}$/.test(ifIdText) ? Number(ifIdText) : undefined;
        const known = [...options.keys()].every((k) => k === 'type' || k === 'if_id' || k === 'dev');
        if (linkName === undefined || type !== 'xfrm' || ifId === undefined || !known) {
          problem(origin, `${texts.join(' ')}: vpnlab reads \`ip link add NAME type xfrm [dev DEV] if_id N\``);
          continue;
        }
        const d = device(linkName, origin);
        const underlying = options.get('dev');
        d.xfrm = {
          ifId, origin, ifIdOrigin: word(options.get('if_id')!.at + 1),
          ...(underlying === undefined || underlying.value === markedDev ? {} : { dev: underlying.value, devOrigin: word(underlying.at + 1) }),
        };
        markedDev = undefined;
        continue;
      }
      if (/^(link|l)$/.test(object) && verb === 'set') {
        const target = args[2] === 'dev' ? args[3] : args[2];
        const rest = args.slice(args[2] === 'dev' ? 4 : 3);
        if (target === undefined) {
          problem(origin, `${texts.join(' ')}: no interface named`);
          continue;
        }
        const d = device(target, origin);
        for (let i = 0; i < rest.length; i++) {
          const r = rest[i]!;
          if (r === 'up') continue;
          if (r === 'mtu' && /^\d{1,5}$/.test(rest[i + 1] ?? '')) {
            d.mtu = { value: Number(rest[i + 1]), origin: word(args.indexOf(r) + 1) };
            i++;
            continue;
          }
          problem(origin, `${texts.join(' ')}: vpnlab reads \`ip link set NAME [mtu N] up\``);
          break;
        }
        continue;
      }
      if (/^(address|addr|a)$/.test(object) && /^(add|replace|a|change)$/.test(verb)) {
        const address = args[2];
        const options = pairs(args, 3);
        const dev = options.get('dev')?.value;
        const extra = [...options.keys()].filter((k) => k !== 'dev');
        if (address === undefined || dev === undefined || extra.length > 0) {
          problem(origin, `${texts.join(' ')}: vpnlab reads \`ip address add A/LEN dev NAME\``);
          continue;
        }
        device(dev, origin).addresses.push({ value: address, origin: word(2) });
        continue;
      }
      if (/^(route|r)$/.test(object) && /^(add|replace|append|a)$/.test(verb)) {
        const to = args[2] === 'default' ? '0.0.0.0/0' : args[2];
        const fields: Record<string, unknown> = { to };
        const cites: Cite[] = [{ path: ['to'], origin: word(2) }];
        let ok = to !== undefined;
        for (const [key, { value, at: n }] of pairs(args, 3)) {
          if (key === 'via' || key === 'dev') fields[key] = value;
          else if ((key === 'metric' || key === 'preference' || key === 'priority') && /^\d{1,10}$/.test(value)) fields['metric'] = Number(value);
          else {
            problem(word(n), `ip route … ${key} ${value}: vpnlab reads to, via, dev and metric of a route`);
            ok = false;
            continue;
          }
          cites.push({ path: [key === 'preference' || key === 'priority' ? 'metric' : key], origin: word(n + 1) });
        }
        if (ok) routes.push({ fields, cites });
        continue;
      }
      problem(origin, `${texts.join(' ')}: vpnlab reads ip link add/set, ip address add and ip route add`);
    }
  }

  const fields: Record<string, unknown> = {};
  const cites: Cite[] = [];
  const interfaces: Record<string, unknown>[] = [];
  const xfrm: Record<string, unknown>[] = [];
  for (const name of order) {
    const d = devices.get(name)!;
    if (d.xfrm !== undefined) {
      const path = ['xfrm', xfrm.length];
      const entry: Record<string, unknown> = { name, if_id: d.xfrm.ifId };
      cites.push({ path: [...path, 'name'], origin: d.xfrm.origin }, { path: [...path, 'if_id'], origin: d.xfrm.ifIdOrigin });
      if (d.xfrm.dev !== undefined) {
        entry['dev'] = d.xfrm.dev;
        cites.push({ path: [...path, 'dev'], origin: d.xfrm.devOrigin! });
      }
      if (d.addresses.length > 0) {
        entry['addresses'] = d.addresses.map((a) => a.value);
        cites.push({ path: [...path, 'addresses'], origin: d.addresses[0]!.origin });
      }
      if (d.mtu !== undefined) {
        entry['mtu'] = d.mtu.value;
        cites.push({ path: [...path, 'mtu'], origin: d.mtu.origin });
      }
      if (d.mss !== undefined) {
        entry['set-mss'] = d.mss.value;
        cites.push({ path: [...path, 'set-mss'], origin: d.mss.origin });
      }
      xfrm.push(entry);
      continue;
    }
    if (d.mss !== undefined) draft.problem(d.mss.origin, 'IMPORT_IP_VALUE', `the MSS clamp on ${name}: vpnlab clamps on XFRM interfaces (set-mss)`, `add ${name} with ip link add … type xfrm, or remove the rule`);
    if (d.addresses.length === 0) {
      if (d.mtu !== undefined) draft.problem(d.origin, 'IMPORT_IP_VALUE', `${name}: an MTU but no address; a NIC of the linux block has one address`, `give ${name} an address with ip address add`);
      continue;
    }
    if (d.addresses.length > 1) draft.problem(d.addresses[1]!.origin, 'IMPORT_IP_VALUE', `${name} has a second address: a NIC of the linux block has one`, 'keep one address per NIC');
    const path = ['interfaces', interfaces.length];
    const entry: Record<string, unknown> = { name, address: d.addresses[0]!.value };
    cites.push({ path: [...path, 'name'], origin: d.addresses[0]!.origin }, { path: [...path, 'address'], origin: d.addresses[0]!.origin });
    if (d.mtu !== undefined) {
      entry['mtu'] = d.mtu.value;
      cites.push({ path: [...path, 'mtu'], origin: d.mtu.origin });
    }
    interfaces.push(entry);
  }
  if (interfaces.length > 0) fields['interfaces'] = interfaces;
  if (xfrm.length > 0) fields['xfrm'] = xfrm;
  if (routes.length > 0) {
    fields['routes'] = routes.map((r) => r.fields);
    routes.forEach((r, n) => {
      for (const c of r.cites) cites.push({ path: ['routes', n, ...c.path], origin: c.origin });
    });
  }
  const part: IpPart = { file: source.path, fields, cites, cabling };
  group.ip = part;
}

/** `iptables -t mangle -A|-I FORWARD -o NAME -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss N`. */
function readIptables(command: readonly Word[], origin: Origin, device: (name: string, origin: Origin) => Device, draft: TopologyDraft): void {
  const texts = command.map((w) => w.text);
  if (texts.includes('-C')) return;
  const after = (flag: string): string | undefined => {
    const i = texts.indexOf(flag);
    return i < 0 ? undefined : texts[i + 1];
  };
  const out = after('-o');
  const mss = after('--set-mss');
  const chain = after('-A') ?? after('-I');
  if (after('-t') !== 'mangle' || chain !== 'FORWARD' || out === undefined || after('-j') !== 'TCPMSS' || mss === undefined || !/^\d{1,5}$/.test(mss)) {
    draft.problem(origin, 'IMPORT_IP_UNKNOWN', `${texts.join(' ')}: vpnlab reads the MSS clamp \`iptables -t mangle -A FORWARD -o NAME -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss N\``,
      'vpnlab emulates no firewall; remove the rule or describe it by hand');
    return;
  }
  const column = command[texts.indexOf('--set-mss') + 1]!.column;
  device(out, origin).mss = { value: Number(mss), origin: { ...origin, column } };
}

/** A line split into shell words (quotes removed), or undefined when a quote is not closed. */
function split(line: string): Word[] | undefined {
  const words: Word[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /[ \t]/.test(line[i]!)) i++;
    if (i >= line.length || line[i] === '#') break;
    const start = i;
    let text = '';
    if (/[|&;]/.test(line[i]!)) {
      const op = /^(\|\||&&|;|\||&)/.exec(line.slice(i))![0];
      words.push({ text: op, column: start + 1 });
      i += op.length;
      continue;
    }
    while (i < line.length && !/[ \t|&;]/.test(line[i]!)) {
      const c = line[i]!;
      if (c === '\'' || c === '"') {
        const end = line.indexOf(c, i + 1);
        if (end < 0) return undefined;
        text += line.slice(i + 1, end);
        i = end + 1;
      } else if (c === '\\' && i + 1 < line.length) {
        text += line[i + 1];
        i += 2;
      } else {
        text += c;
        i++;
      }
    }
    // `2>&1` and the like: a redirection, not an operator.
    if (/^\d?>$/.test(text) && line[i] === '&') {
      const m = /^&\d/.exec(line.slice(i));
      if (m !== null) {
        text += m[0];
        i += m[0].length;
      }
    }
    words.push({ text, column: start + 1 });
  }
  return words;
}

/** The simple commands of a line, split at ||, &&, ;, | and &, without redirections. */
function commands(words: readonly Word[]): Word[][] {
  const out: Word[][] = [[]];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (/^(\|\||&&|;|\||&)$/.test(w.text)) {
      out.push([]);
      continue;
    }
    if (/^\d?>>?/.test(w.text)) {
      // `> FILE` names its file in the next word; `>FILE` and `2>&1` are one word.
      if (/^\d?>>?$/.test(w.text)) i++;
      continue;
    }
    out[out.length - 1]!.push(w);
  }
  return out.filter((c) => c.length > 0);
}

/** The `key value` pairs of an ip command from `from` on, each with the index of its key in `words`. */
function pairs(words: readonly string[], from: number): Map<string, { value: string; at: number }> {
  const out = new Map<string, { value: string; at: number }>();
  for (let i = from; i < words.length; i += 2) out.set(words[i]!, { value: words[i + 1] ?? '', at: i });
  return out;
}
