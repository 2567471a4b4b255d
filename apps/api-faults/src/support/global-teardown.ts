import { privatePostgres, privateRedis } from './services';

/** Stops the private servers (their directories under /tmp are wiped by the next run's setup). */
export default async function globalTeardown(): Promise<void> {
  privateRedis.kill();
  privatePostgres.stop();
}
