import { prefixContains, type Ipv4Address, type Prefix } from '../../net/address.js';
import { asPathCount, asPathLength, asPathPrepend, formatAsPath, neighbourAs, originAs, LOCAL_NEIGHBOUR } from '../rib/as-path.js';
import type { AsPathSegment, Asn, LargeCommunity, PathAttributes } from '../types.js';
import { compileAsPathRegex } from './as-path-regex.js';
import { largeCommunitiesEqual } from './community.js';
import { PolicyError, PolicyErrorCode } from './errors.js';
import { compilePrefixEntry, overlapsAny, prefixListMatches } from './prefix-list.js';
import type { Action, Condition, Policy, Statement } from './types.js';

/** Facts about the session a policy runs for. */
export interface PolicyContext {
  localAs: Asn;
  /** Our address on the session ('self' next hop). */
  localAddress: Ipv4Address;
  peerAddress: Ipv4Address;
}

export interface PolicyOutcome {
  accepted: boolean;
  /** The route's attributes after the actions (the input object itself when nothing changed). */
  attrs: PathAttributes;
  /** Set by a set-weight action, else undefined (the peer's default applies). */
  weight: number | undefined;
  /** True when an action set the next hop (export then keeps it instead of next-hop-self). */
  nextHopSet: boolean;
  /** Which statement decided (its name, or `#<index>`), or 'default'. */
  decidedBy: string;
}

type Test = (prefix: Prefix, attrs: PathAttributes, asPathText: () => string) => boolean;

/** A route being rewritten: copied on the first change, arrays replaced rather than mutated. */
interface Draft {
  attrs: PathAttributes;
  copied: boolean;
  weight: number | undefined;
  nextHopSet: boolean;
}

type Apply = (d: Draft, ctx: PolicyContext) => void;

interface CompiledStatement {
  label: string;
  tests: Test[];
  actions: Apply[];
  result: Statement['result'];
}

/**
 * A validated policy, ready to run. Compilation checks every value once (regexes, prefix ranges,
 * 32-bit numbers) and reports the first problem with its place: "policy 'azure-out' statement 2
 * ('no-default') condition 1: ...".
 */
export class CompiledPolicy {
  readonly name: string;
  readonly definition: Policy;
  /**
   * True when no condition looks at the prefix: the outcome is then a function of the attributes
   * alone, and the RIB evaluates the policy once per attribute set instead of once per route.
   */
  readonly prefixIndependent: boolean;
  private readonly statements: CompiledStatement[];
  private readonly defaultAccept: boolean;
  /** Printed AS paths of frozen (interned) paths, for the regex conditions. */
  private readonly pathText = new WeakMap<readonly AsPathSegment[], string>();

  constructor(policy: Policy) {
    this.name = policy.name;
    this.definition = policy;
    this.defaultAccept = policy.default === 'accept';
    let independent = true;
    this.statements = policy.statements.map((s, i) => {
      const label = s.name !== undefined ? s.name : `#${i + 1}`;
      const where = `policy '${policy.name}' statement ${i + 1}${s.name !== undefined ? ` ('${s.name}')` : ''}`;
      const tests = (s.conditions ?? []).map((c, j) => {
        if (dependsOnPrefix(c)) independent = false;
        return compileCondition(c, `${where} condition ${j + 1}`);
      });
      const actions = (s.actions ?? []).map((a, j) => compileAction(a, `${where} action ${j + 1}`));
      if (s.result !== 'accept' && s.result !== 'reject' && s.result !== 'next') {
        throw new PolicyError(PolicyErrorCode.BadValue, where, `result '${String(s.result)}' is not accept, reject or next`);
      }
      return { label, tests, actions, result: s.result };
    });
    this.prefixIndependent = independent;
  }

  apply(prefix: Prefix, attrs: PathAttributes, ctx: PolicyContext): PolicyOutcome {
    const draft: Draft = { attrs, copied: false, weight: undefined, nextHopSet: false };
    const text = (): string => this.asPathText(draft.attrs.asPath);
    for (const s of this.statements) {
      if (!s.tests.every((t) => t(prefix, draft.attrs, text))) continue;
      for (const act of s.actions) act(draft, ctx);
      if (s.result === 'next') continue;
      return outcome(draft, s.result === 'accept', s.label);
    }
    return outcome(draft, this.defaultAccept, 'default');
  }

  private asPathText(path: readonly AsPathSegment[]): string {
    if (!Object.isFrozen(path)) return formatAsPath(path);
    let text = this.pathText.get(path);
    if (text === undefined) {
      text = formatAsPath(path);
      this.pathText.set(path, text);
    }
    return text;
  }
}

export function compilePolicy(policy: Policy): CompiledPolicy {
  return new CompiledPolicy(policy);
}

function outcome(d: Draft, accepted: boolean, decidedBy: string): PolicyOutcome {
  return { accepted, attrs: d.attrs, weight: d.weight, nextHopSet: d.nextHopSet, decidedBy };
}

function dependsOnPrefix(c: Condition): boolean {
  switch (c.type) {
    case 'prefix':
    case 'prefix-overlaps':
      return true;
    case 'not':
      return dependsOnPrefix(c.condition);
    case 'any':
      return c.conditions.some(dependsOnPrefix);
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Conditions

function compileCondition(c: Condition, where: string): Test {
  switch (c.type) {
    case 'prefix': {
      const ranges = c.entries.map((e, i) => compilePrefixEntry(e, `${where} entry ${i + 1}`));
      return (prefix) => prefixListMatches(ranges, prefix);
    }
    case 'prefix-overlaps': {
      const list = c.prefixes.map((p, i) => compilePrefixEntry({ prefix: p }, `${where} prefix ${i + 1}`).prefix);
      return (prefix) => overlapsAny(list, prefix);
    }
    case 'as-path': {
      const re = compileAsPathRegex(c.regex, where);
      return (_p, _a, text) => re.test(text());
    }
    case 'as-path-contains': {
      const asn = checkU32(c.asn, where, 'asn');
      return (_p, a) => asPathCount(a.asPath, asn) > 0;
    }
    case 'as-path-origin': {
      const asn = checkU32(c.asn, where, 'asn');
      return (_p, a) => originAs(a.asPath) === asn;
    }
    case 'as-path-neighbour': {
      const asn = checkU32(c.asn, where, 'asn');
      return (_p, a) => neighbourAs(a.asPath) === asn;
    }
    case 'as-path-length': {
      const min = c.min === undefined ? 0 : checkU32(c.min, where, 'min');
      const max = c.max === undefined ? Infinity : checkU32(c.max, where, 'max');
      if (min > max) throw new PolicyError(PolicyErrorCode.BadValue, where, `min ${min} is greater than max ${max}`);
      return (_p, a) => {
        const n = asPathLength(a.asPath);
        return n >= min && n <= max;
      };
    }
    case 'community': {
      const wanted = c.communities.map((v, i) => checkU32(v, where, `community ${i + 1}`));
      const all = matchMode(c.match, where) === 'all';
      return (_p, a) => {
        const have = a.communities ?? [];
        return all ? wanted.every((w) => have.includes(w)) : wanted.some((w) => have.includes(w));
      };
    }
    case 'large-community': {
      const wanted = c.communities.map((v, i) => checkLarge(v, `${where} community ${i + 1}`));
      const all = matchMode(c.match, where) === 'all';
      return (_p, a) => {
        const have = a.largeCommunities ?? [];
        const has = (w: LargeCommunity): boolean => have.some((h) => largeCommunitiesEqual(h, w));
        return all ? wanted.every(has) : wanted.some(has);
      };
    }
    case 'origin': {
      const origin = checkOrigin(c.origin, where);
      return (_p, a) => a.origin === origin;
    }
    case 'next-hop': {
      const list = c.prefixes.map((p, i) => compilePrefixEntry({ prefix: p }, `${where} prefix ${i + 1}`).prefix);
      return (_p, a) => a.nextHop !== undefined && list.some((p) => prefixContains(p, a.nextHop!));
    }
    case 'not': {
      const inner = compileCondition(c.condition, `${where} (not)`);
      return (p, a, t) => !inner(p, a, t);
    }
    case 'any': {
      const inner = c.conditions.map((x, i) => compileCondition(x, `${where} (any ${i + 1})`));
      return (p, a, t) => inner.some((f) => f(p, a, t));
    }
    default:
      throw new PolicyError(PolicyErrorCode.BadValue, where, `unknown condition type '${(c as { type: string }).type}'`);
  }
}

function matchMode(m: 'any' | 'all' | undefined, where: string): 'any' | 'all' {
  if (m === undefined || m === 'any' || m === 'all') return m ?? 'any';
  throw new PolicyError(PolicyErrorCode.BadValue, where, `match '${String(m)}' is not any or all`);
}

// ---------------------------------------------------------------------------------------------
// Actions

function write(d: Draft): PathAttributes {
  if (!d.copied) {
    d.attrs = { ...d.attrs };
    d.copied = true;
  }
  return d.attrs;
}

function compileAction(a: Action, where: string): Apply {
  switch (a.type) {
    case 'set-local-pref': {
      const v = checkU32(a.value, where, 'value');
      return (d) => void (write(d).localPref = v);
    }
    case 'set-med': {
      const v = checkU32(a.value, where, 'value');
      return (d) => void (write(d).med = v);
    }
    case 'remove-med':
      return (d) => {
        if (d.attrs.med !== undefined) delete write(d).med;
      };
    case 'set-origin': {
      const origin = checkOrigin(a.origin, where);
      return (d) => void (write(d).origin = origin);
    }
    case 'set-communities': {
      const list = a.communities.map((v, i) => checkU32(v, where, `community ${i + 1}`));
      return (d) => void (write(d).communities = [...list]);
    }
    case 'add-communities': {
      const list = a.communities.map((v, i) => checkU32(v, where, `community ${i + 1}`));
      return (d) => {
        const have = d.attrs.communities ?? [];
        const added = list.filter((c, i) => !have.includes(c) && list.indexOf(c) === i);
        if (added.length > 0) write(d).communities = [...have, ...added];
      };
    }
    case 'remove-communities': {
      const list = a.communities.map((v, i) => checkU32(v, where, `community ${i + 1}`));
      return (d) => {
        const have = d.attrs.communities;
        if (have === undefined) return;
        const kept = have.filter((c) => !list.includes(c));
        if (kept.length !== have.length) write(d).communities = kept;
      };
    }
    case 'set-large-communities': {
      const list = a.communities.map((v, i) => checkLarge(v, `${where} community ${i + 1}`));
      return (d) => void (write(d).largeCommunities = [...list]);
    }
    case 'add-large-communities': {
      const list = a.communities.map((v, i) => checkLarge(v, `${where} community ${i + 1}`));
      return (d) => {
        const have = d.attrs.largeCommunities ?? [];
        const added: LargeCommunity[] = [];
        for (const c of list) {
          if (!have.some((h) => largeCommunitiesEqual(h, c)) && !added.some((h) => largeCommunitiesEqual(h, c))) added.push(c);
        }
        if (added.length > 0) write(d).largeCommunities = [...have, ...added];
      };
    }
    case 'remove-large-communities': {
      const list = a.communities.map((v, i) => checkLarge(v, `${where} community ${i + 1}`));
      return (d) => {
        const have = d.attrs.largeCommunities;
        if (have === undefined) return;
        const kept = have.filter((h) => !list.some((c) => largeCommunitiesEqual(h, c)));
        if (kept.length !== have.length) write(d).largeCommunities = kept;
      };
    }
    case 'prepend': {
      const count = a.count;
      if (!Number.isInteger(count) || count < 1 || count > MAX_PREPEND) {
        throw new PolicyError(PolicyErrorCode.BadValue, where, `count ${count} must be 1-${MAX_PREPEND}`);
      }
      const which = a.asn ?? 'own';
      if (which !== 'own' && which !== 'neighbour') checkU32(which, where, 'asn');
      return (d, ctx) => {
        let asn: number;
        if (which === 'own') asn = ctx.localAs;
        else if (which === 'neighbour') {
          const n = neighbourAs(d.attrs.asPath);
          if (n === undefined || n === LOCAL_NEIGHBOUR) return;
          asn = n;
        } else asn = which;
        write(d).asPath = asPathPrepend(d.attrs.asPath, asn, count);
      };
    }
    case 'set-weight': {
      const v = checkU32(a.value, where, 'value');
      return (d) => void (d.weight = v);
    }
    case 'set-next-hop': {
      const nh = a.nextHop;
      if (nh !== 'self' && nh !== 'peer-address') checkU32(nh, where, 'nextHop');
      return (d, ctx) => {
        write(d).nextHop = nh === 'self' ? ctx.localAddress : nh === 'peer-address' ? ctx.peerAddress : nh;
        d.nextHopSet = true;
      };
    }
    default:
      throw new PolicyError(PolicyErrorCode.BadValue, where, `unknown action type '${(a as { type: string }).type}'`);
  }
}

/** FRR caps `set as-path prepend` repeats at 10 per ASN token; 64 leaves room and stops accidents. */
const MAX_PREPEND = 64;

function checkU32(v: unknown, where: string, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new PolicyError(PolicyErrorCode.BadValue, where, `${field} ${String(v)} is not a 32-bit unsigned integer`);
  }
  return v;
}

function checkLarge(c: LargeCommunity, where: string): LargeCommunity {
  checkU32(c.globalAdmin, where, 'globalAdmin');
  checkU32(c.localData1, where, 'localData1');
  checkU32(c.localData2, where, 'localData2');
  return { globalAdmin: c.globalAdmin, localData1: c.localData1, localData2: c.localData2 };
}

function checkOrigin(o: unknown, where: string): 0 | 1 | 2 {
  if (o === 0 || o === 1 || o === 2) return o;
  throw new PolicyError(PolicyErrorCode.BadValue, where, `origin ${String(o)} is not 0 (IGP), 1 (EGP) or 2 (INCOMPLETE)`);
}
