import { PolicyError, PolicyErrorCode } from './errors.js';

/*
 * Cisco/FRR AS-path regular expressions (see the 'as-path' condition in types.ts). The pattern is
 * a character-level regex over the printed path, as on those routers: `^650` also matches a path
 * starting with 65010; write `^650_` or `^65010_` to mean whole ASNs.
 */

/** What `_` stands for: the start or end of the path, or a character between ASNs. */
const DELIMITER = '(?:^|$|[ ,{}()\\[\\]])';
const ALLOWED = /^[0-9^$_.*+?()[\]| -]*$/;

export function compileAsPathRegex(pattern: string, where: string): RegExp {
  if (!ALLOWED.test(pattern)) {
    throw new PolicyError(PolicyErrorCode.BadRegex, where,
      `AS-path regex '${pattern}' may use only digits, space and ^ $ _ . * + ? ( ) [ ] | -`);
  }
  let source = '';
  let inClass = false;
  for (const ch of pattern) {
    if (inClass) {
      if (ch === ']') inClass = false;
      source += ch;
    } else if (ch === '[') {
      inClass = true;
      source += ch;
    } else if (ch === '_') {
      source += DELIMITER;
    } else {
      source += ch;
    }
  }
  try {
    return new RegExp(source);
  } catch (e) {
    throw new PolicyError(PolicyErrorCode.BadRegex, where, `AS-path regex '${pattern}' does not compile (${(e as Error).message})`);
  }
}
