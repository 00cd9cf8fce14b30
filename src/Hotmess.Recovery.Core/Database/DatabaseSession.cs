using Hotmess.Recovery.Common;
using Npgsql;

namespace Hotmess.Recovery.Database;

/// <summary>Opens Npgsql connections and turns connection failures into errors that say what is wrong, never with the password.</summary>
public static class DatabaseSession
{
    public static async Task<NpgsqlConnection> OpenAsync(NpgsqlConnectionStringBuilder builder, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw Translate(ex, builder);
        }
    }

    public static HotmessException Translate(Exception ex, NpgsqlConnectionStringBuilder builder)
    {
        var where = ConnectionStrings.Redact(builder);
        return ex switch
        {
            PostgresException { SqlState: "28P01" or "28000" } =>
                new HotmessException("DatabaseAuthenticationFailed", FailureKind.AuthenticationFailed,
                    $"The database refused the credentials of user '{builder.Username}' ({where}).", where, ex),
            PostgresException { SqlState: "3D000" } =>
                new HotmessException("DatabaseNotFound", FailureKind.NotFound,
                    $"The database '{builder.Database}' does not exist ({where}).", builder.Database, ex),
            PostgresException { SqlState: "42501" } pg =>
                new HotmessException("DatabasePermissionDenied", FailureKind.PermissionDenied,
                    $"Permission denied on the database ({where}): {pg.MessageText}", where, ex),
            _ when IsCertificateFailure(ex) =>
                new HotmessException("DatabaseCertificateUntrusted", FailureKind.ConnectionFailed,
                    $"The database server's certificate cannot be verified for '{builder.Host}' ({where}); name the CA that signed it in database.rootCertificate, PGSSLROOTCERT or Root Certificate= (for Supabase, the root certificate from the dashboard): {Innermost(ex).Message}",
                    where, ex),
            PostgresException pg =>
                new HotmessException("DatabaseError", FailureKind.InvalidOperation,
                    $"The database answered {pg.SqlState}: {pg.MessageText} ({where}).", where, ex),
            _ =>
                new HotmessException("DatabaseUnreachable", FailureKind.ConnectionFailed,
                    $"The database server cannot be reached ({where}): {ex.InnerException?.Message ?? ex.Message}", where, ex),
        };
    }

    // A certificate that does not chain to the root certificate, or names another host.
    private static bool IsCertificateFailure(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is System.Security.Authentication.AuthenticationException)
            {
                return true;
            }
        }

        return false;
    }

    private static Exception Innermost(Exception ex) => ex.InnerException is null ? ex : Innermost(ex.InnerException);
}
