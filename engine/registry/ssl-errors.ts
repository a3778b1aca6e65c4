// SSL_get_error's result codes (include/openssl/ssl.h) with what the seed's SSL_get_error page says each
// means and what the caller should do. The trace, CLI and panel explain API outcomes from this table.
export interface SslErrorRow {
  code: number;
  name: string;
  meaning: string;
  action: string;
}

export const SSL_ERRORS: readonly SslErrorRow[] = [
  { code: 0, name: 'SSL_ERROR_NONE', meaning: 'The TLS/SSL I/O operation completed.', action: 'Nothing: returned only when ret > 0.' },
  { code: 1, name: 'SSL_ERROR_SSL', meaning: 'A failure in the SSL library occurred, usually a protocol error.', action: 'Read the error queue (ERR_get_error) for the reason; the connection is unusable.' },
  { code: 2, name: 'SSL_ERROR_WANT_READ', meaning: 'The operation did not complete: it needs more data from the peer before it can go on.', action: 'Call the same function again with the same arguments once the underlying BIO is readable (select/poll, or SSL_wait).' },
  { code: 3, name: 'SSL_ERROR_WANT_WRITE', meaning: 'The operation did not complete: the underlying BIO cannot take more data now.', action: 'Call the same function again with the same arguments once the underlying BIO is writable.' },
  { code: 4, name: 'SSL_ERROR_WANT_X509_LOOKUP', meaning: 'The client certificate callback (SSL_CTX_set_client_cert_cb) asked to be called again.', action: 'Call the same I/O function again once the application has the certificate.' },
  { code: 5, name: 'SSL_ERROR_SYSCALL', meaning: 'A non-recoverable I/O error occurred, e.g. the peer closed the TCP connection without a close_notify.', action: 'Check errno / the error queue; the connection cannot be used further.' },
  { code: 6, name: 'SSL_ERROR_ZERO_RETURN', meaning: 'The peer closed the TLS connection for writing by sending a close_notify alert.', action: 'No more data will arrive; call SSL_shutdown to close our side.' },
  { code: 7, name: 'SSL_ERROR_WANT_CONNECT', meaning: 'The connect BIO has not finished connecting to the peer.', action: 'Call the same function again once the connection is established.' },
  { code: 8, name: 'SSL_ERROR_WANT_ACCEPT', meaning: 'The accept BIO has not accepted a connection yet.', action: 'Call the same function again once a client has connected.' },
  { code: 9, name: 'SSL_ERROR_WANT_ASYNC', meaning: 'An asynchronous crypto operation (SSL_MODE_ASYNC) is still in progress.', action: 'Call the same function again when the async job is done.' },
  { code: 10, name: 'SSL_ERROR_WANT_ASYNC_JOB', meaning: 'No async job was available from the pool (ASYNC_init_thread limit reached).', action: 'Retry once a running async job has finished.' },
  { code: 11, name: 'SSL_ERROR_WANT_CLIENT_HELLO_CB', meaning: 'The ClientHello callback (SSL_CTX_set_client_hello_cb) asked to be called again.', action: 'Call the same I/O function again once the application is ready.' },
];

const byCode = new Map(SSL_ERRORS.map((r) => [r.code, r]));

export function sslErrorByCode(code: number): SslErrorRow | undefined {
  return byCode.get(code);
}

export function sslErrorName(code: number): string {
  return byCode.get(code)?.name ?? `SSL_ERROR_${code}`;
}
