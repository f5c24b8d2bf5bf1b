// Type-only: the whole schema as Kysely sees it, assembled from the per-table types.
import type { ApiKeysTable } from './tables/api-keys.ts';
import type { ArtifactsTable } from './tables/artifacts.ts';
import type { DeviceCredentialsTable } from './tables/device-credentials.ts';
import type { DevicesTable } from './tables/devices.ts';
import type { DeviceGroupsTable, GroupsTable } from './tables/groups.ts';
import type { ShadowHistoryTable, ShadowsTable } from './tables/shadows.ts';
import type { EventsTable, TelemetryTable } from './tables/telemetry.ts';
import type { UsersTable } from './tables/users.ts';

export interface Database {
  users: UsersTable;
  api_keys: ApiKeysTable;
  devices: DevicesTable;
  device_credentials: DeviceCredentialsTable;
  groups: GroupsTable;
  device_groups: DeviceGroupsTable;
  shadows: ShadowsTable;
  shadow_history: ShadowHistoryTable;
  telemetry: TelemetryTable;
  events: EventsTable;
  artifacts: ArtifactsTable;
}
