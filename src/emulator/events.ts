/** One line of the emulation's event log, stamped with simulated time. */
export interface EmulationEvent {
  readonly timeMs: number;
  readonly node: string;
  readonly text: string;
}
