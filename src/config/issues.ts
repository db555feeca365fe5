import { closest } from 'fastest-levenshtein';
import { VpnlabError } from '../core/errors.js';
import { boundText } from './display.js';
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

/** Issues of each severity kept for one file; past this they are counted, not listed (as compilers stop at an error limit). */
export const MAX_ISSUES = 100;

/**
 * An issue whose text is safe to print: control characters escaped, message and hint cut (their
 * values were cut to a few dozen characters already; this bounds the rest).
 */
export function boundIssue(issue: ConfigIssue): ConfigIssue {
  const safe: ConfigIssue = {
    severity: issue.severity, code: boundText(issue.code, 100), file: boundText(issue.file), line: issue.line, column: issue.column,
    path: boundText(issue.path), message: boundText(issue.message),
  };
  if (issue.hint !== undefined) safe.hint = boundText(issue.hint);
  return safe;
}

/** A configuration file (topology, `bgp run` config) that cannot be used, with every problem found. */
export class ConfigError extends VpnlabError {
  readonly issues: ConfigIssue[];
  /** Errors found, including those past MAX_ISSUES that are only counted. */
  readonly errorCount: number;

  constructor(issues: ConfigIssue[], errorCount?: number) {
    const safe = issues.map(boundIssue);
    const first = safe[0];
    super('ERR_CONFIG_INVALID', first === undefined ? 'invalid configuration file' : formatIssue(first));
    this.issues = safe;
    this.errorCount = errorCount ?? safe.filter((i) => i.severity === 'error').length;
  }
}

/** Collects issues against one source file: at most MAX_ISSUES of each severity, every text bounded. */
export class IssueCollector {
  readonly issues: ConfigIssue[] = [];
  private readonly source: DocumentSource;
  private readonly codePrefix: string;
  private readonly listed = { error: 0, warning: 0 };
  private readonly omitted = { error: 0, warning: 0 };

  constructor(source: DocumentSource, codePrefix: string) {
    this.source = source;
    this.codePrefix = codePrefix;
  }

  add(severity: Severity, code: string, path: DocPath, message: string, hint?: string, atKey = false): void {
    if (this.full(severity)) return;
    const pos = this.source.locate(path, atKey);
    const issue: ConfigIssue = { severity, code, file: this.source.file, line: pos.line, column: pos.column, path: formatPath(path), message };
    if (hint !== undefined) issue.hint = hint;
    this.issues.push(boundIssue(issue));
  }

  /** Adds an issue already located (a YAML syntax error). */
  addAt(severity: Severity, code: string, line: number, column: number, path: string, message: string): void {
    if (this.full(severity)) return;
    this.issues.push(boundIssue({ severity, code, file: this.source.file, line, column, path, message }));
  }

  private full(severity: Severity): boolean {
    if (this.listed[severity] < MAX_ISSUES) {
      this.listed[severity]++;
      return false;
    }
    this.omitted[severity]++;
    return true;
  }

  /** Errors found, listed or not. */
  get errorCount(): number {
    return this.listed.error + this.omitted.error;
  }

  /** The issues in file order, ending with one that counts those not listed. */
  sorted(): ConfigIssue[] {
    const list = [...this.issues].sort((a, b) => a.line - b.line || a.column - b.column);
    const { error, warning } = this.omitted;
    if (error + warning > 0) {
      const counts = [error > 0 ? `${error} more error(s)` : '', warning > 0 ? `${warning} more warning(s)` : ''].filter((t) => t !== '').join(' and ');
      list.push({
        severity: error > 0 ? 'error' : 'warning', code: `${this.codePrefix}_TOO_MANY_ISSUES`, file: this.source.file, line: 1, column: 1,
        path: '(file)', message: `${counts} not shown (at most ${MAX_ISSUES} of each are listed)`, hint: 'fix these and check again',
      });
    }
    return list;
  }

  /** Throws ConfigError with every issue (sorted, the omitted ones counted). */
  fail(): never {
    throw new ConfigError(this.sorted(), this.errorCount);
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

/**
 * `file:line:col: error: path: message` then the hint, as compilers print; with `code`,
 * `file:line:col: error TOPO_ADDRESS_OVERLAP: path: message` (what `vpnlab check` prints).
 */
export function formatIssue(issue: ConfigIssue, options: { code?: boolean } = {}): string {
  const kind = options.code === true ? `${issue.severity} ${issue.code}` : issue.severity;
  const head = `${issue.file}:${issue.line}:${issue.column}: ${kind}: ${issue.path}: ${issue.message}`;
  return issue.hint === undefined ? head : `${head}\n    ${issue.hint}`;
}

/** A hint for a name that resolves to nothing: the nearest known one, and the list. */
export function suggest(name: string, known: readonly string[]): string {
  if (known.length === 0) return 'there are none defined';
  return `did you mean '${closest(name, [...known])}'? known: ${known.join(', ')}`;
}
