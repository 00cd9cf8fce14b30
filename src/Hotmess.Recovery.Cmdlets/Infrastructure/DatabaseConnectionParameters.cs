using System.Management.Automation;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Database;

namespace Hotmess.Recovery.Cmdlets.Infrastructure;

/// <summary>
/// Builds the Npgsql connection string a cmdlet uses from -ConnectionString, -Credential and the configuration
/// (its root certificate too), and tells <c>warning</c> when a remote server's certificate goes unverified.
/// </summary>
internal static class DatabaseConnectionParameters
{
    public static string Resolve(string? connectionString, PSCredential? credential, HotmessConfiguration configuration, Action<string> warning)
    {
        var text = connectionString ?? configuration.Database.ConnectionString ?? string.Empty;
        var builder = ConnectionStrings.Parse(text, System.Environment.GetEnvironmentVariable("PGPASSWORD"));
        if (credential is not null)
        {
            builder.Username = credential.UserName;
            builder.Password = credential.GetNetworkCredential().Password;
        }

        if (string.IsNullOrEmpty(builder.RootCertificate) && !string.IsNullOrEmpty(configuration.Database.RootCertificate))
        {
            builder.RootCertificate = configuration.Database.RootCertificate;
        }

        if (ConnectionSecurity.Warning(builder) is { } weak)
        {
            warning(weak);
        }

        return builder.ConnectionString;
    }
}
