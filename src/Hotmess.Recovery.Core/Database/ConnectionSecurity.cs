using System.Net;
using Npgsql;

namespace Hotmess.Recovery.Database;

/// <summary>The SSL mode a connection uses and whether it deserves a warning.</summary>
public sealed record TransportDecision(SslMode Mode, string? Warning);

/// <summary>
/// How a database connection is protected. A remote server gets the password, so by default its certificate and
/// name are verified (<c>verify-full</c>); a loopback address or a Unix socket stays as it was (<c>prefer</c>).
/// An SSL mode the caller wrote is honoured, with a warning when it lets a remote server go unverified.
/// </summary>
public static class ConnectionSecurity
{
    // Where Debian, Red Hat, Alpine and macOS keep the system's trusted CAs: libpq 15 cannot be told "system".
    private static readonly string[] SystemBundles =
    [
        "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem",
    ];

    public static TransportDecision Decide(string? host, SslMode? requested)
    {
        var local = IsLocal(host);
        var mode = requested ?? (local ? SslMode.Prefer : SslMode.VerifyFull);
        var warning = local || mode == SslMode.VerifyFull
            ? null
            : $"The connection to '{host}' uses SSL mode {mode}, which does not verify the server's certificate and name, so the password can go to whoever answers; use SSL Mode=VerifyFull (sslmode=verify-full) with the server's root certificate.";
        return new TransportDecision(mode, warning);
    }

    /// <summary>The warning <see cref="Decide"/> gives for a parsed connection, or null.</summary>
    public static string? Warning(NpgsqlConnectionStringBuilder builder) => Decide(builder.Host, builder.SslMode).Warning;

    /// <summary>True for a loopback address, <c>localhost</c> or a Unix socket folder; for several hosts, when all are.</summary>
    public static bool IsLocal(string? host)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            return false;
        }

        return host.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).All(IsLocalOne);
    }

    /// <summary>
    /// The root certificate libpq must use so that it trusts what Npgsql trusts: the one given, else libpq's own
    /// <c>~/.postgresql/root.crt</c> when present (null: libpq finds it), else the system's trusted CAs.
    /// </summary>
    public static string? LibpqRootCertificate(NpgsqlConnectionStringBuilder builder, string? fromEnvironment, string home)
    {
        if (builder.SslMode is not (SslMode.VerifyCA or SslMode.VerifyFull))
        {
            return null;
        }

        if (!string.IsNullOrEmpty(builder.RootCertificate))
        {
            return builder.RootCertificate;
        }

        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }

        return File.Exists(Path.Combine(home, ".postgresql", "root.crt")) ? null : SystemBundles.FirstOrDefault(File.Exists);
    }

    private static bool IsLocalOne(string host)
    {
        // A folder (Unix socket) or an abstract socket name.
        if (host.StartsWith('/') || host.StartsWith('@') || (OperatingSystem.IsWindows() && Path.IsPathFullyQualified(host)))
        {
            return true;
        }

        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        return bare.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(bare, out var address) && IPAddress.IsLoopback(address));
    }
}
