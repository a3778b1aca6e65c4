// Loopback helpers shared by the TLS cases.
import type { AddressInfo, Server } from 'node:net';

export const HOST = '127.0.0.1';
/** Application writes in bulk transfers: 16 KiB, one full TLS record each. */
export const CHUNK = 16384;

export async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, HOST, r));
  return (server.address() as AddressInfo).port;
}

/** Stops listening and waits (at most 2 s) for the server's connections to close, so the next cell starts clean. */
export function close(server: Server): Promise<void> {
  return new Promise((r) => {
    const t = setTimeout(r, 2000);
    server.close(() => {
      clearTimeout(t);
      r();
    });
  });
}

/** Counts bytes until `total`, then resolves `done`. */
export function byteCounter(total: number): { count: (d: Uint8Array) => void; done: Promise<void> } {
  let received = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  return {
    count: (d) => {
      received += d.length;
      if (received >= total) resolve();
    },
    done,
  };
}

/** Resolves after the writable has drained, if it needs to. */
export async function drained(w: { writableNeedDrain: boolean; once(e: 'drain', f: () => void): unknown }): Promise<void> {
  if (w.writableNeedDrain) await new Promise<void>((r) => w.once('drain', r));
}
