import type { TcpSocketHandlers, TransportError } from '../../transport/types.js';
import type { TcpState } from './options.js';

export type TcpEvent =
  | { kind: 'state'; from: TcpState; to: TcpState }
  | { kind: 'connect' }
  | { kind: 'data'; data: Uint8Array }
  | { kind: 'end' }
  | { kind: 'close'; error: TransportError | undefined }
  | { kind: 'finished' };

export interface TcpObservers {
  onStateChange?(from: TcpState, to: TcpState): void;
  onFinished?(): void;
}

/**
 * The callbacks a connection owes its owner, queued while it processes a segment or a timer and
 * run afterwards, in order, when its state is consistent. A callback may call back into the
 * connection: what that queues runs after it, in the same flush. Data that arrives while no
 * onData handler is set is held (with anything after it) until one is.
 */
export class CallbackQueue {
  handlers: TcpSocketHandlers;
  private readonly observers: TcpObservers;
  private events: TcpEvent[] = [];
  private held: TcpEvent[] = [];
  private flushing = false;

  constructor(handlers: TcpSocketHandlers, observers: TcpObservers) {
    this.handlers = handlers;
    this.observers = observers;
  }

  push(event: TcpEvent): void {
    this.events.push(event);
  }

  setHandlers(handlers: TcpSocketHandlers): void {
    this.handlers = handlers;
    if (this.held.length > 0 && handlers.onData !== undefined) {
      this.events = [...this.held, ...this.events];
      this.held = [];
    }
  }

  /** The owner aborted: it hears nothing more about data (state changes still go out). */
  discardData(): void {
    this.events = this.events.filter((e) => e.kind === 'state');
    this.held = [];
  }

  flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (let e = this.events.shift(); e !== undefined; e = this.events.shift()) this.dispatch(e);
    } finally {
      this.flushing = false;
    }
  }

  private dispatch(e: TcpEvent): void {
    const h = this.handlers;
    switch (e.kind) {
      case 'state': this.observers.onStateChange?.(e.from, e.to); return;
      case 'connect': h.onConnect?.(); return;
      case 'data':
        if (h.onData === undefined || this.held.length > 0) this.held.push(e);
        else h.onData(e.data);
        return;
      case 'end':
        if (this.held.length > 0) this.held.push(e);
        else h.onEnd?.();
        return;
      case 'close': h.onClose?.(e.error); return;
      case 'finished': this.observers.onFinished?.(); return;
    }
  }
}
