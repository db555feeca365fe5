/** Left-aligned columns separated by two spaces, no trailing blanks (as `ip`, `ss` and FRR print). */
export function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd());
}

/**
 * PowerShell's Format-Table layout, as Windows prints cmdlet output: a blank line, the headers,
 * dashes under each header, the rows, with every column (the last one too) padded to the widest of
 * its header and values and one space between columns, then two blank lines.
 */
export function powerShellTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, c) => cell.padEnd(widths[c]!)).join(' ');
  return ['', line(headers), line(headers.map((h) => '-'.repeat(h.length))), ...rows.map(line), '', ''].join('\n') + '\n';
}
