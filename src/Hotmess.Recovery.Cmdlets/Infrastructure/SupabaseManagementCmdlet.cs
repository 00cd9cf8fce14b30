using System.Management.Automation;
using System.Security;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Platform.Supabase;
using Hotmess.Recovery.Supabase;

namespace Hotmess.Recovery.Cmdlets.Infrastructure;

/// <summary>
/// Base of the cmdlets that work on a project's Supabase-managed backups: -AccessToken, -ProjectRef and
/// -ConfigurationPath, resolved once per invocation (parameters, then hotmess.json, then <c>SUPABASE_ACCESS_TOKEN</c>,
/// <c>SUPABASE_PROJECT_REF</c> and <c>SUPABASE_MANAGEMENT_URL</c>).
/// </summary>
public abstract class SupabaseManagementCmdlet : HotmessCmdlet
{
    private SupabaseManagementConnection? _connection;

    /// <summary>A Supabase personal access token; <c>SUPABASE_ACCESS_TOKEN</c> when not given.</summary>
    [Parameter]
    public SecureString? AccessToken { get; set; }

    /// <summary>The project ref; the configuration or <c>SUPABASE_PROJECT_REF</c> when not given.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? ProjectRef { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    /// <summary>The resolved API URL, token and project; a terminating error when one is missing.</summary>
    protected SupabaseManagementConnection Connection
    {
        get
        {
            if (_connection is null || (ProjectRef is { } given && given != _connection.ProjectRef))
            {
                var configuration = LoadConfiguration(ConfigurationPath);
                Terminating(() => _connection = SupabaseManagementConnection.Resolve(configuration, System.Environment.GetEnvironmentVariables(),
                    ToSecret(AccessToken), ProjectRef));
            }

            return _connection!;
        }
    }

    /// <summary>Runs engine work with an engine of its own on the system clock; a <see cref="HotmessException"/> ends the cmdlet.</summary>
    protected T RunSupabase<T>(Func<SupabaseBackupEngine, CancellationToken, Task<T>> work)
    {
        var connection = Connection;
        T result = default!;
        Terminating(() => result = RunEngine(async (log, token) =>
        {
            // Each request's pipeline times its attempts; a whole-client timer would cut its retries short.
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            var client = new SupabaseManagementClient(http, connection.ApiUrl, connection.AccessToken, connection.ProjectRef, log);
            return await work(new SupabaseBackupEngine(client, TimeProvider.System, log), token).ConfigureAwait(false);
        }));
        return result;
    }
}
