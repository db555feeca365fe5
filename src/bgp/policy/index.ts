export * from './types.js';
export * from './errors.js';
export * from './policy.js';
export * from './community.js';
export { compilePrefixEntry, prefixInRange, prefixListMatches, type PrefixRange } from './prefix-list.js';
export { compileAsPathRegex } from './as-path-regex.js';
