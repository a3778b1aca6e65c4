// Constants of OpenSSL's SSL API with OpenSSL's values (include/openssl/ssl.h).
export const SSL_FILETYPE_PEM = 1;
export const SSL_FILETYPE_ASN1 = 2;

export const EVP_PKEY_RSA = 6;
export const EVP_PKEY_RSA_PSS = 912;
export const EVP_PKEY_EC = 408;
export const EVP_PKEY_ED25519 = 1087;
export const EVP_PKEY_ED448 = 1088;

export const SSL3_VERSION = 0x0300;
export const TLS1_VERSION = 0x0301;
export const TLS1_1_VERSION = 0x0302;
export const TLS1_2_VERSION = 0x0303;
export const TLS1_3_VERSION = 0x0304;
export const DTLS1_VERSION = 0xfeff;
export const DTLS1_2_VERSION = 0xfefd;
