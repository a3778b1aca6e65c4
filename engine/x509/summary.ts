// A certificate's short title, for CodeLens, hovers, diagnostics and pickers (the extension's one-line summaries
// are built in extension/summary-line.ts, in the display language).
import { commonName } from './name';
import type { CertificateInfo } from './types';

export function certificateTitle(c: CertificateInfo): string {
  return commonName(c.subject) ?? (c.subjectAltNames[0]?.value ?? c.subject.text) ?? '(empty subject)';
}
