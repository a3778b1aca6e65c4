// Time left or time since expiry, in words a person reads at a glance.
import type { Validity } from './types';

const DAY = 86_400_000;

export function judgeValidity(notBefore: Date, notAfter: Date, now: Date): Validity {
  const state = now < notBefore ? 'not-yet-valid' : now > notAfter ? 'expired' : 'valid';
  const relative =
    state === 'valid' ? `expires in ${span(notAfter.getTime() - now.getTime())}`
    : state === 'expired' ? `expired ${span(now.getTime() - notAfter.getTime())} ago`
    : `valid in ${span(notBefore.getTime() - now.getTime())}`;
  return { notBefore: notBefore.toISOString(), notAfter: notAfter.toISOString(), state, relative };
}

export function span(ms: number): string {
  const days = Math.floor(ms / DAY);
  if (days >= 730) return `${Math.floor(days / 365)} years`;
  if (days >= 60) return `${Math.floor(days / 30)} months`;
  if (days >= 2) return `${days} days`;
  const hours = Math.floor(ms / 3_600_000);
  if (hours >= 2) return `${hours} hours`;
  const minutes = Math.max(1, Math.floor(ms / 60_000));
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/** `Nov 25 05:43:49 2026 GMT`, as openssl prints ASN1_TIME. */
export function opensslTime(iso: string): string {
  const d = new Date(iso);
  const mon = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const day = String(d.getUTCDate()).padStart(2, ' ');
  const t = d.toISOString().slice(11, 19);
  return `${mon} ${day} ${t} ${d.getUTCFullYear()} GMT`;
}
