using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ControlTower.Operations.Data.Migrations
{
    /// <inheritdoc />
    public partial class RawTextCompressed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "raw",
                table: "activities",
                type: "text",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "json");

            // Set again after the type change, so the column is lz4-compressed whatever the server default.
            migrationBuilder.Sql("ALTER TABLE activities ALTER COLUMN raw SET COMPRESSION lz4;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

            migrationBuilder.AlterColumn<string>(
                name: "raw",
                table: "activities",
                type: "json",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "text");
        }
    }
}
