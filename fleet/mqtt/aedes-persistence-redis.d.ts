// aedes-persistence-redis ships no types: the factory as this project uses it (an ioredis
// connection handed in), returning a callback-style aedes persistence.
declare module 'aedes-persistence-redis' {
  import type { Redis } from 'ioredis';
  interface RedisPersistence {
    destroy(): Promise<void>;
  }
  function aedesPersistenceRedis(options: { conn: Redis; maxSessionDelivery?: number }): RedisPersistence;
  export default aedesPersistenceRedis;
}
