import type { ColumnType, Selectable } from 'kysely';

export interface GroupsTable {
  name: string;
  description: ColumnType<string, string | undefined, string>;
  created_at: ColumnType<Date, Date | undefined, never>;
}
export type GroupRow = Selectable<GroupsTable>;

export interface DeviceGroupsTable {
  group_name: string;
  device_id: string;
  added_at: ColumnType<Date, Date | undefined, never>;
}
