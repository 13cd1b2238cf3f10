/** Shared by the network sources (http_server, syslog): listen addresses and server-side TLS options. */
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:net';
import type { TlsOptions } from 'node:tls';
import type { z } from '../core/schema.js';
import type { tlsServer } from '../core/schema.js';
import { errorMessage } from '../core/errors.js';
import { splitAddress } from '../core/net.js';

export type TlsServerConfig = z.output<ReturnType<typeof tlsServer>>;

/**
 * Certificate, key and (optional) CA read from the configured files. With `verify_client`, clients
 * must present a certificate signed by `ca_file` (mutual TLS); without it none is asked for.
 */
export async function tlsServerOptions(tls: TlsServerConfig, where: string): Promise<TlsOptions> {
  const read = async (key: string, path: string): Promise<Buffer> => {
    try {
      return await readFile(path);
    } catch (err) {
      throw new Error(`${where}.tls.${key}: cannot read ${path}: ${errorMessage(err)}`);
    }
  };
  const [cert, key, ca] = await Promise.all([
    read('cert_file', tls.cert_file),
    read('key_file', tls.key_file),
    tls.ca_file ? read('ca_file', tls.ca_file) : Promise.resolve(undefined),
  ]);
  if (tls.verify_client && ca === undefined) throw new Error(`${where}.tls.ca_file: required when verify_client is true`);
  return { cert, key, ca, requestCert: tls.verify_client, rejectUnauthorized: tls.verify_client };
}

/** Listens on `address` (host:port; port 0 = any free port) and returns the bound port. */
export function listen(server: Server, address: string): Promise<{ host: string; port: number }> {
  const { host, port } = splitAddress(address);
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(new Error(`cannot listen on ${address}: ${errorMessage(err)}`));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const a = server.address();
      resolve({ host, port: a !== null && typeof a === 'object' ? a.port : port });
    });
  });
}
