// Static migration list: FileMigrationProvider would scan the directory for .ts files at
// run time, which breaks once the code is bundled or run from another working directory.
// Names sort in the order they must run; append new migrations at the end.
import type { Migration, MigrationProvider } from 'kysely/migration';
import * as identityAndDevices from './2026-11-22T0001-identity-and-devices.ts';
import * as shadowsTelemetryEvents from './2026-11-22T0002-shadows-telemetry-events.ts';
import * as presenceAndEventIds from './2026-11-23T0003-presence-sessions-and-event-ids.ts';
import * as telemetryPerMessage from './2026-11-24T0004-telemetry-per-message.ts';
import * as artifacts from './2026-11-24T0005-artifacts.ts';
import * as rolloutsAndJobs from './2026-11-24T0006-rollouts-and-jobs.ts';
import * as deviceCertificates from './2026-11-24T0007-device-certificates.ts';

export const migrations: Record<string, Migration> = {
  '2026-11-22T0001-identity-and-devices': identityAndDevices,
  '2026-11-22T0002-shadows-telemetry-events': shadowsTelemetryEvents,
  '2026-11-23T0003-presence-sessions-and-event-ids': presenceAndEventIds,
  '2026-11-24T0004-telemetry-per-message': telemetryPerMessage,
  '2026-11-24T0005-artifacts': artifacts,
  '2026-11-24T0006-rollouts-and-jobs': rolloutsAndJobs,
  '2026-11-24T0007-device-certificates': deviceCertificates,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
