using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ControlTower.ReleaseGate.Data.Migrations
{
    /// <inheritdoc />
    public partial class ReadinessIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_releases_service_environment_registered_at",
                table: "releases",
                columns: new[] { "service", "environment", "registered_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_releases_service_environment_registered_at",
                table: "releases");
        }
    }
}
