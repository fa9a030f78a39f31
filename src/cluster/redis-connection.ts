import type { RedisOptions } from 'bullmq';
import { InvalidOptionError } from '../errors.js';

/**
 * ioredis options from a `redis://[user:password@]host[:port][/db]` URL (`rediss://` for TLS),
 * as BullMQ needs them: commands wait through a reconnect (`maxRetriesPerRequest: null`)
 * instead of failing after 20 tries, so a Redis restart pauses the workers and the driver
 * rather than failing their jobs; reconnecting backs off up to 2 s.
 */
export function redisOptions(url: string, option = 'cluster.redis'): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidOptionError(option, url, "a Redis URL such as 'redis://127.0.0.1:6379'");
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new InvalidOptionError(option, url, "a Redis URL such as 'redis://127.0.0.1:6379' (or rediss:// for TLS)");
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new InvalidOptionError(option, url, 'a Redis URL whose path is a database number');
  return {
    host: parsed.hostname === '' ? '127.0.0.1' : parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    db,
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(100 * times, 2_000),
  };
}
