// The system trust store, decoded once per process: decoding ~150 anchors takes a noticeable moment, and the
// bundle only changes with a package update. Shared by the API's X509_STORE_set_default_paths, the session
// panel and the editor's chain checks.
import { loadSystemStore, type LoadedCerts } from './verify/trust-store';

let cached: LoadedCerts | undefined;

export function systemAnchors(): LoadedCerts {
  cached ??= loadSystemStore();
  return cached;
}
