import type { PlatformAdapter } from '../adapter.js';

/** A plain Linux site: hosts and routers only, no platform gateway. */
export const linuxAdapter: PlatformAdapter<'linux'> = {
  platform: 'linux',
  title: 'Linux',
  nodeNames: () => [],
  resolve: (ref) => ref.site,
  plan: () => undefined,
  check: () => {},
  pairing: {
    answerFix: (address) => `configure that Linux gateway with a tunnel to ${address}`,
  },
  views: () => [],
};
