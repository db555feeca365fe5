import { z } from 'zod';
import { isIpv4, parseInterfaceAddress, parsePrefix } from '../net/address.js';

/**
 * Value types shared by the core topology schema and the platform blocks. Values stay strings in
 * the parsed document (so messages can quote what the user wrote); the builder parses them.
 */
export const ipv4 = z.string()
  .refine(isIpv4, { message: 'expected an IPv4 address like 10.0.0.1' })
  .meta({ description: 'IPv4 address, dotted quad', examples: ['10.3.0.4'] });

function validPrefix(text: string): boolean {
  try {
    parsePrefix(text);
    return true;
  } catch {
    return false;
  }
}

export const prefix = z.string()
  .refine(validPrefix, { error: (issue) => prefixProblem(String(issue.input)) })
  .meta({ description: 'IPv4 prefix in CIDR notation, host bits zero', examples: ['10.3.0.0/16'] });

function prefixProblem(text: string): string {
  try {
    parsePrefix(text);
    return 'invalid prefix';
  } catch (e) {
    return (e as Error).message;
  }
}

function validInterfaceAddress(text: string): boolean {
  if (isIpv4(text)) return true;
  try {
    parseInterfaceAddress(text);
    return true;
  } catch {
    return false;
  }
}

/** `a.b.c.d/len` (address with its subnet), or a bare address when the interface names a subnet. */
export const interfaceAddress = z.string()
  .refine(validInterfaceAddress, { message: 'expected an interface address like 192.168.37.1/24 (or 192.168.37.1 with `subnet`)' })
  .meta({ description: 'Interface address with prefix length (a.b.c.d/len); the length may be omitted when `subnet` is given', examples: ['203.0.113.1/30'] });

const DURATION = /^(\d+(?:\.\d+)?)\s*(us|ms|s|m|h)$/;
const DURATION_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A duration: `5ms`, `0.5ms`, `2s`, `1m`, or a bare number of milliseconds. */
export const duration = z.union([z.number().nonnegative(), z.string().regex(DURATION, 'expected a duration like 5ms, 0.5ms, 2s or 1m')])
  .meta({ description: 'Duration: a number of milliseconds, or a string with unit us, ms, s, m or h', examples: ['5ms', '2s'] });

export function durationMs(value: number | string): number {
  if (typeof value === 'number') return value;
  const m = DURATION.exec(value)!;
  return Number(m[1]) * DURATION_MS[m[2]!]!;
}

const PERCENT = /^(\d+(?:\.\d+)?)%$/;

/** A probability: 0.01 or "1%". */
export const probability = z.union([z.number().min(0).max(1), z.string().regex(PERCENT, 'expected a fraction 0-1 or a percentage like 1%')])
  .meta({ description: 'Probability: a fraction from 0 to 1, or a percentage string like "0.5%"' });

export function probabilityValue(value: number | string): number {
  if (typeof value === 'number') return value;
  return Math.min(1, Number(PERCENT.exec(value)![1]) / 100);
}

const RATE = /^(\d+(?:\.\d+)?)\s*(bps|kbps|Kbps|Mbps|Gbps)$/;
const RATE_BPS: Record<string, number> = { bps: 1, kbps: 1e3, Kbps: 1e3, Mbps: 1e6, Gbps: 1e9 };

export const bandwidth = z.union([z.number().positive(), z.string().regex(RATE, 'expected a rate like 100Mbps or 1Gbps')])
  .meta({ description: 'Link rate: bits per second, or a string like 100Mbps' });

export function bandwidthBps(value: number | string): number {
  if (typeof value === 'number') return value;
  const m = RATE.exec(value)!;
  return Number(m[1]) * RATE_BPS[m[2]!]!;
}

/** Names of sites, hosts, routers, links: what users type on the command line. */
export const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'names use letters, digits, _ . - and start with a letter or digit')
  .meta({ description: 'A name: letters, digits, _ . - (starts with a letter or digit)' });

/** Autonomous system number, 1 to 4294967295 (4-octet ASNs, RFC 6793). */
export const asn = z.number().int().min(1).max(4294967295).meta({ description: 'Autonomous system number (1-4294967295)' });

/**
 * A secret (a pre-shared key): `writeOnly` in the published JSON Schema, which is how config
 * messages know never to show its value (schema-walk.ts, display.ts). Every secret field uses it.
 */
export function secret<T extends z.ZodType>(schema: T, description: string): T {
  return schema.meta({ description, writeOnly: true });
}
