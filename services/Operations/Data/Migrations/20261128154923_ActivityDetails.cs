using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ControlTower.Operations.Data.Migrations
{
    /// <inheritdoc />
    public partial class ActivityDetails : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "anomalies",
                table: "activities",
                type: "jsonb",
                nullable: false,
                defaultValueSql: "'[]'::jsonb");

            migrationBuilder.AddColumn<string>(
                name: "error_message",
                table: "activities",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "event_category",
                table: "activities",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "event_version",
                table: "activities",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "identity",
                table: "activities",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "management_event",
                table: "activities",
                type: "boolean",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "mfa_used",
                table: "activities",
                type: "boolean",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "organization_id",
                table: "activities",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "recipient_account",
                table: "activities",
                type: "character varying(128)",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "request_id",
                table: "activities",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "resources",
                table: "activities",
                type: "jsonb",
                nullable: false,
                defaultValueSql: "'[]'::jsonb");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "anomalies",
                table: "activities");

            migrationBuilder.DropColumn(
                name: "error_message",
                table: "activities");

            migrationBuilder.DropColumn(
                name: "event_category",
                table: "activities");

            migrationBuilder.DropColumn(
                name: "event_version",
                table: "activities");

            migrationBuilder.DropColumn(
                name: "identity",
                table: "activities");

            migrationBuilder.DropColumn(
                name: "management_event",
                table: "activities");

            migrationBuilder.DropColumn(
                name: "mfa_used",
                table: "activities");

            migrationBuilder.DropColumn(
                name: "organization_id",
                table: "activities");

            migrationBuilder.DropColumn(
                name: "recipient_account",
                table: "activities");

            migrationBuilder.DropColumn(
                name: "request_id",
                table: "activities");

            migrationBuilder.DropColumn(
                name: "resources",
                table: "activities");
        }
    }
}
