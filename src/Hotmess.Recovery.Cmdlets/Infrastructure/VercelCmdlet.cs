using System.Management.Automation;
using System.Security;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Platform;
using Hotmess.Recovery.Platform.Vercel;

namespace Hotmess.Recovery.Cmdlets.Infrastructure;

/// <summary>
/// Base of the cmdlets that talk to Vercel: the common parameters -Token, -ProjectId, -TeamId, -ApiUrl and
/// -ConfigurationPath, resolved once per invocation with explicit parameters first, then the configuration
/// file, then the environment (<c>VERCEL_TOKEN</c>, <c>VERCEL_PROJECT_ID</c>, <c>VERCEL_TEAM_ID</c>,
/// <c>VERCEL_API_URL</c>).
/// </summary>
public abstract class VercelCmdlet : HotmessCmdlet
{
    private HotmessConfiguration? _configuration;
    private VercelSettings? _settings;

    /// <summary>Vercel access token; <c>VERCEL_TOKEN</c> when not given.</summary>
    [Parameter]
    public SecureString? Token { get; set; }

    /// <summary>Vercel project id or name; the configuration or <c>VERCEL_PROJECT_ID</c> when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ProjectId { get; set; }

    /// <summary>Vercel team id; the configuration or <c>VERCEL_TEAM_ID</c> when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TeamId { get; set; }

    /// <summary>Vercel API base URL; the configuration, <c>VERCEL_API_URL</c>, or https://api.vercel.com.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ApiUrl { get; set; }

    /// <summary>Path of hotmess.json.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected HotmessConfiguration Configuration => _configuration ??= LoadConfiguration(ConfigurationPath);

    /// <summary>The resolved Vercel settings; a terminating error (e.g. <c>VercelTokenMissing</c>) when incomplete.</summary>
    protected VercelSettings VercelSettings
    {
        get
        {
            if (_settings is null)
            {
                Terminating(() => _settings = ClientSettings.Vercel(Configuration, System.Environment.GetEnvironmentVariables(),
                    ToSecret(Token), ProjectId, TeamId, ApiUrl));
            }

            return _settings!;
        }
    }

    protected override void BeginProcessing() => _ = VercelSettings;

    /// <summary>
    /// Runs Vercel work on the engine worker with a client of its own; a <see cref="HotmessException"/> ends the
    /// cmdlet with a categorised error.
    /// </summary>
    protected T RunVercel<T>(Func<VercelClient, IOperationLog, CancellationToken, Task<T>> work)
    {
        var settings = VercelSettings;
        T result = default!;
        Terminating(() => result = RunEngine(async (log, token) =>
        {
            using var client = new VercelClient(settings, log);
            return await work(client, log, token).ConfigureAwait(false);
        }));
        return result;
    }

    /// <summary>Like <see cref="RunVercel{T}"/>, but a <see cref="HotmessException"/> is written as a non-terminating error and null returned.</summary>
    protected T? RunVercelPerItem<T>(Func<VercelClient, IOperationLog, CancellationToken, Task<T>> work)
        where T : class
    {
        var settings = VercelSettings;
        T? result = null;
        PerItem(() => result = RunEngine(async (log, token) =>
        {
            using var client = new VercelClient(settings, log);
            return await work(client, log, token).ConfigureAwait(false);
        }));
        return result;
    }

    /// <summary>The site's health client: <paramref name="siteUrl"/>, else the configuration, else <c>HOTMESS_SITE_URL</c>, else https://hotmess.london.</summary>
    protected SiteHealthClient CreateSiteHealthClient(string? siteUrl)
    {
        SiteHealthClient? client = null;
        Terminating(() => client = SiteHealthClient.Create(siteUrl ?? Configuration.Platform.SiteUrl ?? "https://hotmess.london"));
        return client!;
    }
}
