using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ControlTower.Governance.Data.Migrations
{
    /// <inheritdoc />
    public partial class AzureObservedState : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "observed_azure_management_groups",
                columns: table => new
                {
                    group_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    parent_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true, collation: "C"),
                    deleted = table.Column<bool>(type: "boolean", nullable: false),
                    changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    event_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_observed_azure_management_groups", x => x.group_id);
                });

            migrationBuilder.CreateTable(
                name: "observed_azure_policy_assignments",
                columns: table => new
                {
                    assignment_id = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false, collation: "C"),
                    name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    scope = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false, collation: "C"),
                    definition_id = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true),
                    enforcement_mode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    effect = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    deleted = table.Column<bool>(type: "boolean", nullable: false),
                    changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    event_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_observed_azure_policy_assignments", x => x.assignment_id);
                });

            migrationBuilder.CreateTable(
                name: "observed_azure_policy_exemptions",
                columns: table => new
                {
                    exemption_id = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false, collation: "C"),
                    name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    scope = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false, collation: "C"),
                    assignment_id = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true, collation: "C"),
                    category = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    expires_on = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    deleted = table.Column<bool>(type: "boolean", nullable: false),
                    changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    event_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_observed_azure_policy_exemptions", x => x.exemption_id);
                });

            migrationBuilder.CreateTable(
                name: "observed_azure_subscriptions",
                columns: table => new
                {
                    subscription_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false, collation: "C"),
                    name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    management_group_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    removed = table.Column<bool>(type: "boolean", nullable: false),
                    changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    event_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_observed_azure_subscriptions", x => x.subscription_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_observed_azure_subscriptions_management_group_id",
                table: "observed_azure_subscriptions",
                column: "management_group_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "observed_azure_management_groups");

            migrationBuilder.DropTable(
                name: "observed_azure_policy_assignments");

            migrationBuilder.DropTable(
                name: "observed_azure_policy_exemptions");

            migrationBuilder.DropTable(
                name: "observed_azure_subscriptions");
        }
    }
}
