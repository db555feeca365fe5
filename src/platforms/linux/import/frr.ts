import { basename } from 'node:path';
import type { ImportSource, Origin, SourceReader, TopologyDraft } from '../../imports.js';
import { groupOf, readHeader, setHostname, type Cite } from './gateways.js';

/*
 * The frr.conf reader: FRR's integrated configuration, line by line, into the gateway's `frr:`
 * block, which has FRR's own command words. Read: `router bgp ASN`, `bgp router-id`, `[no] bgp
 * ebgp-requires-policy`, `neighbor X remote-as | description | update-source | ebgp-multihop |
 * disable-connected-check | passive | timers`, and in `address-family ipv4 unicast` `network` and
 * `neighbor X maximum-prefix` (`neighbor X activate` is the default there). Lines FRR takes that
 * set nothing vpnlab emulates (hostname, log, frr defaults, …; see SKIPPED) are skipped with a
 * note — `hostname` names the gateway when no vpnlab header does. Any other line is a problem.
 */

/** Top-level lines that set nothing vpnlab emulates: skipped, with a note. */
const SKIPPED = /^(frr (version|defaults)|log |service |password |enable password |line vty|ip forwarding|ipv6 forwarding|no ipv6 forwarding|agentx|debug |end$)/;
/** Lines inside `router bgp` that change nothing vpnlab emulates. */
const BGP_SKIPPED = /^(no )?bgp log-neighbor-changes$/;

export const frrReader: SourceReader = {
  format: 'frr',
  accepts: (source) => /^(frr|bgpd)\.conf$/.test(basename(source.path))
    || (/\.conf$/i.test(source.path) && /^\s*router bgp \d+/m.test(source.text) && !/^\s*(connections|secrets)\s*\{/m.test(source.text)),
  read: (source, draft) => readFrr(source, draft),
};

type Context = 'top' | 'bgp' | 'af' | 'other-af' | 'other-router';

function readFrr(source: ImportSource, draft: TopologyDraft): void {
  const at = (line: number, column = 1): Origin => ({ file: source.path, line, column });
  const group = groupOf(draft, source, at(1));
  const lines = source.text.split(/\r?\n/);
  const header: { text: string; origin: Origin }[] = [];
  for (let n = 0; n < lines.length && /^\s*!/.test(lines[n]!); n++) header.push({ text: lines[n]!.replace(/^\s*!\s?/, '').trim(), origin: at(n + 1) });
  readHeader(group, header);
  const cites: Cite[] = [];
  const bgpPath = ['frr', 'router bgp'];
  let bgp: Record<string, unknown> | undefined;
  let neighbors: Record<string, Record<string, unknown>> = {};
  let context: Context = 'top';
  let seenBgp = false;
  const problem = (line: number, column: number, message: string, fix?: string): void => draft.problem(at(line, column), 'IMPORT_FRR_UNKNOWN', message, fix);
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const text = raw.trim();
    const column = raw.length - raw.trimStart().length + 1;
    if (text === '' || text.startsWith('!') || text.startsWith('#')) return;
    const words = text.split(/\s+/);
    const cite = (path: readonly (string | number)[], word = 0): void => {
      const offset = word === 0 ? 0 : text.indexOf(` ${words[word]!}`, words.slice(0, word).join(' ').length - 1) + 1;
      cites.push({ path: [...bgpPath, ...path], origin: at(lineNo, column + Math.max(0, offset)) });
    };
    if (context === 'other-router') {
      if (text === 'exit' && column === 1) context = 'top';
      return;
    }
    if (context === 'other-af') {
      if (text === 'exit-address-family' || text === 'exit') context = 'bgp';
      return;
    }
    if (context === 'top') {
      const router = /^router bgp (\d{1,10})$/.exec(text);
      if (router !== null) {
        if (seenBgp) {
          problem(lineNo, column, 'a second `router bgp`: the frr block holds one BGP instance', 'keep one router bgp');
          context = 'other-router';
          return;
        }
        seenBgp = true;
        bgp = { asn: Number(router[1]), neighbors: {} };
        neighbors = bgp['neighbors'] as Record<string, Record<string, unknown>>;
        cite(['asn'], 2);
        context = 'bgp';
        return;
      }
      if (/^router bgp /.test(text)) {
        problem(lineNo, column, `${text}: vpnlab reads \`router bgp ASN\` (no VRF, a number)`);
        context = 'other-router';
        return;
      }
      const hostname = /^hostname (\S+)$/.exec(text);
      if (hostname !== null) return setHostname(group, hostname[1]!, at(lineNo, column + 9));
      if (SKIPPED.test(text)) return draft.note(at(lineNo, column), 'IMPORT_FRR_SKIPPED', `\`${text}\`: skipped (it sets nothing vpnlab emulates)`);
      return problem(lineNo, column, `\`${text}\`: vpnlab reads router bgp from frr.conf`, 'remove the line, or describe what it does in the topology by hand');
    }
    if (text === 'exit' && context === 'bgp') {
      context = 'top';
      return;
    }
    if (text === 'exit-address-family' || (text === 'exit' && context === 'af')) {
      context = 'bgp';
      return;
    }
    if (context === 'bgp') {
      if (text === 'address-family ipv4 unicast' || text === 'address-family ipv4') {
        context = 'af';
        return;
      }
      if (/^address-family /.test(text)) {
        problem(lineNo, column, `${text}: vpnlab emulates IPv4 unicast only`, 'remove the address family');
        context = 'other-af';
        return;
      }
      const id = /^bgp router-id (\S+)$/.exec(text);
      if (id !== null) {
        bgp!['bgp router-id'] = id[1];
        return cite(['bgp router-id'], 2);
      }
      if (text === 'no bgp ebgp-requires-policy' || text === 'bgp ebgp-requires-policy') {
        bgp!['bgp ebgp-requires-policy'] = !text.startsWith('no ');
        return cite(['bgp ebgp-requires-policy']);
      }
      if (BGP_SKIPPED.test(text)) return draft.note(at(lineNo, column), 'IMPORT_FRR_SKIPPED', `\`${text}\`: skipped (it sets nothing vpnlab emulates)`);
    }
    const network = /^network (\S+)$/.exec(text);
    if (context === 'af' && network !== null) {
      const list = (bgp!['network'] ??= []) as string[];
      if (list.length === 0) cites.push({ path: [...bgpPath, 'network'], origin: at(lineNo, column + 8) });
      list.push(network[1]!);
      return;
    }
    const neighbor = /^neighbor (\S+) (\S+)(?: (.*))?$/.exec(text);
    if (neighbor === null) return problem(lineNo, column, `\`${text}\`: vpnlab has no field for it in ${context === 'af' ? 'address-family ipv4 unicast' : 'router bgp'}`, 'remove the line, or describe what it does in the topology by hand');
    const [, address, command, rest] = neighbor as unknown as [string, string, string, string | undefined];
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) {
      return problem(lineNo, column, `neighbor ${address}: vpnlab reads neighbours by IPv4 address (not peer groups or interfaces)`, 'write one neighbor line per peer address');
    }
    const path = ['neighbors', address];
    const entry = (neighbors[address] ??= {});
    const args = rest === undefined ? [] : rest.split(/\s+/);
    const number = (text: string | undefined): number | undefined => (text !== undefined && /^\d{1,10}$/.test(text) ? Number(text) : undefined);
    const set = (field: string, value: unknown): void => {
      if (!Object.hasOwn(entry, 'remote-as') && field !== 'remote-as' && !cites.some((c) => c.path.join(' ') === [...bgpPath, ...path].join(' '))) {
        cites.push({ path: [...bgpPath, ...path], origin: at(lineNo, column) });
      }
      entry[field] = value;
      cite([...path, field], 3);
    };
    if (context === 'af') {
      if (command === 'activate' && args.length === 0) return;
      if (command === 'maximum-prefix' && args.length === 1 && number(args[0]) !== undefined) return set('maximum-prefix', number(args[0]));
      if (command === 'soft-reconfiguration') return draft.note(at(lineNo, column), 'IMPORT_FRR_SKIPPED', `\`${text}\`: skipped (it changes nothing vpnlab emulates)`);
      return problem(lineNo, column, `\`${text}\`: vpnlab reads network and neighbor … maximum-prefix in address-family ipv4 unicast`, 'remove the line, or describe what it does in the topology by hand');
    }
    switch (command) {
      case 'remote-as': {
        const value = args[0] === 'external' || args[0] === 'internal' ? args[0] : number(args[0]);
        if (value === undefined || args.length !== 1) return draft.problem(at(lineNo, column), 'IMPORT_FRR_VALUE', `neighbor ${address} remote-as ${rest ?? ''}: an ASN, external or internal`);
        cites.push({ path: [...bgpPath, ...path], origin: at(lineNo, column) });
        return set('remote-as', value);
      }
      case 'description':
        return set('description', rest ?? '');
      case 'update-source':
        if (args.length !== 1) break;
        return set('update-source', args[0]);
      case 'ebgp-multihop':
        if (args.length === 0) return set('ebgp-multihop', 255);
        if (args.length === 1 && number(args[0]) !== undefined) return set('ebgp-multihop', number(args[0]));
        break;
      case 'disable-connected-check':
      case 'passive':
        if (args.length === 0) return set(command, true);
        break;
      case 'timers':
        if (args.length === 2 && number(args[0]) !== undefined && number(args[1]) !== undefined) return set('timers', [number(args[0]), number(args[1])]);
        break;
    }
    return problem(lineNo, column, `\`${text}\`: vpnlab has no field for it (a neighbour has remote-as, description, update-source, ebgp-multihop, disable-connected-check, passive, timers KEEPALIVE HOLD, maximum-prefix)`,
      'remove the line, or describe what it does in the topology by hand');
  });
  if (bgp === undefined) {
    if (!lines.some((l) => /^\s*router bgp /.test(l))) draft.note(at(1), 'IMPORT_FRR_NO_BGP', 'frr.conf has no router bgp: the gateway gets no frr block');
    group.frr = { file: source.path, fields: {}, cites };
    return;
  }
  group.frr = { file: source.path, fields: { frr: { 'router bgp': bgp } }, cites };
}
