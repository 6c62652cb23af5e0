using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ControlTower.ReleaseGate.Data.Migrations
{
    /// <inheritdoc />
    public partial class ReleaseTargetsAndGovernanceFindings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<List<string>>(
                name: "targets",
                table: "releases",
                type: "text[]",
                nullable: false);

            migrationBuilder.CreateTable(
                name: "governance_findings",
                columns: table => new
                {
                    finding_id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    type = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    subject = table.Column<string>(type: "character varying(600)", maxLength: 600, nullable: false, collation: "C"),
                    scope = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true, collation: "C"),
                    severity = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    open = table.Column<bool>(type: "boolean", nullable: false),
                    occurrence = table.Column<int>(type: "integer", nullable: false),
                    changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_governance_findings", x => x.finding_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_governance_findings_scope_open",
                table: "governance_findings",
                columns: new[] { "scope", "open" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "governance_findings");

            migrationBuilder.DropColumn(
                name: "targets",
                table: "releases");
        }
    }
}
