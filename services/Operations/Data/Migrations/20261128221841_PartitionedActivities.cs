using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ControlTower.Operations.Data.Migrations
{
    /// <inheritdoc />
    public partial class PartitionedActivities : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // EF Core cannot express partitioning, so this migration is SQL; the model says the same key and indexes
            // (ActivityRecordConfiguration). The old table is renamed, the partitioned one created beside it, the
            // rows copied and the old table dropped: existing activity survives.
            migrationBuilder.Sql("""
                ALTER TABLE activities RENAME TO activities_unpartitioned;
                ALTER TABLE activities_unpartitioned RENAME CONSTRAINT pk_activities TO pk_activities_unpartitioned;
                DROP INDEX ix_activities_time_provider_event_id;

                -- Same columns, collations, defaults and lz4 compression (partitions inherit it).
                CREATE TABLE activities (LIKE activities_unpartitioned INCLUDING DEFAULTS INCLUDING COMPRESSION)
                    PARTITION BY RANGE (time);
                -- Unique keys must hold the partition key. A redelivered event has the same time, so it still
                -- collides with its first copy: idempotence holds.
                -- The free-text search (q) matches a prefix of these: with collation "C" a btree answers LIKE 'q%'.
                ALTER TABLE activities ALTER COLUMN operation TYPE character varying(256) COLLATE "C",
                    ALTER COLUMN actor TYPE text COLLATE "C", ALTER COLUMN resource_id TYPE text COLLATE "C",
                    ALTER COLUMN error_code TYPE text COLLATE "C";
                ALTER TABLE activities ADD CONSTRAINT pk_activities PRIMARY KEY (provider, event_id, time);
                CREATE INDEX ix_activities_time_provider_event_id ON activities (time, provider, event_id);
                CREATE INDEX ix_activities_account_time ON activities (account, time);
                CREATE INDEX ix_activities_service_operation_time ON activities (service, operation, time);
                CREATE INDEX ix_activities_operation_time ON activities (operation, time);
                CREATE INDEX ix_activities_actor_time ON activities (actor, time);
                CREATE INDEX ix_activities_resource_id_time ON activities (resource_id, time);
                CREATE INDEX ix_activities_error_code_time ON activities (error_code, time) WHERE error_code IS NOT NULL;

                -- An event whose day has no partition (a clock far off, an old backfill) is kept here, never lost.
                -- Storage parameters belong to partitions: each has rows compressed from 256 bytes on.
                CREATE TABLE activities_default PARTITION OF activities DEFAULT WITH (toast_tuple_target = 256);

                -- Creates the partition of one UTC day, moving that day's rows out of the default partition if any
                -- arrived before it (a partition cannot be created over rows the default holds). True if created.
                CREATE FUNCTION activities_ensure_partition(day date) RETURNS boolean LANGUAGE plpgsql AS $fn$
                DECLARE
                    name text := 'activities_p' || to_char(day, 'YYYYMMDD');
                    lower_bound timestamptz := day::timestamp AT TIME ZONE 'UTC';
                    upper_bound timestamptz := (day + 1)::timestamp AT TIME ZONE 'UTC';
                BEGIN
                    IF to_regclass(name) IS NOT NULL THEN
                        RETURN false;
                    END IF;
                    -- No insert may slip into the default partition between the check and the create.
                    LOCK TABLE activities_default IN EXCLUSIVE MODE;
                    IF EXISTS (SELECT 1 FROM activities_default WHERE time >= lower_bound AND time < upper_bound) THEN
                        EXECUTE format('CREATE TABLE %I (LIKE activities INCLUDING DEFAULTS INCLUDING COMPRESSION) WITH (toast_tuple_target = 256)', name);
                        EXECUTE format('WITH moved AS (DELETE FROM activities_default WHERE time >= %L AND time < %L RETURNING *) INSERT INTO %I SELECT * FROM moved',
                            lower_bound, upper_bound, name);
                        EXECUTE format('ALTER TABLE activities ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', name, lower_bound, upper_bound);
                    ELSE
                        EXECUTE format('CREATE TABLE %I PARTITION OF activities FOR VALUES FROM (%L) TO (%L) WITH (toast_tuple_target = 256)',
                            name, lower_bound, upper_bound);
                    END IF;
                    RETURN true;
                END
                $fn$;

                -- Partitions for the days the existing rows cover (a year back at most: older ones go to the default
                -- partition, where retention removes them) and for the week ahead, then the copy.
                SELECT activities_ensure_partition(day)
                FROM (SELECT DISTINCT (time AT TIME ZONE 'UTC')::date AS day FROM activities_unpartitioned
                      WHERE time >= now() - interval '366 days' AND time < now() + interval '8 days'
                      UNION SELECT (now() AT TIME ZONE 'UTC')::date + n FROM generate_series(0, 7) AS n) AS days;
                INSERT INTO activities SELECT * FROM activities_unpartitioned;
                DROP TABLE activities_unpartitioned;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE activities_unpartitioned (LIKE activities INCLUDING DEFAULTS INCLUDING COMPRESSION);
                ALTER TABLE activities_unpartitioned ADD CONSTRAINT pk_activities_unpartitioned PRIMARY KEY (provider, event_id);
                INSERT INTO activities_unpartitioned SELECT * FROM activities ON CONFLICT DO NOTHING;
                DROP TABLE activities;
                DROP FUNCTION activities_ensure_partition(date);
                ALTER TABLE activities_unpartitioned RENAME TO activities;
                ALTER TABLE activities RENAME CONSTRAINT pk_activities_unpartitioned TO pk_activities;
                ALTER TABLE activities SET (toast_tuple_target = 256);
                ALTER TABLE activities ALTER COLUMN operation TYPE character varying(256) COLLATE "default",
                    ALTER COLUMN actor TYPE text COLLATE "default", ALTER COLUMN resource_id TYPE text COLLATE "default",
                    ALTER COLUMN error_code TYPE text COLLATE "default";
                CREATE INDEX ix_activities_time_provider_event_id ON activities (time, provider, event_id);
                """);
        }
    }
}
