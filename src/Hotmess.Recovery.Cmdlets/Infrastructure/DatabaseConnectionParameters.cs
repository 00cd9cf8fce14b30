using System.Management.Automation;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Database;

namespace Hotmess.Recovery.Cmdlets.Infrastructure;

/// <summary>Builds the Npgsql connection string a cmdlet uses from -ConnectionString, -Credential and the configuration.</summary>
internal static class DatabaseConnectionParameters
{
    public static string Resolve(string? connectionString, PSCredential? credential, HotmessConfiguration configuration)
    {
        var text = connectionString ?? configuration.Database.ConnectionString ?? string.Empty;
        var builder = ConnectionStrings.Parse(text, System.Environment.GetEnvironmentVariable("PGPASSWORD"));
        if (credential is not null)
        {
            builder.Username = credential.UserName;
            builder.Password = credential.GetNetworkCredential().Password;
        }

        return builder.ConnectionString;
    }
}
