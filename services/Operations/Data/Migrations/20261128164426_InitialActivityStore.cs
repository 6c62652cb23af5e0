using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ControlTower.Operations.Data.Migrations
{
    /// <inheritdoc />
    public partial class InitialActivityStore : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "activities",
                columns: table => new
                {
                    provider = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    event_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    time = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    account = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    region = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    service = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    operation = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    actor = table.Column<string>(type: "text", nullable: true),
                    actor_type = table.Column<string>(type: "text", nullable: true),
                    source_ip = table.Column<string>(type: "text", nullable: true),
                    user_agent = table.Column<string>(type: "text", nullable: true),
                    outcome = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    error_code = table.Column<string>(type: "text", nullable: true),
                    error_message = table.Column<string>(type: "text", nullable: true),
                    event_category = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    management_event = table.Column<bool>(type: "boolean", nullable: true),
                    event_version = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    recipient_account = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    organization_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    mfa_used = table.Column<bool>(type: "boolean", nullable: true),
                    request_id = table.Column<string>(type: "text", nullable: true),
                    identity = table.Column<string>(type: "jsonb", nullable: true),
                    resources = table.Column<string>(type: "jsonb", nullable: false, defaultValueSql: "'[]'::jsonb"),
                    anomalies = table.Column<string>(type: "jsonb", nullable: false, defaultValueSql: "'[]'::jsonb"),
                    read_only = table.Column<bool>(type: "boolean", nullable: true),
                    event_type = table.Column<string>(type: "text", nullable: true),
                    raw = table.Column<string>(type: "text", nullable: false),
                    source = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    stored_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_activities", x => new { x.provider, x.event_id });
                });

            migrationBuilder.CreateIndex(
                name: "ix_activities_account_time",
                table: "activities",
                columns: new[] { "account", "time" },
                descending: new[] { false, true });

            migrationBuilder.CreateIndex(
                name: "ix_activities_time_provider_event_id",
                table: "activities",
                columns: new[] { "time", "provider", "event_id" });

            // The raw record is compressed (lz4, cheap enough for the ingest path) once a row passes 256 bytes;
            // by default PostgreSQL waits for 2 KB, which most CloudTrail records never reach.
            migrationBuilder.Sql("ALTER TABLE activities ALTER COLUMN raw SET COMPRESSION lz4;");
            migrationBuilder.Sql("ALTER TABLE activities SET (toast_tuple_target = 256);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "activities");
        }
    }
}
