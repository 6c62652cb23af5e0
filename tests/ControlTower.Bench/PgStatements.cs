using System.Globalization;
using Npgsql;

namespace ControlTower.Bench;

/// <summary>
/// A profile of the database's side of the ingest: pg_stat_statements, loaded at the started server's start, reset before
/// the measured load and read after its drain, so the statements are the ones the load made, every database together.
/// </summary>
public static class PgStatements
{
    public static readonly string[] Settings = ["shared_preload_libraries=pg_stat_statements", "pg_stat_statements.track=all"];

    /// <param name="Statement">The normalised text, whitespace collapsed, cut to 160 characters.</param>
    public sealed record Row(string Database, string Statement, long Calls, long Rows, double TotalMilliseconds, double MeanMilliseconds, double SharePercent);

    public static async Task ResetAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset();", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<IReadOnlyList<Row>> TopAsync(string connectionString, int count, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT d.datname, s.query, s.calls, s.rows, s.total_exec_time, s.mean_exec_time,
                   100 * s.total_exec_time / nullif(sum(s.total_exec_time) OVER (), 0)
            FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
            ORDER BY s.total_exec_time DESC LIMIT @count
            """, connection);
        command.Parameters.AddWithValue("count", count);
        var rows = new List<Row>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var text = string.Join(' ', reader.GetString(1).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            rows.Add(new Row(reader.GetString(0), text.Length > 160 ? text[..160] + "…" : text, reader.GetInt64(2), reader.GetInt64(3),
                reader.GetDouble(4), reader.GetDouble(5), reader.IsDBNull(6) ? 0 : reader.GetDouble(6)));
        }
        return rows;
    }

    public static void Print(IReadOnlyList<Row> rows, long stored)
    {
        Console.WriteLine($"pg_stat_statements over the measured load and drain ({stored:N0} activities stored):");
        Console.WriteLine("  share    total ms      calls       rows   mean ms  µs/stored  database      statement");
        foreach (var row in rows)
        {
            var perStored = stored == 0 ? 0 : row.TotalMilliseconds * 1000 / stored;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {row.SharePercent,5:N1}% {row.TotalMilliseconds,11:N0} {row.Calls,10:N0} {row.Rows,10:N0} {row.MeanMilliseconds,9:N2} {perStored,10:N1}  {row.Database,-13} {row.Statement}"));
        }
    }
}
