using Npgsql;
using NpgsqlTypes;

namespace Hotmess.Recovery.Database.Migrations;

/// <summary>
/// <c>supabase_migrations.schema_migrations</c> as the Supabase CLI keeps it (pkg/migration/history.go): the version
/// as text primary key, the file's statements as <c>text[]</c> and its name; created, or completed with the columns
/// older CLIs did not add, the way the CLI does before it pushes.
/// </summary>
internal static class MigrationHistory
{
    private const string CreateSql = """
        SET LOCAL lock_timeout = '4s';
        CREATE SCHEMA IF NOT EXISTS supabase_migrations;
        CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY);
        ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS statements text[];
        ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS name text;
        SET LOCAL lock_timeout TO DEFAULT
        """;

    private const string InsertSql = "INSERT INTO supabase_migrations.schema_migrations(version, name, statements) VALUES($1, $2, $3)";

    /// <summary>The recorded migrations; none when the table does not exist (a project that never had one pushed).</summary>
    public static async Task<IReadOnlyList<RecordedMigration>> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken ct)
    {
        await using var probe = new NpgsqlCommand("""
            SELECT to_regclass('supabase_migrations.schema_migrations') IS NOT NULL,
                   EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('supabase_migrations.schema_migrations') AND attname = 'name' AND NOT attisdropped)
            """, connection, transaction);
        bool exists, named;
        await using (var reader = await probe.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            await reader.ReadAsync(ct).ConfigureAwait(false);
            exists = reader.GetBoolean(0);
            named = reader.GetBoolean(1);
        }

        if (!exists)
        {
            return [];
        }

        // The first CLIs recorded the version alone.
        var name = named ? "coalesce(name, '')" : "''";
        return await ReadRowsAsync(connection, transaction, $"SELECT version, {name} FROM supabase_migrations.schema_migrations", ct).ConfigureAwait(false);
    }

    /// <summary>Creates the schema and table when absent, inside the caller's transaction: a failed first file leaves no empty table.</summary>
    public static async Task EnsureAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await using var create = new NpgsqlCommand(CreateSql, connection, transaction);
        await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The record <c>supabase db push</c> writes for a file: version, name and every statement as split.</summary>
    public static NpgsqlBatchCommand Insert(MigrationFile file, IReadOnlyList<SqlStatement> statements) => new(InsertSql)
    {
        Parameters =
        {
            new NpgsqlParameter { Value = file.Version, NpgsqlDbType = NpgsqlDbType.Text },
            new NpgsqlParameter { Value = file.Name, NpgsqlDbType = NpgsqlDbType.Text },
            new NpgsqlParameter { Value = statements.Select(s => s.Text).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
        },
    };

    private static async Task<IReadOnlyList<RecordedMigration>> ReadRowsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken ct)
    {
        var rows = new List<RecordedMigration>();
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            rows.Add(new RecordedMigration(reader.GetString(0), reader.GetString(1)));
        }

        return rows;
    }
}
