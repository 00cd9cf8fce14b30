using Hotmess.Recovery.Common;
using Npgsql;

namespace Hotmess.Recovery.Database;

/// <summary>
/// Connection strings as users have them: Npgsql keywords (<c>Host=…;Username=…</c>) or the
/// <c>postgres://user:pass@host:port/db</c> URI that Supabase shows. The password never leaves this class
/// except into an Npgsql connection or a child process's environment.
/// </summary>
public static class ConnectionStrings
{
    public static NpgsqlConnectionStringBuilder Parse(string connectionString, string? fallbackPassword = null)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new HotmessException("ConnectionStringMissing", FailureKind.InvalidArgument,
                "No database connection string: pass -ConnectionString, or set HOTMESS_DATABASE_URL or database.connectionString in hotmess.json.");
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = connectionString.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
                || connectionString.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
                ? FromUri(connectionString)
                : new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or UriFormatException or FormatException or KeyNotFoundException)
        {
            // The exception text can quote the string, password and all; say only what kind of problem it is.
            throw new HotmessException("ConnectionStringInvalid", FailureKind.InvalidArgument,
                "The database connection string cannot be parsed; use Npgsql keywords (Host=…;Username=…) or a postgres:// URI.");
        }

        if (string.IsNullOrEmpty(builder.Host))
        {
            throw new HotmessException("ConnectionStringInvalid", FailureKind.InvalidArgument,
                $"The database connection string names no host ({Redact(builder)}).");
        }

        if (string.IsNullOrEmpty(builder.Password) && !string.IsNullOrEmpty(fallbackPassword))
        {
            builder.Password = fallbackPassword;
        }

        builder.Database ??= "postgres";
        builder.Username ??= Environment.UserName;
        return builder;
    }

    public static bool HasPassword(string connectionString)
    {
        try
        {
            return !string.IsNullOrEmpty(Parse(connectionString).Password);
        }
        catch (HotmessException)
        {
            return false;
        }
    }

    /// <summary>Whether the string names a database itself; <see cref="Parse"/> falls back to <c>postgres</c> when it does not.</summary>
    public static bool NamesDatabase(string connectionString)
    {
        Parse(connectionString);
        return IsUri(connectionString)
            ? new Uri(connectionString).AbsolutePath.Trim('/').Length > 0
            : !string.IsNullOrEmpty(new NpgsqlConnectionStringBuilder(connectionString).Database);
    }

    /// <summary>A printable form: host, port, database and user, never the password.</summary>
    public static string Redact(NpgsqlConnectionStringBuilder builder) =>
        $"Host={builder.Host};Port={builder.Port};Database={builder.Database};Username={builder.Username}";

    /// <summary>Another database of the same server to CREATE or DROP this one from.</summary>
    public static NpgsqlConnectionStringBuilder Maintenance(NpgsqlConnectionStringBuilder builder) =>
        new(builder.ConnectionString) { Database = builder.Database == "postgres" ? "template1" : "postgres" };

    /// <summary>libpq's environment for pg_dump, pg_restore and psql: the password travels here, never on a command line.</summary>
    public static Dictionary<string, string> ToLibpqEnvironment(NpgsqlConnectionStringBuilder builder)
    {
        var environment = new Dictionary<string, string>
        {
            ["PGHOST"] = builder.Host!,
            ["PGPORT"] = builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PGDATABASE"] = builder.Database!,
            ["PGUSER"] = builder.Username!,
            ["PGAPPNAME"] = "HotmessRecovery",
            ["PGCONNECT_TIMEOUT"] = Math.Max(1, builder.Timeout).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (!string.IsNullOrEmpty(builder.Password))
        {
            environment["PGPASSWORD"] = builder.Password;
        }

        environment["PGSSLMODE"] = builder.SslMode switch
        {
            SslMode.Disable => "disable",
            SslMode.Allow => "allow",
            SslMode.Require => "require",
            SslMode.VerifyCA => "verify-ca",
            SslMode.VerifyFull => "verify-full",
            _ => "prefer",
        };
        return environment;
    }

    private static bool IsUri(string connectionString) =>
        connectionString.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
        || connectionString.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase);

    private static NpgsqlConnectionStringBuilder FromUri(string text)
    {
        var uri = new Uri(text);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')) is { Length: > 0 } db ? db : "postgres",
        };
        var userInfo = uri.UserInfo.Split(':', 2);
        if (userInfo[0].Length > 0)
        {
            builder.Username = Uri.UnescapeDataString(userInfo[0]);
        }

        if (userInfo.Length == 2)
        {
            builder.Password = Uri.UnescapeDataString(userInfo[1]);
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            var value = parts.Length == 2 ? Uri.UnescapeDataString(parts[1]) : "";
            switch (parts[0].ToLowerInvariant())
            {
                case "sslmode":
                    builder.SslMode = Enum.Parse<SslMode>(value.Replace("-", ""), ignoreCase: true);
                    break;
                case "connect_timeout":
                    builder.Timeout = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                    break;
            }
        }

        return builder;
    }
}
