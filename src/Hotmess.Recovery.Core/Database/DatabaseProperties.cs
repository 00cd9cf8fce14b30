using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Hotmess.Recovery.Database;

/// <summary>
/// What belongs to a database itself rather than to its contents, and so is not in a dump: owner, encoding and
/// locale, tablespace, connection limit, grants, per-database settings and comment. A restore that replaces a
/// database by a new one carries these over, so callers keep connecting and behaving as before.
/// </summary>
internal sealed partial class DatabaseProperties
{
    // Settings whose stored value is a list of quoted items (pg_dump's GUC_LIST_QUOTE): written back as they are stored.
    private static readonly HashSet<string> ListSettings = new(StringComparer.OrdinalIgnoreCase)
    {
        "search_path", "temp_tablespaces", "session_preload_libraries", "shared_preload_libraries", "local_preload_libraries", "unix_socket_directories",
    };

    private string Owner { get; init; } = "";

    private string Encoding { get; init; } = "";

    private string Collate { get; init; } = "";

    private string Ctype { get; init; } = "";

    private string? LocaleProvider { get; init; }

    private string? ProviderLocale { get; init; }

    private string Tablespace { get; init; } = "";

    private int ConnectionLimit { get; init; }

    private string? Comment { get; init; }

    private bool HasGrants { get; init; }

    private List<(string Grantee, string Privilege, bool Grantable)> Grants { get; } = new();

    private List<(string? Role, string Name, string Value)> Settings { get; } = new();

    public static async Task<DatabaseProperties> ReadAsync(NpgsqlConnection admin, string database, CancellationToken cancellationToken)
    {
        DatabaseProperties properties;
        await using (var command = new NpgsqlCommand("""
            SELECT pg_get_userbyid(d.datdba), pg_encoding_to_char(d.encoding), d.datcollate, d.datctype,
                   to_jsonb(d) ->> 'datlocprovider', coalesce(to_jsonb(d) ->> 'datlocale', to_jsonb(d) ->> 'daticulocale'),
                   t.spcname, d.datconnlimit, shobj_description(d.oid, 'pg_database'), d.datacl IS NOT NULL
              FROM pg_database d JOIN pg_tablespace t ON t.oid = d.dattablespace
             WHERE d.datname = @name
            """, admin))
        {
            command.Parameters.AddWithValue("name", database);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            properties = new DatabaseProperties
            {
                Owner = reader.GetString(0),
                Encoding = reader.GetString(1),
                Collate = reader.GetString(2),
                Ctype = reader.GetString(3),
                LocaleProvider = reader.IsDBNull(4) ? null : reader.GetString(4),
                ProviderLocale = reader.IsDBNull(5) ? null : reader.GetString(5),
                Tablespace = reader.GetString(6),
                ConnectionLimit = reader.GetInt32(7),
                Comment = reader.IsDBNull(8) ? null : reader.GetString(8),
                HasGrants = reader.GetBoolean(9),
            };
        }

        await using (var command = new NpgsqlCommand("""
            SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END, a.privilege_type, a.is_grantable
              FROM pg_database d, aclexplode(d.datacl) a
             WHERE d.datname = @name
            """, admin))
        {
            command.Parameters.AddWithValue("name", database);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                properties.Grants.Add((reader.GetString(0), reader.GetString(1), reader.GetBoolean(2)));
            }
        }

        await using (var command = new NpgsqlCommand("""
            SELECT CASE WHEN s.setrole = 0 THEN NULL ELSE pg_get_userbyid(s.setrole) END, c
              FROM pg_database d JOIN pg_db_role_setting s ON s.setdatabase = d.oid, unnest(s.setconfig) c
             WHERE d.datname = @name
            """, admin))
        {
            command.Parameters.AddWithValue("name", database);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var setting = reader.GetString(1).Split('=', 2);
                properties.Settings.Add((reader.IsDBNull(0) ? null : reader.GetString(0), setting[0], setting.Length == 2 ? setting[1] : ""));
            }
        }

        return properties;
    }

    /// <summary>CREATE DATABASE for a new database with this one's owner, encoding, locale and tablespace.</summary>
    public string CreateStatement(string name)
    {
        var sql = $"CREATE DATABASE {Identifier(name)} WITH TEMPLATE template0 OWNER {Identifier(Owner)} ENCODING {Literal(Encoding)} LC_COLLATE {Literal(Collate)} LC_CTYPE {Literal(Ctype)}";
        sql += (LocaleProvider, ProviderLocale) switch
        {
            ("i", { } locale) => $" LOCALE_PROVIDER icu ICU_LOCALE {Literal(locale)}",
            ("b", { } locale) => $" LOCALE_PROVIDER builtin BUILTIN_LOCALE {Literal(locale)}",
            _ => "",
        };
        return Tablespace == "pg_default" ? sql : sql + $" TABLESPACE {Identifier(Tablespace)}";
    }

    /// <summary>The statements that give database <paramref name="name"/> this one's connection limit, grants, settings and comment.</summary>
    public IEnumerable<string> ApplyStatements(string name)
    {
        var database = Identifier(name);
        yield return string.Create(CultureInfo.InvariantCulture, $"ALTER DATABASE {database} CONNECTION LIMIT {ConnectionLimit}");
        if (HasGrants)
        {
            // A database without grants of its own has PostgreSQL's defaults; one with grants has exactly those.
            yield return $"REVOKE ALL ON DATABASE {database} FROM PUBLIC";
            foreach (var (grantee, privilege, grantable) in Grants)
            {
                yield return $"GRANT {privilege} ON DATABASE {database} TO {grantee}{(grantable ? " WITH GRANT OPTION" : "")}";
            }
        }

        foreach (var (role, setting, value) in Settings.Where(s => SettingName().IsMatch(s.Name)))
        {
            var assignment = $"SET {setting} = {(ListSettings.Contains(setting) ? value : Literal(value))}";
            yield return role is null ? $"ALTER DATABASE {database} {assignment}" : $"ALTER ROLE {Identifier(role)} IN DATABASE {database} {assignment}";
        }

        if (Comment is not null)
        {
            yield return $"COMMENT ON DATABASE {database} IS {Literal(Comment)}";
        }
    }

    private static string Identifier(string name) => TableMeasurement.Quote(name);

    // An escape-string literal reads the same whatever standard_conforming_strings says.
    private static string Literal(string value) => "E'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'";

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_.]*$")]
    private static partial Regex SettingName();
}
