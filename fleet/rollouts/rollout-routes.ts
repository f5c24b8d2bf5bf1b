// Rollouts over REST: create (operators), list and inspect (viewers), pause, resume and cancel
// (operators); and a device's job history under /devices/:id/jobs. Decisions live in the
// rollout service; these routes validate, authorise and shape the answers.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { ApiPluginOptions } from '../app.ts';
import type { RolloutRow } from '../db/tables/rollouts.ts';
import { requireRole } from '../auth/roles.ts';
import { deviceExists } from '../devices/device-repository.ts';
import { DeviceParams } from '../devices/device-schemas.ts';
import { errorResponses, errors } from '../errors.ts';
import { Page, PageQuery, decodeCursor, toPage } from '../http/pagination.ts';
import { JOB_ID_PATTERN } from '../ota/ota-messages.ts';
import { actorOf } from '../shadow/shadow-routes.ts';
import { jobsOfDevice } from './job-repository.ts';
import { CreateRolloutBody } from './rollout-config.ts';
import { devicesWithRole, findRollout, jobCounts, listRollouts } from './rollout-repository.ts';
import { DeviceJob, RolloutDetail, RolloutStatus, RolloutSummary, deviceJobView, rolloutDetail, rolloutSummary } from './rollout-schemas.ts';
import type { ControlOutcome, RolloutService } from './rollout-service.ts';

const RolloutParams = Type.Object({ id: Type.String({ pattern: JOB_ID_PATTERN }) });
const ListQuery = Type.Object({ ...PageQuery, status: Type.Optional(RolloutStatus) }, { additionalProperties: false });
const JobsQuery = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) }, { additionalProperties: false });

export function rolloutRoutes(service: RolloutService): FastifyPluginAsync<ApiPluginOptions> {
  return async function routes(app: FastifyInstance, { db }: ApiPluginOptions): Promise<void> {
    const tags = ['rollouts'];

    async function detail(id: string): Promise<RolloutDetail> {
      const row = await findRollout(db, id);
      if (!row) throw errors.notFound('rollout', id);
      const [counts, holdout, skipped] = await Promise.all([jobCounts(db, id), devicesWithRole(db, id, 'holdout'), devicesWithRole(db, id, 'skipped')]);
      return rolloutDetail(row, counts, holdout.length, skipped);
    }

    app.post<{ Body: Static<typeof CreateRolloutBody> }>(
      '',
      { onRequest: requireRole('operator'), schema: { summary: 'Create a rollout', tags, body: CreateRolloutBody, response: { 201: RolloutDetail, ...errorResponses(404, 409) } } },
      async (request, reply) => {
        const outcome = await service.create(request.body, actorOf(request.principal!));
        if (!outcome.ok) {
          if (outcome.code === 'unknown-artifact') throw errors.notFound('artifact', request.body.artifact);
          if (outcome.code === 'no-devices') throw errors.noEligibleDevices(outcome.reason);
          throw errors.validation(outcome.reason);
        }
        return reply.code(201).send(await detail(outcome.id));
      },
    );

    app.get<{ Querystring: Static<typeof ListQuery> }>(
      '',
      { onRequest: requireRole('viewer'), schema: { summary: 'List rollouts, newest first', tags, querystring: ListQuery, response: { 200: Page(RolloutSummary), ...errorResponses() } } },
      async (request) => {
        const { limit, cursor, status } = request.query;
        const rows = await listRollouts(db, { status: status as RolloutRow['status'] | undefined, beforeId: decodeCursor(cursor, 'string'), limit: limit + 1 });
        return toPage(rows, limit, (r) => r.id, rolloutSummary);
      },
    );

    app.get<{ Params: Static<typeof RolloutParams> }>(
      '/:id',
      { onRequest: requireRole('viewer'), schema: { summary: 'Inspect a rollout: progress per wave and state, skipped devices, health gate', tags, params: RolloutParams, response: { 200: RolloutDetail, ...errorResponses(404) } } },
      async (request) => detail(request.params.id),
    );

    const controls: Array<[string, string, (id: string, actor: string) => Promise<ControlOutcome>]> = [
      ['pause', 'Pause a running rollout (jobs already sent continue)', service.pause],
      ['resume', 'Resume a paused rollout (after a threshold breach: accept the wave and go on)', service.resume],
      ['cancel', 'Cancel a rollout: jobs not yet started are cancelled', service.cancel],
    ];
    for (const [action, summary, run] of controls) {
      app.post<{ Params: Static<typeof RolloutParams> }>(
        `/:id/${action}`,
        { onRequest: requireRole('operator'), schema: { summary, tags, params: RolloutParams, response: { 200: RolloutDetail, ...errorResponses(404, 409) } } },
        async (request) => {
          const outcome = await run(request.params.id, actorOf(request.principal!));
          if (!outcome.ok) throw outcome.code === 'not-found' ? errors.notFound('rollout', request.params.id) : errors.conflict(outcome.reason);
          return detail(request.params.id);
        },
      );
    }
  };
}

/** `/devices/:id/jobs`: the device's jobs, newest first, each with its history. */
export const deviceJobRoutes: FastifyPluginAsync<ApiPluginOptions> = async (app, { db }) => {
  app.get<{ Params: Static<typeof DeviceParams>; Querystring: Static<typeof JobsQuery> }>(
    '/:id/jobs',
    {
      onRequest: requireRole('viewer'),
      schema: { summary: "A device's jobs with their history", tags: ['rollouts'], params: DeviceParams, querystring: JobsQuery, response: { 200: Type.Object({ items: Type.Array(DeviceJob) }), ...errorResponses(404) } },
    },
    async (request) => {
      if (!(await deviceExists(db, request.params.id))) throw errors.notFound('device', request.params.id);
      return { items: (await jobsOfDevice(db, request.params.id, request.query.limit)).map(deviceJobView) };
    },
  );
};
