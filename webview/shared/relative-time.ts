// The engine's "time left" words (engine/x509/validity.ts: `expires in 3 months`, `expired 12 days ago`, `valid in
// 2 hours`) in the display language. Shared by the host (hovers, diagnostics) and the webviews (certificate cards), each
// passing its own t(); a string of another shape is returned as it is.
type T = (message: string, ...args: (string | number)[]) => string;

const UNITS: Record<string, string> = {
  years: '{0} years', months: '{0} months', days: '{0} days', hours: '{0} hours', minutes: '{0} minutes', minute: '{0} minute',
};

export function localizeRelative(relative: string, t: T): string {
  const m = /^(expires in|expired|valid in) (\d+) (years|months|days|hours|minutes|minute)( ago)?$/.exec(relative);
  if (!m || (m[1] === 'expired') !== (m[4] !== undefined)) return relative;
  const span = t(UNITS[m[3]!]!, Number(m[2]));
  return m[1] === 'expires in' ? t('expires in {0}', span) : m[1] === 'expired' ? t('expired {0} ago', span) : t('valid in {0}', span);
}
