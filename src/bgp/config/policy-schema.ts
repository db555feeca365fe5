import { z } from 'zod';
import { asn, ipv4, name, prefix } from '../../config/primitives.js';
import { parseIpv4, parsePrefix } from '../../net/address.js';
import { compileAsPathRegex } from '../policy/as-path-regex.js';
import { parseCommunity, parseLargeCommunity } from '../policy/community.js';
import type { Action, Condition, Policy, PrefixListEntry, Statement } from '../policy/types.js';
import { Origin } from '../types.js';

/*
 * Routing policy as users write it in a config file: statements with `match` and `set` blocks in
 * the words of FRR route-maps and GoBGP policies, turned into the engine's Policy (src/bgp/policy).
 *
 *   policies:
 *     - name: from-azure
 *       statements:
 *         - match: { prefix: ["0.0.0.0/0"] }      # never take a default route
 *           result: reject
 *         - match: { asPath: "^65010_" }
 *           set: { localPref: 200, addCommunities: ["65023:10"] }
 *       default: accept
 */

function valid(check: (text: string) => unknown): (text: string) => boolean {
  return (text) => {
    try {
      check(text);
      return true;
    } catch {
      return false;
    }
  };
}

function problem(check: (text: string) => unknown): (issue: { input: unknown }) => string {
  return (issue) => {
    try {
      check(String(issue.input));
      return 'invalid value';
    } catch (e) {
      return (e as Error).message;
    }
  };
}

const PREFIX_RANGE = /^(\S+)(?:\s+ge\s+(\d+))?(?:\s+le\s+(\d+))?$/;

/** `10.0.0.0/8`, `10.0.0.0/8 le 24`, `0.0.0.0/0 ge 25 le 32` (FRR prefix-list syntax). */
export function parsePrefixRange(text: string): PrefixListEntry {
  const m = PREFIX_RANGE.exec(text.trim());
  if (m === null) throw new Error(`'${text}' is not a prefix range: expected PREFIX [ge N] [le M], like 10.0.0.0/8 le 24`);
  const p = parsePrefix(m[1]!);
  const entry: PrefixListEntry = { prefix: p };
  if (m[2] !== undefined) entry.ge = Number(m[2]);
  if (m[3] !== undefined) entry.le = Number(m[3]);
  const ge = entry.ge ?? p.length;
  const le = entry.le ?? (entry.ge !== undefined ? 32 : p.length);
  if (!(p.length <= ge && ge <= le && le <= 32)) throw new Error(`'${text}': lengths must satisfy ${p.length} <= ge <= le <= 32`);
  return entry;
}

const prefixRange = z.string().refine(valid(parsePrefixRange), { error: problem(parsePrefixRange) })
  .meta({ description: 'Prefix with optional length range, FRR style: 10.0.0.0/8, 10.0.0.0/8 le 24, 0.0.0.0/0 ge 25', examples: ['10.0.0.0/8 le 24'] });
const community = z.string().refine(valid(parseCommunity), { error: problem(parseCommunity) })
  .meta({ description: 'RFC 1997 community ASN:value, or no-export / no-advertise / no-export-subconfed', examples: ['65010:100'] });
const largeCommunity = z.string().refine(valid(parseLargeCommunity), { error: problem(parseLargeCommunity) })
  .meta({ description: 'RFC 8092 large community global:local1:local2', examples: ['65010:1:2'] });
const asPathRegex = z.string().refine(valid((t) => compileAsPathRegex(t, 'asPath')), { error: problem((t) => compileAsPathRegex(t, 'asPath')) })
  .meta({ description: 'Cisco/FRR AS-path regular expression; _ matches a delimiter', examples: ['^65010_', '_65011$'] });
const origin = z.enum(['igp', 'egp', 'incomplete']);
const ORIGINS: Record<z.infer<typeof origin>, Origin> = { igp: Origin.IGP, egp: Origin.EGP, incomplete: Origin.INCOMPLETE };

const matchSchema = z.strictObject({
  prefix: z.array(prefixRange).min(1).optional().meta({ description: 'The route matches any of these prefix ranges' }),
  overlaps: z.array(prefix).min(1).optional().meta({ description: 'The route covers or lies inside one of these prefixes' }),
  asPath: asPathRegex.optional(),
  asPathContains: asn.optional().meta({ description: 'The AS appears anywhere in the path' }),
  originAs: asn.optional().meta({ description: 'The route was originated by this AS' }),
  neighbourAs: asn.optional().meta({ description: 'The route was learned from this neighbouring AS' }),
  asPathLength: z.strictObject({ min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional() }).optional(),
  community: z.array(community).min(1).optional(),
  communityMatch: z.enum(['any', 'all']).optional().meta({ description: "With `community`: any (default) or all of them" }),
  largeCommunity: z.array(largeCommunity).min(1).optional(),
  origin: origin.optional(),
  nextHop: z.array(prefix).min(1).optional().meta({ description: 'The next hop lies inside one of these prefixes' }),
}).meta({ description: 'Conditions; all must hold (none = always)' });

const prependSchema = z.union([
  z.number().int().min(1).max(32),
  z.strictObject({ asn: z.union([asn, z.enum(['own', 'neighbour'])]).optional(), count: z.number().int().min(1).max(32) }),
]).meta({ description: 'Prepend our AS this many times, or {asn: own|neighbour|N, count}' });

const setSchema = z.strictObject({
  localPref: z.number().int().min(0).max(4294967295).optional(),
  med: z.union([z.number().int().min(0).max(4294967295), z.literal('remove')]).optional(),
  origin: origin.optional(),
  communities: z.array(community).optional().meta({ description: 'Replace the communities (an empty list removes them all)' }),
  addCommunities: z.array(community).min(1).optional(),
  removeCommunities: z.array(community).min(1).optional(),
  largeCommunities: z.array(largeCommunity).optional(),
  addLargeCommunities: z.array(largeCommunity).min(1).optional(),
  removeLargeCommunities: z.array(largeCommunity).min(1).optional(),
  prepend: prependSchema.optional(),
  weight: z.number().int().min(0).max(65535).optional().meta({ description: 'Local weight (import policies only)' }),
  nextHop: z.union([ipv4, z.enum(['self', 'peer-address'])]).optional(),
}).meta({ description: 'Actions, applied in the order listed here' });

const statementSchema = z.strictObject({
  name: z.string().optional(),
  match: matchSchema.optional(),
  set: setSchema.optional(),
  result: z.enum(['accept', 'reject', 'next']).optional().meta({ description: 'accept (default) or reject ends evaluation; next goes on to the following statement' }),
});

export const policySchema = z.strictObject({
  name,
  statements: z.array(statementSchema).optional(),
  default: z.enum(['accept', 'reject']).optional().meta({ description: 'What happens to a route no statement accepted or rejected (default reject)' }),
}).meta({ description: 'A routing policy: statements in order, then the default' });

export type PolicyInput = z.infer<typeof policySchema>;
type MatchInput = z.infer<typeof matchSchema>;
type SetInput = z.infer<typeof setSchema>;

export function toPolicy(input: PolicyInput): Policy {
  const policy: Policy = { name: input.name, statements: (input.statements ?? []).map(toStatement) };
  if (input.default !== undefined) policy.default = input.default;
  return policy;
}

function toStatement(input: z.infer<typeof statementSchema>): Statement {
  const statement: Statement = { result: input.result ?? 'accept' };
  if (input.name !== undefined) statement.name = input.name;
  if (input.match !== undefined) statement.conditions = toConditions(input.match);
  if (input.set !== undefined) statement.actions = toActions(input.set);
  return statement;
}

function toConditions(m: MatchInput): Condition[] {
  const out: Condition[] = [];
  if (m.prefix !== undefined) out.push({ type: 'prefix', entries: m.prefix.map(parsePrefixRange) });
  if (m.overlaps !== undefined) out.push({ type: 'prefix-overlaps', prefixes: m.overlaps.map((p) => parsePrefix(p)) });
  if (m.asPath !== undefined) out.push({ type: 'as-path', regex: m.asPath });
  if (m.asPathContains !== undefined) out.push({ type: 'as-path-contains', asn: m.asPathContains });
  if (m.originAs !== undefined) out.push({ type: 'as-path-origin', asn: m.originAs });
  if (m.neighbourAs !== undefined) out.push({ type: 'as-path-neighbour', asn: m.neighbourAs });
  if (m.asPathLength !== undefined) out.push({ type: 'as-path-length', ...m.asPathLength });
  if (m.community !== undefined) out.push({ type: 'community', communities: m.community.map(parseCommunity), match: m.communityMatch ?? 'any' });
  if (m.largeCommunity !== undefined) out.push({ type: 'large-community', communities: m.largeCommunity.map(parseLargeCommunity) });
  if (m.origin !== undefined) out.push({ type: 'origin', origin: ORIGINS[m.origin] });
  if (m.nextHop !== undefined) out.push({ type: 'next-hop', prefixes: m.nextHop.map((p) => parsePrefix(p)) });
  return out;
}

function toActions(s: SetInput): Action[] {
  const out: Action[] = [];
  if (s.localPref !== undefined) out.push({ type: 'set-local-pref', value: s.localPref });
  if (s.med === 'remove') out.push({ type: 'remove-med' });
  else if (s.med !== undefined) out.push({ type: 'set-med', value: s.med });
  if (s.origin !== undefined) out.push({ type: 'set-origin', origin: ORIGINS[s.origin] });
  if (s.communities !== undefined) out.push({ type: 'set-communities', communities: s.communities.map(parseCommunity) });
  if (s.addCommunities !== undefined) out.push({ type: 'add-communities', communities: s.addCommunities.map(parseCommunity) });
  if (s.removeCommunities !== undefined) out.push({ type: 'remove-communities', communities: s.removeCommunities.map(parseCommunity) });
  if (s.largeCommunities !== undefined) out.push({ type: 'set-large-communities', communities: s.largeCommunities.map(parseLargeCommunity) });
  if (s.addLargeCommunities !== undefined) out.push({ type: 'add-large-communities', communities: s.addLargeCommunities.map(parseLargeCommunity) });
  if (s.removeLargeCommunities !== undefined) out.push({ type: 'remove-large-communities', communities: s.removeLargeCommunities.map(parseLargeCommunity) });
  if (typeof s.prepend === 'number') out.push({ type: 'prepend', count: s.prepend });
  else if (s.prepend !== undefined) out.push({ type: 'prepend', count: s.prepend.count, ...(s.prepend.asn !== undefined ? { asn: s.prepend.asn } : {}) });
  if (s.weight !== undefined) out.push({ type: 'set-weight', value: s.weight });
  if (s.nextHop !== undefined) out.push({ type: 'set-next-hop', nextHop: s.nextHop === 'self' || s.nextHop === 'peer-address' ? s.nextHop : parseIpv4(s.nextHop) });
  return out;
}
