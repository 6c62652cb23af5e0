using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ControlTower.Operations.Data.Migrations
{
    /// <inheritdoc />
    public partial class AzureFieldsAndLeanerKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_activities_account_time",
                table: "activities");

            migrationBuilder.AlterColumn<string>(
                name: "account",
                table: "activities",
                type: "character varying(128)",
                maxLength: 128,
                nullable: false,
                collation: "C",
                oldClrType: typeof(string),
                oldType: "character varying(128)",
                oldMaxLength: 128);

            migrationBuilder.AlterColumn<string>(
                name: "event_id",
                table: "activities",
                type: "character varying(256)",
                maxLength: 256,
                nullable: false,
                collation: "C",
                oldClrType: typeof(string),
                oldType: "character varying(256)",
                oldMaxLength: 256);

            migrationBuilder.AlterColumn<string>(
                name: "provider",
                table: "activities",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                collation: "C",
                oldClrType: typeof(string),
                oldType: "character varying(16)",
                oldMaxLength: 16);

            migrationBuilder.AddColumn<string>(
                name: "correlation_id",
                table: "activities",
                type: "character varying(128)",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "level",
                table: "activities",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "resource_group",
                table: "activities",
                type: "character varying(128)",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "resource_id",
                table: "activities",
                type: "text",
                nullable: true);

            // Rows pass toast_tuple_target (256 bytes), so PostgreSQL compresses their largest values: lz4 for the
            // JSON columns too, not the default pglz, which showed in the insert path's profile.
            migrationBuilder.Sql("ALTER TABLE activities ALTER COLUMN identity SET COMPRESSION lz4, ALTER COLUMN resources SET COMPRESSION lz4, ALTER COLUMN anomalies SET COMPRESSION lz4;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "correlation_id",
                table: "activities");

            migrationBuilder.DropColumn(
                name: "level",
                table: "activities");

            migrationBuilder.DropColumn(
                name: "resource_group",
                table: "activities");

            migrationBuilder.DropColumn(
                name: "resource_id",
                table: "activities");

            migrationBuilder.AlterColumn<string>(
                name: "account",
                table: "activities",
                type: "character varying(128)",
                maxLength: 128,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(128)",
                oldMaxLength: 128,
                oldCollation: "C");

            migrationBuilder.AlterColumn<string>(
                name: "event_id",
                table: "activities",
                type: "character varying(256)",
                maxLength: 256,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(256)",
                oldMaxLength: 256,
                oldCollation: "C");

            migrationBuilder.AlterColumn<string>(
                name: "provider",
                table: "activities",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(16)",
                oldMaxLength: 16,
                oldCollation: "C");

            migrationBuilder.CreateIndex(
                name: "ix_activities_account_time",
                table: "activities",
                columns: new[] { "account", "time" },
                descending: new[] { false, true });
        }
    }
}
