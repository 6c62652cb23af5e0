using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ControlTower.Operations.Data.Migrations
{
    /// <inheritdoc />
    public partial class RawJsonCompressed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "raw",
                table: "activities",
                type: "json",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "jsonb");

            // Compress the raw record once a row passes 256 bytes (by default PostgreSQL waits for 2 KB, which
            // most CloudTrail records never reach), with lz4, which is cheap enough for the ingest path.
            migrationBuilder.Sql("ALTER TABLE activities ALTER COLUMN raw SET COMPRESSION lz4;");
            migrationBuilder.Sql("ALTER TABLE activities SET (toast_tuple_target = 256);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE activities RESET (toast_tuple_target);");

            migrationBuilder.AlterColumn<string>(
                name: "raw",
                table: "activities",
                type: "jsonb",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "json");
        }
    }
}
