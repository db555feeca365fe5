/*
 * strongSwan's settings syntax (swanctl.conf(5), strongswan.conf(5)), read with the place of every
 * key: `name { … }` sections, `key = value` (the value runs to the end of the line, or is one
 * "quoted string" with backslash escapes, which may span lines), `#` comments, `include PATTERN`.
 * A comment `# vpnlab: not in the topology …` marks the key or section right after it: vpnlab's
 * exporter writes it above a value the topology leaves to a default, so the reader can leave it out.
 *
 * Nothing here throws: what does not parse is an error with its line and column, and the parse
 * goes on with the next line. Sections nest at most MAX_DEPTH deep (swanctl.conf needs four).
 */

export interface Place {
  readonly line: number;
  readonly column: number;
}

export interface SettingsKey {
  readonly kind: 'key';
  readonly name: string;
  readonly value: string;
  readonly at: Place;
  /** Where the value starts. */
  readonly valueAt: Place;
  readonly marked: boolean;
}

export interface SettingsSection {
  readonly kind: 'section';
  readonly name: string;
  readonly at: Place;
  readonly items: (SettingsKey | SettingsSection)[];
  readonly marked: boolean;
}

export interface SettingsInclude {
  readonly pattern: string;
  readonly at: Place;
}

export interface SettingsFile {
  readonly items: (SettingsKey | SettingsSection)[];
  readonly includes: SettingsInclude[];
  /** The comment lines at the top of the file, without their `#`. */
  readonly header: string[];
  readonly errors: { readonly at: Place; readonly message: string }[];
}

export const MAX_DEPTH = 16;
export const NOT_IN_TOPOLOGY = 'vpnlab: not in the topology';

const NAME = /^[A-Za-z0-9_.%*+-][A-Za-z0-9_.%*+\-/@:]*/;

export function parseSettings(text: string): SettingsFile {
  const file: SettingsFile = { items: [], includes: [], header: [], errors: [] };
  const stack: SettingsSection[] = [];
  let items = file.items;
  let marked = false;
  let leading = true;
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const lineNo = index + 1;
    let rest = lines[index]!;
    let column = 1;
    const skip = (): void => {
      const trimmed = rest.replace(/^[ \t]+/, '');
      column += rest.length - trimmed.length;
      rest = trimmed;
    };
    const error = (message: string): void => {
      file.errors.push({ at: { line: lineNo, column }, message });
    };
    // A line may hold several items (`a { b = 1 }`): take them one by one.
    for (;;) {
      skip();
      if (rest === '') break;
      if (rest.startsWith('#')) {
        const body = rest.slice(1).trim();
        if (leading) file.header.push(body);
        if (body.startsWith(NOT_IN_TOPOLOGY)) marked = true;
        break;
      }
      leading = false;
      if (rest.startsWith('}')) {
        if (stack.length === 0) error('a `}` without a section to close');
        else {
          stack.pop();
          items = stack.length === 0 ? file.items : stack[stack.length - 1]!.items;
        }
        rest = rest.slice(1);
        column += 1;
        continue;
      }
      const include = /^include\s+(\S.*)$/.exec(rest);
      if (include !== null && !/^include\s*[={]/.test(rest)) {
        file.includes.push({ pattern: stripComment(include[1]!).trim().replace(/^"(.*)"$/, '$1'), at: { line: lineNo, column } });
        break;
      }
      const name = NAME.exec(rest);
      if (name === null) {
        error(`\`${rest.slice(0, 20)}\` is neither a \`key = value\` nor a section \`name {\``);
        break;
      }
      const at = { line: lineNo, column };
      rest = rest.slice(name[0].length);
      column += name[0].length;
      skip();
      if (rest.startsWith('{')) {
        if (stack.length >= MAX_DEPTH) {
          error(`sections nest deeper than ${MAX_DEPTH}`);
          return file;
        }
        const section: SettingsSection = { kind: 'section', name: name[0], at, items: [], marked };
        marked = false;
        items.push(section);
        stack.push(section);
        items = section.items;
        rest = rest.slice(1);
        column += 1;
        continue;
      }
      if (rest.startsWith(':')) {
        column = at.column;
        error(`section ${name[0]} refers to other sections (\`name : template\`); vpnlab reads each section written out`);
        break;
      }
      if (!rest.startsWith('=')) {
        error(`\`${name[0]}\` is followed by neither \`=\` nor \`{\``);
        break;
      }
      rest = rest.slice(1);
      column += 1;
      skip();
      const valueAt = { line: lineNo, column };
      let value: string;
      if (rest.startsWith('"')) {
        // A quoted string: escapes, and it may run on over the next lines.
        let out = '';
        let i = 1;
        let text = rest;
        let closed = false;
        for (;;) {
          while (i < text.length) {
            const c = text[i]!;
            if (c === '\\' && i + 1 < text.length) {
              const n = text[i + 1]!;
              out += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n;
              i += 2;
            } else if (c === '"') {
              closed = true;
              break;
            } else {
              out += c;
              i++;
            }
          }
          if (closed || index + 1 >= lines.length) break;
          out += '\n';
          index++;
          text = lines[index]!;
          i = 0;
          column = 1;
        }
        if (!closed) {
          file.errors.push({ at: valueAt, message: 'a quoted value is not closed' });
          return file;
        }
        value = out;
        const after = text.slice(i + 1);
        const tail = stripComment(after).trim();
        if (tail !== '' && !tail.startsWith('}')) {
          file.errors.push({ at: valueAt, message: `text after the quoted value of ${name[0]}` });
          items.push({ kind: 'key', name: name[0], value, at, valueAt, marked });
          marked = false;
          break;
        }
        items.push({ kind: 'key', name: name[0], value, at, valueAt, marked });
        marked = false;
        rest = after;
        column = 1 + (text.length - after.length);
        continue;
      }
      // A bare value: the rest of the line, without a comment, up to a closing brace.
      const bare = stripComment(rest);
      const brace = bare.indexOf('}');
      value = (brace < 0 ? bare : bare.slice(0, brace)).trim();
      items.push({ kind: 'key', name: name[0], value, at, valueAt, marked });
      marked = false;
      if (brace < 0) break;
      rest = bare.slice(brace);
      column = valueAt.column + brace;
    }
  }
  if (stack.length > 0) {
    const open = stack[stack.length - 1]!;
    file.errors.push({ at: open.at, message: `section ${open.name} is not closed` });
  }
  return file;
}

function stripComment(text: string): string {
  const hash = text.indexOf('#');
  return hash < 0 ? text : text.slice(0, hash);
}
