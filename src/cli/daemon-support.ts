import { VpnlabError } from '../core/errors.js';

/* What the daemon commands (`bgp`, `ike`) share: calling a daemon's HTTP API and running until a signal. */

/** Calls a daemon's API; connection failures and API errors become one clear VpnlabError. */
export async function callApi<T>(daemon: 'bgp' | 'ike', api: string, path: string, method = 'GET'): Promise<T> {
  const tag = daemon.toUpperCase();
  let res: Response;
  try {
    res = await fetch(`${api.replace(/\/+$/, '')}/api/v1/${path}`, { method });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (e as Error).message;
    throw new VpnlabError(`ERR_${tag}_API_UNREACHABLE`, `cannot reach the ${tag} daemon's API at ${api} (${why}): is \`vpnlab ${daemon} run\` running, with api enabled?`);
  }
  const body = await res.json() as T & { error?: { code: string; message: string } };
  if (!res.ok) throw new VpnlabError(`ERR_${tag}_API_${body.error?.code ?? res.status}`, body.error?.message ?? `HTTP ${res.status}`);
  return body;
}

/** Resolves after SIGINT or SIGTERM, once `stop` has finished. */
export function runUntilSignal(log: (line: string) => void, what: string, stop: () => Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    const finish = (signal: string) => {
      log(`${signal}: stopping (${what})`);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      void stop().then(resolve);
    };
    const onInt = () => finish('SIGINT');
    const onTerm = () => finish('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}

export function timestamped(out: (text: string) => void): (line: string) => void {
  return (line) => out(`${new Date().toISOString()} ${line}\n`);
}
