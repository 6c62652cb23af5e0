using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ControlTower.Operations.Data.Migrations
{
    /// <inheritdoc />
    public partial class Alerts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "alerts",
                columns: table => new
                {
                    provider = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false, collation: "C"),
                    alert_id = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false, collation: "C"),
                    condition = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    rule = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    rule_id = table.Column<string>(type: "text", nullable: true),
                    severity = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    signal_type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    monitoring_service = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    account = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    resource_group = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    resource_type = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    targets = table.Column<string>(type: "jsonb", nullable: false),
                    configuration_items = table.Column<string>(type: "jsonb", nullable: false),
                    origin_alert_id = table.Column<string>(type: "text", nullable: true),
                    fired_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    resolved_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    description = table.Column<string>(type: "text", nullable: true),
                    investigation_link = table.Column<string>(type: "text", nullable: true),
                    anomalies = table.Column<string>(type: "jsonb", nullable: false),
                    raw_fired = table.Column<string>(type: "text", nullable: true),
                    raw_resolved = table.Column<string>(type: "text", nullable: true),
                    source = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    first_received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alerts", x => new { x.provider, x.alert_id });
                });

            migrationBuilder.CreateIndex(
                name: "ix_alerts_condition_fired_at",
                table: "alerts",
                columns: new[] { "condition", "fired_at" });

            migrationBuilder.CreateIndex(
                name: "ix_alerts_fired_at_provider_alert_id",
                table: "alerts",
                columns: new[] { "fired_at", "provider", "alert_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "alerts");
        }
    }
}
