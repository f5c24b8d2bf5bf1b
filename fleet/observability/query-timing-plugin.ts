// Times every query that goes through Kysely, whichever driver is underneath. Kysely calls
// transformQuery just before executing and transformResult right after, both with the same
// queryId object, so a WeakMap keyed by it pairs them (and forgets queries never run).
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import type { Histogram } from 'prom-client';

export class QueryTimingPlugin implements KyselyPlugin {
  readonly #started = new WeakMap<object, bigint>();
  readonly #histogram: Histogram<never>;

  constructor(histogram: Histogram<never>) {
    this.#histogram = histogram;
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.#started.set(args.queryId, process.hrtime.bigint());
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const started = this.#started.get(args.queryId);
    if (started !== undefined) {
      this.#histogram.observe(Number(process.hrtime.bigint() - started) / 1e9);
      this.#started.delete(args.queryId);
    }
    return args.result;
  }
}
