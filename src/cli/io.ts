/** Where a command writes: main.ts gives process.stdout/stderr, the tests a buffer. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** A command that ran but failed (ping with no reply) sets this to 1. */
  exitCode?: number;
}
