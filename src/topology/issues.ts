import { VpnlabError } from '../core/errors.js';
import { formatPath, type DocPath, type TopologySource } from './source.js';

export type Severity = 'error' | 'warning';

/** One problem found in a topology file, located to the character. */
export interface TopologyIssue {
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

export class TopologyError extends VpnlabError {
  readonly issues: TopologyIssue[];

  constructor(issues: TopologyIssue[]) {
    const first = issues[0];
    super('ERR_TOPOLOGY_INVALID', first === undefined ? 'invalid topology' : formatIssue(first));
    this.issues = issues;
  }
}

/** Collects issues against one source file. */
export class IssueCollector {
  readonly issues: TopologyIssue[] = [];
  private readonly source: TopologySource;

  constructor(source: TopologySource) {
    this.source = source;
  }

  add(severity: Severity, code: string, path: DocPath, message: string, hint?: string, atKey = false): void {
    const pos = this.source.locate(path, atKey);
    const issue: TopologyIssue = { severity, code, file: this.source.file, line: pos.line, column: pos.column, path: formatPath(path), message };
    if (hint !== undefined) issue.hint = hint;
    this.issues.push(issue);
  }

  error(code: string, path: DocPath, message: string, hint?: string): void {
    this.add('error', code, path, message, hint);
  }

  warning(code: string, path: DocPath, message: string, hint?: string): void {
    this.add('warning', code, path, message, hint);
  }

  get errors(): TopologyIssue[] {
    return this.issues.filter((i) => i.severity === 'error');
  }
}

/** `file:line:col: error: path: message` then the hint, as compilers print. */
export function formatIssue(issue: TopologyIssue): string {
  const head = `${issue.file}:${issue.line}:${issue.column}: ${issue.severity}: ${issue.path}: ${issue.message}`;
  return issue.hint === undefined ? head : `${head}\n    ${issue.hint}`;
}
