// Type-only: the whole schema as Kysely sees it, assembled from the per-table types.
import type { ApiKeysTable } from './tables/api-keys.ts';
import type { ArtifactsTable } from './tables/artifacts.ts';
import type { DeviceCertificatesTable } from './tables/device-certificates.ts';
import type { DeviceCredentialsTable } from './tables/device-credentials.ts';
import type { DevicesTable } from './tables/devices.ts';
import type { DeviceGroupsTable, GroupsTable } from './tables/groups.ts';
import type { JobHistoryTable, JobsTable, RolloutDevicesTable, RolloutsTable } from './tables/rollouts.ts';
import type { ShadowHistoryTable, ShadowsTable } from './tables/shadows.ts';
import type { EventsTable, TelemetryTable } from './tables/telemetry.ts';
import type { UsersTable } from './tables/users.ts';

export interface Database {
  users: UsersTable;
  api_keys: ApiKeysTable;
  devices: DevicesTable;
  device_credentials: DeviceCredentialsTable;
  device_certificates: DeviceCertificatesTable;
  groups: GroupsTable;
  device_groups: DeviceGroupsTable;
  shadows: ShadowsTable;
  shadow_history: ShadowHistoryTable;
  telemetry: TelemetryTable;
  events: EventsTable;
  artifacts: ArtifactsTable;
  rollouts: RolloutsTable;
  rollout_devices: RolloutDevicesTable;
  jobs: JobsTable;
  job_history: JobHistoryTable;
}
