using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ControlTower.ReleaseGate.Data.Migrations
{
    /// <inheritdoc />
    public partial class InitialReleases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "releases",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    service = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    environment = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    version = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    commit = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    artifact_digests = table.Column<List<string>>(type: "text[]", nullable: false),
                    pipeline_run = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true),
                    registered_by = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    registered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_releases", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_releases_service_environment_version",
                table: "releases",
                columns: new[] { "service", "environment", "version" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "releases");
        }
    }
}
