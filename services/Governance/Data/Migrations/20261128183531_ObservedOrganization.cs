using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ControlTower.Governance.Data.Migrations
{
    /// <inheritdoc />
    public partial class ObservedOrganization : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "observed_org_accounts",
                columns: table => new
                {
                    account_id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false, collation: "C"),
                    parent_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true, collation: "C"),
                    parent_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    parent_event_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true, collation: "C"),
                    member = table.Column<bool>(type: "boolean", nullable: true),
                    name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    member_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    member_event_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_observed_org_accounts", x => x.account_id);
                });

            migrationBuilder.CreateTable(
                name: "observed_org_settings",
                columns: table => new
                {
                    key = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false, collation: "C"),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    event_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_observed_org_settings", x => x.key);
                });

            migrationBuilder.CreateTable(
                name: "observed_ous",
                columns: table => new
                {
                    ou_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    parent_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true, collation: "C"),
                    deleted = table.Column<bool>(type: "boolean", nullable: false),
                    changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    event_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_observed_ous", x => x.ou_id);
                });

            migrationBuilder.CreateTable(
                name: "observed_policies",
                columns: table => new
                {
                    policy_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    content = table.Column<string>(type: "text", nullable: true),
                    deleted = table.Column<bool>(type: "boolean", nullable: false),
                    changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    event_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_observed_policies", x => x.policy_id);
                });

            migrationBuilder.CreateTable(
                name: "observed_policy_attachments",
                columns: table => new
                {
                    policy_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    target_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    attached = table.Column<bool>(type: "boolean", nullable: false),
                    changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    event_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_observed_policy_attachments", x => new { x.policy_id, x.target_id });
                });

            migrationBuilder.CreateIndex(
                name: "ix_observed_org_accounts_parent_id",
                table: "observed_org_accounts",
                column: "parent_id");

            migrationBuilder.CreateIndex(
                name: "ix_observed_policy_attachments_target_id",
                table: "observed_policy_attachments",
                column: "target_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "observed_org_accounts");

            migrationBuilder.DropTable(
                name: "observed_org_settings");

            migrationBuilder.DropTable(
                name: "observed_ous");

            migrationBuilder.DropTable(
                name: "observed_policies");

            migrationBuilder.DropTable(
                name: "observed_policy_attachments");
        }
    }
}
