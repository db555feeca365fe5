import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { createConnection, createServer, type Socket } from 'node:net';
import { formatIpv4, parseIpv4, type Ipv4Address } from '../net/address.js';
import {
  TransportError, type Endpoint, type TcpConnectOptions, type TcpListener, type TcpSocket, type TcpSocketHandlers,
  type Transport, type TransportErrorCode, type UdpDatagramEvent, type UdpSocket,
} from '../transport/types.js';

/**
 * The Transport interface on real sockets (node:net, node:dgram): the same daemons that run in
 * the simulator run here against real peers. Address 0 means "any" (0.0.0.0).
 */
/** A UDP socket of the real runtime: binding is asynchronous, so whether it worked comes later. */
export interface NodeUdpSocket extends UdpSocket {
  /** Resolves once bound; rejects with TransportError (ERR_ADDRESS_IN_USE, ERR_ADDRESS_NOT_LOCAL...). */
  whenBound(): Promise<Endpoint>;
}

export class NodeTransport implements Transport {
  bindUdp(local: { address?: Ipv4Address; port: number }, onDatagram: (event: UdpDatagramEvent) => void): NodeUdpSocket {
    const socket: DgramSocket = createSocket({ type: 'udp4', reuseAddr: false });
    const host = local.address === undefined ? '0.0.0.0' : formatIpv4(local.address);
    let bound: Endpoint = { address: local.address ?? 0, port: local.port };
    socket.on('message', (msg, rinfo) => {
      onDatagram({ local: bound, remote: { address: parseIpv4(rinfo.address), port: rinfo.port }, payload: new Uint8Array(msg) });
    });
    const bindResult = new Promise<Endpoint>((resolve, reject) => {
      socket.once('listening', () => {
        const a = socket.address();
        bound = { address: parseIpv4(a.address), port: a.port };
        resolve(bound);
      });
      // Before 'listening' an error is the bind failing; after it, a send that failed (the
      // datagram is lost, as UDP allows). Either way the socket must not crash the process.
      socket.on('error', (e: NodeJS.ErrnoException) => reject(bindFailure(e, `UDP ${host}:${local.port}`, local.port)));
    });
    bindResult.catch(() => undefined);
    socket.bind(local.port, host);
    return {
      whenBound: () => bindResult,
      get local() { return bound; },
      send: (remote: Endpoint, payload: Uint8Array) => {
        socket.send(payload, remote.port, formatIpv4(remote.address));
      },
      close: () => {
        socket.close();
      },
    };
  }

  connectTcp(options: TcpConnectOptions, handlers: TcpSocketHandlers): TcpSocket {
    const socket = createConnection({
      host: formatIpv4(options.remote.address),
      port: options.remote.port,
      ...(options.localAddress !== undefined ? { localAddress: formatIpv4(options.localAddress) } : {}),
      ...(options.localPort !== undefined ? { localPort: options.localPort } : {}),
      noDelay: true,
    });
    return wrap(socket, handlers, options.remote, true);
  }

  listenTcp(local: { address?: Ipv4Address; port: number }, onConnection: (socket: TcpSocket) => void): NodeTcpListener {
    const server = createServer({ noDelay: true }, (socket) => {
      onConnection(wrap(socket, {}, { address: parseIpv4(socket.remoteAddress ?? '0.0.0.0'), port: socket.remotePort ?? 0 }, false));
    });
    const listening = new Promise<Endpoint>((resolve, reject) => {
      server.once('listening', () => {
        const a = server.address();
        resolve(typeof a === 'object' && a !== null ? { address: parseIpv4(a.address), port: a.port } : { address: 0, port: local.port });
      });
      server.once('error', (e: NodeJS.ErrnoException) => reject(bindFailure(e, `listen on port ${local.port}`, local.port)));
    });
    server.listen(local.port, local.address === undefined ? '0.0.0.0' : formatIpv4(local.address));
    return {
      whenListening: () => listening,
      get local() {
        const a = server.address();
        return typeof a === 'object' && a !== null ? { address: parseIpv4(a.address), port: a.port } : { address: local.address ?? 0, port: local.port };
      },
      close: () => {
        server.close();
      },
    };
  }
}

/** A listener on a real socket: it is bound only once `whenListening()` resolves. */
export interface NodeTcpListener extends TcpListener {
  whenListening(): Promise<Endpoint>;
}

function errorCode(e: NodeJS.ErrnoException): TransportErrorCode {
  switch (e.code) {
    case 'ECONNREFUSED': return 'ERR_TCP_REFUSED';
    case 'ECONNRESET': case 'EPIPE': return 'ERR_TCP_RESET';
    case 'ETIMEDOUT': return 'ERR_TCP_TIMEOUT';
    case 'ENETUNREACH': return 'ERR_NET_UNREACHABLE';
    case 'EHOSTUNREACH': return 'ERR_HOST_UNREACHABLE';
    case 'EADDRINUSE': return 'ERR_ADDRESS_IN_USE';
    case 'EADDRNOTAVAIL': return 'ERR_ADDRESS_NOT_LOCAL';
    case 'EACCES': case 'EPERM': return 'ERR_PERMISSION_DENIED';
    default: return 'ERR_TCP_RESET';
  }
}

/** A bind or listen that failed; a port below 1024 refused says what the process lacks. */
function bindFailure(e: NodeJS.ErrnoException, what: string, port: number): TransportError {
  const code = errorCode(e);
  const hint = code === 'ERR_PERMISSION_DENIED' && port > 0 && port < 1024
    ? ': ports below 1024 need CAP_NET_BIND_SERVICE (or root); docs/security.md shows how to grant it alone' : '';
  return new TransportError(code, `${what}: ${e.message}${hint}`);
}

function wrap(socket: Socket, initial: TcpSocketHandlers, remote: Endpoint, active: boolean): TcpSocket {
  let handlers = initial;
  let error: TransportError | undefined;
  const pending: Uint8Array[] = [];
  let corked = false;
  socket.on('connect', () => handlers.onConnect?.());
  socket.on('data', (chunk: Buffer) => {
    const data = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (handlers.onData === undefined) pending.push(data.slice());
    else handlers.onData(data);
  });
  socket.on('end', () => handlers.onEnd?.());
  socket.on('error', (e: NodeJS.ErrnoException) => {
    error = new TransportError(errorCode(e), `${active ? 'connect to' : 'connection from'} ${formatIpv4(remote.address)}:${remote.port}: ${e.message}`);
  });
  socket.on('close', () => handlers.onClose?.(error));
  return {
    get local() {
      return { address: parseIpv4(socket.localAddress ?? '0.0.0.0'), port: socket.localPort ?? 0 };
    },
    remote,
    setHandlers: (h) => {
      handlers = h;
      if (h.onData !== undefined) for (const d of pending.splice(0)) h.onData(d);
    },
    write: (data) => {
      // Everything written in one tick goes out in as few segments and syscalls as possible: a
      // full-table advertisement is thousands of UPDATEs written back to back.
      if (!corked) {
        corked = true;
        socket.cork();
        process.nextTick(() => {
          corked = false;
          socket.uncork();
        });
      }
      socket.write(data);
    },
    end: () => {
      socket.end();
    },
    destroy: () => {
      socket.resetAndDestroy();
    },
  };
}
