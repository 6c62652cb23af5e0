using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ControlTower.Governance.Data.Migrations
{
    /// <inheritdoc />
    public partial class GuardrailFindings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "account",
                table: "findings",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<List<string>>(
                name: "evidence_event_ids",
                table: "findings",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{}'::text[]");

            migrationBuilder.AddColumn<string>(
                name: "kind",
                table: "findings",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "drift");

            migrationBuilder.AddColumn<string>(
                name: "provider",
                table: "findings",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "guardrail_events",
                columns: table => new
                {
                    control_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false, collation: "C"),
                    event_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false, collation: "C"),
                    provider = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    account = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    outcome = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    subject = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    actor = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true),
                    event_time = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    recorded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    finding_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_guardrail_events", x => new { x.control_id, x.event_id });
                });

            migrationBuilder.CreateIndex(
                name: "ix_findings_kind_status",
                table: "findings",
                columns: new[] { "kind", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_guardrail_events_outcome_control_id",
                table: "guardrail_events",
                columns: new[] { "outcome", "control_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "guardrail_events");

            migrationBuilder.DropIndex(
                name: "ix_findings_kind_status",
                table: "findings");

            migrationBuilder.DropColumn(
                name: "account",
                table: "findings");

            migrationBuilder.DropColumn(
                name: "evidence_event_ids",
                table: "findings");

            migrationBuilder.DropColumn(
                name: "kind",
                table: "findings");

            migrationBuilder.DropColumn(
                name: "provider",
                table: "findings");
        }
    }
}
