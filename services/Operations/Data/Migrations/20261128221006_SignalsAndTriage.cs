using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace ControlTower.Operations.Data.Migrations
{
    /// <inheritdoc />
    public partial class SignalsAndTriage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "activity_rule_counters",
                columns: table => new
                {
                    key = table.Column<string>(type: "character varying(600)", maxLength: 600, nullable: false, collation: "C"),
                    window_start = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    count = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_activity_rule_counters", x => new { x.key, x.window_start });
                });

            migrationBuilder.CreateTable(
                name: "audit_log",
                columns: table => new
                {
                    seq = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    actor = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    actor_kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    action = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    target_type = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    target_id = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true),
                    before = table.Column<string>(type: "text", nullable: true),
                    after = table.Column<string>(type: "text", nullable: true),
                    client_address = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    reason = table.Column<string>(type: "text", nullable: true),
                    status = table.Column<int>(type: "integer", nullable: true),
                    trace_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    origin = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_log", x => x.seq);
                });

            migrationBuilder.CreateTable(
                name: "directory_accounts",
                columns: table => new
                {
                    provider = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false, collation: "C"),
                    account = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    owner = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    team = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    environment = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    baseline_version = table.Column<int>(type: "integer", nullable: false),
                    published_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_directory_accounts", x => new { x.provider, x.account });
                });

            migrationBuilder.CreateTable(
                name: "incidents",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    group_key = table.Column<string>(type: "character varying(600)", maxLength: 600, nullable: false, collation: "C"),
                    title = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    merged_into = table.Column<long>(type: "bigint", nullable: true),
                    first_seen = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_seen = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_incidents", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "signal_observations",
                columns: table => new
                {
                    dedup_key = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false, collation: "C"),
                    observation_id = table.Column<string>(type: "character varying(600)", maxLength: 600, nullable: false, collation: "C"),
                    signal_id = table.Column<long>(type: "bigint", nullable: true),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_signal_observations", x => new { x.dedup_key, x.observation_id });
                });

            migrationBuilder.CreateTable(
                name: "signals",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false, collation: "C"),
                    dedup_key = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false, collation: "C"),
                    title = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    summary = table.Column<string>(type: "text", nullable: true),
                    severity = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    original_severity = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    provider = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    account = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true, collation: "C"),
                    resource = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true),
                    environment = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    owner = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    team = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    condition = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    classification = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    count = table.Column<int>(type: "integer", nullable: false),
                    first_seen = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_seen = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    incident_id = table.Column<long>(type: "bigint", nullable: true),
                    details = table.Column<string>(type: "jsonb", nullable: true),
                    version = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_signals", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "timeline_entries",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    target_type = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    target_id = table.Column<long>(type: "bigint", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    actor = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    type = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    from = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    to = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    text = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_timeline_entries", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_actor_at",
                table: "audit_log",
                columns: new[] { "actor", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_at_seq",
                table: "audit_log",
                columns: new[] { "at", "seq" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_id",
                table: "audit_log",
                column: "id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_target_type_target_id_at",
                table: "audit_log",
                columns: new[] { "target_type", "target_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_directory_accounts_account",
                table: "directory_accounts",
                column: "account");

            migrationBuilder.CreateIndex(
                name: "ix_incidents_group_key_last_seen",
                table: "incidents",
                columns: new[] { "group_key", "last_seen" });

            migrationBuilder.CreateIndex(
                name: "ix_incidents_status_id",
                table: "incidents",
                columns: new[] { "status", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_signals_account_id",
                table: "signals",
                columns: new[] { "account", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_signals_dedup_key_id",
                table: "signals",
                columns: new[] { "dedup_key", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_signals_incident_id_id",
                table: "signals",
                columns: new[] { "incident_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_signals_owner_id",
                table: "signals",
                columns: new[] { "owner", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_signals_status_id",
                table: "signals",
                columns: new[] { "status", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_signals_until",
                table: "signals",
                column: "until",
                filter: "until IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_timeline_entries_target_type_target_id_id",
                table: "timeline_entries",
                columns: new[] { "target_type", "target_id", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "activity_rule_counters");

            migrationBuilder.DropTable(
                name: "audit_log");

            migrationBuilder.DropTable(
                name: "directory_accounts");

            migrationBuilder.DropTable(
                name: "incidents");

            migrationBuilder.DropTable(
                name: "signal_observations");

            migrationBuilder.DropTable(
                name: "signals");

            migrationBuilder.DropTable(
                name: "timeline_entries");
        }
    }
}
