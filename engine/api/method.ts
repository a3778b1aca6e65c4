// SSL_METHOD values (SSL_CTX_new's argument). `built` says whether the engine speaks that protocol yet;
// SSL_CTX_new refuses the others with a clear error rather than pretending.
export interface SSL_METHOD {
  readonly name: string;
  readonly family: 'tls' | 'dtls';
  /** 0 for the version-flexible methods, else the one version it speaks. */
  readonly version: number;
  readonly side: 'client' | 'server' | 'both';
  readonly built: boolean;
}

const m = (name: string, family: 'tls' | 'dtls', version: number, side: SSL_METHOD['side'], built: boolean): SSL_METHOD =>
  Object.freeze({ name, family, version, side, built });

// The version-flexible TLS methods negotiate SSL 3.0 to TLS 1.3 within SSL_CTX_set_min/max_proto_version; the
// fixed-version ones speak their one version. DTLS_method negotiates DTLS 1.0 or 1.2; DTLSv1(_2)_method one of them.
const TLS_BUILT = true;
const TLS12_BUILT = true;
const DTLS_BUILT = true;
const SSL3_BUILT = true;

export const TLS_method = () => m('TLS_method', 'tls', 0, 'both', TLS_BUILT);
export const TLS_client_method = () => m('TLS_client_method', 'tls', 0, 'client', TLS_BUILT);
export const TLS_server_method = () => m('TLS_server_method', 'tls', 0, 'server', TLS_BUILT);
export const SSLv23_method = () => m('SSLv23_method', 'tls', 0, 'both', TLS_BUILT);
export const SSLv23_client_method = () => m('SSLv23_client_method', 'tls', 0, 'client', TLS_BUILT);
export const SSLv23_server_method = () => m('SSLv23_server_method', 'tls', 0, 'server', TLS_BUILT);
export const TLSv1_2_method = () => m('TLSv1_2_method', 'tls', 0x0303, 'both', TLS12_BUILT);
export const TLSv1_2_client_method = () => m('TLSv1_2_client_method', 'tls', 0x0303, 'client', TLS12_BUILT);
export const TLSv1_2_server_method = () => m('TLSv1_2_server_method', 'tls', 0x0303, 'server', TLS12_BUILT);
export const TLSv1_1_method = () => m('TLSv1_1_method', 'tls', 0x0302, 'both', TLS12_BUILT);
export const TLSv1_1_client_method = () => m('TLSv1_1_client_method', 'tls', 0x0302, 'client', TLS12_BUILT);
export const TLSv1_1_server_method = () => m('TLSv1_1_server_method', 'tls', 0x0302, 'server', TLS12_BUILT);
export const TLSv1_method = () => m('TLSv1_method', 'tls', 0x0301, 'both', TLS12_BUILT);
export const TLSv1_client_method = () => m('TLSv1_client_method', 'tls', 0x0301, 'client', TLS12_BUILT);
export const TLSv1_server_method = () => m('TLSv1_server_method', 'tls', 0x0301, 'server', TLS12_BUILT);
export const SSLv3_method = () => m('SSLv3_method', 'tls', 0x0300, 'both', SSL3_BUILT);
export const SSLv3_client_method = () => m('SSLv3_client_method', 'tls', 0x0300, 'client', SSL3_BUILT);
export const SSLv3_server_method = () => m('SSLv3_server_method', 'tls', 0x0300, 'server', SSL3_BUILT);
export const DTLS_method = () => m('DTLS_method', 'dtls', 0, 'both', DTLS_BUILT);
export const DTLS_client_method = () => m('DTLS_client_method', 'dtls', 0, 'client', DTLS_BUILT);
export const DTLS_server_method = () => m('DTLS_server_method', 'dtls', 0, 'server', DTLS_BUILT);
export const DTLSv1_method = () => m('DTLSv1_method', 'dtls', 0xfeff, 'both', DTLS_BUILT);
export const DTLSv1_client_method = () => m('DTLSv1_client_method', 'dtls', 0xfeff, 'client', DTLS_BUILT);
export const DTLSv1_server_method = () => m('DTLSv1_server_method', 'dtls', 0xfeff, 'server', DTLS_BUILT);
export const DTLSv1_2_method = () => m('DTLSv1_2_method', 'dtls', 0xfefd, 'both', DTLS_BUILT);
export const DTLSv1_2_client_method = () => m('DTLSv1_2_client_method', 'dtls', 0xfefd, 'client', DTLS_BUILT);
export const DTLSv1_2_server_method = () => m('DTLSv1_2_server_method', 'dtls', 0xfefd, 'server', DTLS_BUILT);
