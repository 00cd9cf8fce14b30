using System.Data.Common;
using System.Globalization;
using System.Text;
using Hotmess.Recovery.Common;
using Npgsql;

namespace Hotmess.Recovery.Database;

/// <summary>
/// Connection strings as users have them: Npgsql keywords (<c>Host=…;Username=…</c>) or the
/// <c>postgres://user:pass@host:port/db</c> URI that Supabase shows. The password never leaves this class
/// except into an Npgsql connection or a child process's environment. A remote host is verified by default
/// (<see cref="ConnectionSecurity"/>).
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
        bool sslModeGiven;
        try
        {
            if (ConnectionStringText.IsUri(connectionString))
            {
                builder = FromUri(connectionString, out sslModeGiven);
            }
            else
            {
                builder = new NpgsqlConnectionStringBuilder(connectionString);
                sslModeGiven = NamesSslMode(connectionString);
            }
        }
        catch (Exception ex) when (ex is ArgumentException or UriFormatException or FormatException or KeyNotFoundException or OverflowException)
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
        builder.Username ??= System.Environment.UserName;
        builder.SslMode = ConnectionSecurity.Decide(builder.Host, sslModeGiven ? builder.SslMode : null).Mode;
        return builder;
    }

    /// <summary>Whether the string names a database itself; <see cref="Parse"/> falls back to <c>postgres</c> when it does not.</summary>
    public static bool NamesDatabase(string connectionString)
    {
        Parse(connectionString);
        return ConnectionStringText.IsUri(connectionString)
            ? new Uri(connectionString).AbsolutePath.Trim('/').Length > 0
            : !string.IsNullOrEmpty(new NpgsqlConnectionStringBuilder(connectionString).Database);
    }

    /// <summary>A printable form: host, port, database and user, never the password.</summary>
    public static string Redact(NpgsqlConnectionStringBuilder builder) =>
        $"Host={builder.Host};Port={builder.Port};Database={builder.Database};Username={builder.Username}";

    /// <summary>Another database of the same server to CREATE or DROP this one from.</summary>
    public static NpgsqlConnectionStringBuilder Maintenance(NpgsqlConnectionStringBuilder builder) =>
        new(builder.ConnectionString) { Database = builder.Database == "postgres" ? "template1" : "postgres" };

    /// <summary>
    /// The <c>--dbname</c> value for pg_dump, pg_restore and psql: a complete libpq connection string with every
    /// value quoted, so a database named <c>x=y</c> or <c>postgresql://…</c> stays a name. No password: that
    /// travels in <see cref="ToLibpqEnvironment"/>.
    /// </summary>
    public static string ToConninfo(NpgsqlConnectionStringBuilder builder)
    {
        var text = new StringBuilder();
        Append(text, "dbname", builder.Database!);
        Append(text, "host", builder.Host!);
        Append(text, "port", builder.Port.ToString(CultureInfo.InvariantCulture));
        Append(text, "user", builder.Username!);
        return text.ToString();
    }

    /// <summary>
    /// What the module sets in the environment of pg_dump, pg_restore and psql (the rest of it is built from
    /// scratch): the password, never on a command line, and the same SSL rules as the Npgsql connection.
    /// </summary>
    public static Dictionary<string, string> ToLibpqEnvironment(NpgsqlConnectionStringBuilder builder)
    {
        var environment = new Dictionary<string, string>
        {
            ["PGAPPNAME"] = "HotmessRecovery",
            ["PGCONNECT_TIMEOUT"] = Math.Max(1, builder.Timeout).ToString(CultureInfo.InvariantCulture),
            ["PGSSLMODE"] = builder.SslMode switch
            {
                SslMode.Disable => "disable",
                SslMode.Allow => "allow",
                SslMode.Require => "require",
                SslMode.VerifyCA => "verify-ca",
                SslMode.VerifyFull => "verify-full",
                _ => "prefer",
            },
        };
        if (!string.IsNullOrEmpty(builder.Password))
        {
            environment["PGPASSWORD"] = builder.Password;
        }
        else if (Variable("PGPASSFILE") is { } passFile)
        {
            // Npgsql reads the caller's password file too; the child must find the same one.
            environment["PGPASSFILE"] = passFile;
        }

        var home = System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);
        if (ConnectionSecurity.LibpqRootCertificate(builder, Variable("PGSSLROOTCERT"), home) is { } rootCertificate)
        {
            environment["PGSSLROOTCERT"] = rootCertificate;
        }

        if (!string.IsNullOrEmpty(builder.SslCertificate))
        {
            environment["PGSSLCERT"] = builder.SslCertificate;
        }

        if (!string.IsNullOrEmpty(builder.SslKey))
        {
            environment["PGSSLKEY"] = builder.SslKey;
        }

        return environment;
    }

    private static void Append(StringBuilder text, string keyword, string value)
    {
        if (text.Length > 0)
        {
            text.Append(' ');
        }

        // libpq's quoting: single quotes around the value, backslash before a quote or a backslash inside it.
        text.Append(keyword).Append("='").Append(value.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("'", @"\'", StringComparison.Ordinal)).Append('\'');
    }

    private static string? Variable(string name) =>
        System.Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static bool NamesSslMode(string connectionString) =>
        new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Any(k => k.Replace(" ", "", StringComparison.Ordinal).Equals("sslmode", StringComparison.OrdinalIgnoreCase));

    private static NpgsqlConnectionStringBuilder FromUri(string text, out bool sslModeGiven)
    {
        sslModeGiven = false;
        var uri = new Uri(text);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = Uri.UnescapeDataString(uri.Host),
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
                    sslModeGiven = true;
                    break;
                case "sslrootcert":
                    builder.RootCertificate = value;
                    break;
                case "connect_timeout":
                    builder.Timeout = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "host":
                    builder.Host = value;
                    break;
                case "user":
                    builder.Username = value;
                    break;
                case "password":
                    builder.Password = value;
                    break;
            }
        }

        return builder;
    }
}
