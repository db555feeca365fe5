/**
 * A process's resident memory from /proc/PID/status: VmRSS now and VmHWM, the peak since the
 * process started or since the peak was last reset (writing 5 to /proc/PID/clear_refs, Linux 4.0+).
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface Memory {
  rssKb: number;
  peakKb: number;
}

export function readMemory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!m) throw new Error(`/proc/${pid}/status has no ${name}`);
    return Number(m[1]);
  };
  return { rssKb: field('VmRSS'), peakKb: field('VmHWM') };
}

/**
 * Makes VmHWM start again from the current RSS, so that a start-up peak does not count as growth.
 * Returns false where that is not allowed (then VmHWM is the peak since the process started).
 */
export function peakRssReset(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
