import { randomInt } from 'node:crypto';
import type { DaemonSettings } from '../bgp/config/daemon-schema.js';
import { BgpSpeaker } from '../bgp/speaker.js';
import { SeededRng } from '../core/rng.js';
import { formatIpv4 } from '../net/address.js';
import { startBgpApi, type BgpApi } from './bgp-api.js';
import { NodeTransport, type NodeTcpListener } from './node-transport.js';
import { SystemClock } from './system-clock.js';

/**
 * `vpnlab bgp run`: the BGP speaker on real sockets and the wall clock, with its control API.
 * The engine is the one the simulator runs; only the Transport, Clock and Rng differ.
 */
export class BgpDaemon {
  readonly speaker: BgpSpeaker;
  private api: BgpApi | undefined;
  private keepAlive: ReturnType<typeof setInterval> | undefined;
  private readonly settings: DaemonSettings;
  private readonly log: (line: string) => void;

  constructor(settings: DaemonSettings, log: (line: string) => void) {
    this.settings = settings;
    this.log = log;
    this.speaker = new BgpSpeaker(settings.speaker, {
      transport: new NodeTransport(),
      clock: new SystemClock(),
      // Jitter only: a fresh seed per run, logged so a run's timer draws can be replayed.
      rng: new SeededRng(this.seed()),
      log,
    });
  }

  private seed(): number {
    const seed = randomInt(0, 2 ** 31);
    this.log(`random seed ${seed}`);
    return seed;
  }

  /**
   * Listens (BGP, then the API) and starts every neighbour. Throws TransportError if a port or
   * the API socket is taken, VpnlabError if the socket's folder is unsafe (api-listen.ts).
   */
  async start(): Promise<void> {
    this.speaker.start();
    const listener = this.speaker.tcpListener as NodeTcpListener | undefined;
    try {
      if (listener !== undefined) {
        const at = await listener.whenListening();
        this.log(`listening for BGP on ${formatIpv4(at.address)}:${at.port}`);
      }
      if (this.settings.api !== undefined) {
        this.api = await startBgpApi(this.speaker, this.settings.api, this.log);
        for (const line of this.api.describe()) this.log(line);
      }
    } catch (e) {
      this.speaker.stop();
      throw e;
    }
    // The engine's timers do not hold the process open (an idle neighbour waiting to retry must not
    // end the daemon), so something else must.
    this.keepAlive = setInterval(() => {}, 1 << 30);
  }

  /** Sends Cease / Administrative Shutdown to every established neighbour and closes everything. */
  async stop(): Promise<void> {
    this.speaker.stop();
    if (this.keepAlive !== undefined) clearInterval(this.keepAlive);
    await this.api?.close();
    this.api = undefined;
  }

  /** The API's unix socket, once started. */
  apiSocket(): string | undefined {
    return this.api?.socket;
  }
}
