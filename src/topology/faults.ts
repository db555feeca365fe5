import type { Fault } from './schema.js';

/*
 * What a fault acts on — a link or subnet segment, a node, or one tunnel — read once from the
 * file's `faults` or a `--fault` option, and used as is by the checks and the emulator.
 */

export type FaultTarget =
  | { readonly kind: 'link'; readonly name: string }
  | { readonly kind: 'node'; readonly name: string }
  /** One tunnel: `site/instance:connection` (its path across the Internet is cut). */
  | { readonly kind: 'tunnel'; readonly name: string; readonly instance: string; readonly connection: string };

/** "site/instance:connection" split at its last colon, or undefined when it has none or an empty part. */
export function parseTunnelTarget(text: string): FaultTarget & { kind: 'tunnel' } | undefined {
  const colon = text.lastIndexOf(':');
  if (colon <= 0 || colon === text.length - 1) return undefined;
  return { kind: 'tunnel', name: text, instance: text.slice(0, colon), connection: text.slice(colon + 1) };
}

/** The target of a fault of the file; undefined unless it names exactly one of link, node, tunnel (a well-formed one). */
export function faultTargetOf(fault: Fault): FaultTarget | undefined {
  if ([fault.link, fault.node, fault.tunnel].filter((t) => t !== undefined).length !== 1) return undefined;
  if (fault.link !== undefined) return { kind: 'link', name: fault.link };
  if (fault.node !== undefined) return { kind: 'node', name: fault.node };
  return parseTunnelTarget(fault.tunnel!);
}

/** A target as typed after `--fault TIME:down|up:`: a tunnel when it has a colon, else a link when `isLink` says so, else a node. */
export function parseFaultTarget(text: string, isLink: (name: string) => boolean): FaultTarget | undefined {
  if (text.includes(':')) return parseTunnelTarget(text);
  return isLink(text) ? { kind: 'link', name: text } : { kind: 'node', name: text };
}
