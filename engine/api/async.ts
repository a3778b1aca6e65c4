// OpenSSL's async job pool (ASYNC_init_thread): under SSL_MODE_ASYNC every I/O call runs inside a job, and a
// job stays taken while its SSL waits for an asynchronous operation. With a pool limit and every job taken,
// a call cannot start: SSL_ERROR_WANT_ASYNC_JOB.
let maxJobs = 0; // 0: no limit, as without ASYNC_init_thread
let inUse = 0;

export function ASYNC_init_thread(max_size: number, _init_size: number): number {
  maxJobs = max_size;
  return 1;
}

export function ASYNC_cleanup_thread(): void {
  maxJobs = 0;
}

/** Takes a job; false when the pool is exhausted. */
export function takeJob(): boolean {
  if (maxJobs > 0 && inUse >= maxJobs) return false;
  inUse++;
  return true;
}

export function releaseJob(): void {
  if (inUse > 0) inUse--;
}

export function jobsInUse(): number {
  return inUse;
}
