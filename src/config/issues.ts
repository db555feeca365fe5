import { closest } from 'fastest-levenshtein';
import { VpnlabError } from '../core/errors.js';
import { formatPath, type DocPath, type DocumentSource } from './source.js';

export type Severity = 'error' | 'warning';

/** One problem found in a configuration file, located to the character. */
export interface ConfigIssue {
  severity: Severity;
  /** Stable identifier, e.g. TOPO_UNKNOWN_FIELD, TOPO_ADDRESS_OVERLAP. */
  code: string;
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
  /** How to fix it, or what is allowed. */
  hint?: string;
}

/** A configuration file (topology, `bgp run` config) that cannot be used, with every problem found. */
export class ConfigError extends VpnlabError {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    const first = issues[0];
    super('ERR_CONFIG_INVALID', first === undefined ? 'invalid configuration file' : formatIssue(first));
    this.issues = issues;
  }
}

/** Collects issues against one source file. */
export class IssueCollector {
  readonly issues: ConfigIssue[] = [];
  private readonly source: DocumentSource;

  constructor(source: DocumentSource) {
    this.source = source;
  }

  add(severity: Severity, code: string, path: DocPath, message: string, hint?: string, atKey = false): void {
    const pos = this.source.locate(path, atKey);
    const issue: ConfigIssue = { severity, code, file: this.source.file, line: pos.line, column: pos.column, path: formatPath(path), message };
    if (hint !== undefined) issue.hint = hint;
    this.issues.push(issue);
  }

  error(code: string, path: DocPath, message: string, hint?: string): void {
    this.add('error', code, path, message, hint);
  }

  warning(code: string, path: DocPath, message: string, hint?: string): void {
    this.add('warning', code, path, message, hint);
  }

  get errors(): ConfigIssue[] {
    return this.issues.filter((i) => i.severity === 'error');
  }
}

/** `file:line:col: error: path: message` then the hint, as compilers print. */
export function formatIssue(issue: ConfigIssue): string {
  const head = `${issue.file}:${issue.line}:${issue.column}: ${issue.severity}: ${issue.path}: ${issue.message}`;
  return issue.hint === undefined ? head : `${head}\n    ${issue.hint}`;
}

/** A hint for a name that resolves to nothing: the nearest known one, and the list. */
export function suggest(name: string, known: readonly string[]): string {
  if (known.length === 0) return 'there are none defined';
  return `did you mean '${closest(name, [...known])}'? known: ${known.join(', ')}`;
}
