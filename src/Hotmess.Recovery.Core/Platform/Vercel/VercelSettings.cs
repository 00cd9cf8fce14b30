using System.Collections;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;

namespace Hotmess.Recovery.Platform.Vercel;

/// <summary>
/// Where and as whom <see cref="VercelClient"/> talks to Vercel: API base URL, token, project and optional team.
/// Build it with <see cref="Resolve"/> so explicit values win over the configuration file, which wins over the
/// environment (<c>VERCEL_API_URL</c>, <c>VERCEL_TOKEN</c>, <c>VERCEL_PROJECT_ID</c>, <c>VERCEL_TEAM_ID</c>).
/// </summary>
public sealed record VercelSettings
{
    public static readonly Uri DefaultApiUrl = new("https://api.vercel.com");

    public required Uri ApiUrl { get; init; }

    public required Secret Token { get; init; }

    /// <summary>Project id (<c>prj_…</c>) or name.</summary>
    public required string ProjectId { get; init; }

    /// <summary>Team scope, sent as <c>teamId</c> on every call when set.</summary>
    public string? TeamId { get; init; }

    /// <summary>How often a 429 (or 503) is retried before the call fails with <c>VercelRateLimited</c>.</summary>
    public int MaxRateLimitRetries { get; init; } = 3;

    /// <summary>The longest wait for a rate-limit window to reset; a later reset fails the call at once.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Timeout of one HTTP request.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// Combines explicit values (null when not given) with the loaded configuration and the environment.
    /// Fails with <c>VercelTokenMissing</c>, <c>VercelProjectMissing</c> or <c>VercelApiUrlInvalid</c>.
    /// </summary>
    public static VercelSettings Resolve(
        HotmessConfiguration configuration,
        IDictionary environment,
        Secret? token = null,
        string? projectId = null,
        string? teamId = null,
        string? apiUrl = null)
    {
        var platform = configuration.Platform;
        var url = FirstValue(apiUrl, platform.VercelApiUrl, Environment(environment, "VERCEL_API_URL")) ?? DefaultApiUrl.ToString();
        if (!Uri.TryCreate(url, UriKind.Absolute, out var apiUri) || (apiUri.Scheme != Uri.UriSchemeHttps && apiUri.Scheme != Uri.UriSchemeHttp))
        {
            throw new HotmessException("VercelApiUrlInvalid", FailureKind.InvalidArgument,
                $"The Vercel API URL '{url}' is not an absolute http(s) URL.", url);
        }

        var resolvedToken = token ?? ConfigurationLoader.GetSecret(environment, "VERCEL_TOKEN")
            ?? throw new HotmessException("VercelTokenMissing", FailureKind.AuthenticationFailed,
                "No Vercel token: set the VERCEL_TOKEN environment variable (or Automation variable) or pass -Token.", "VERCEL_TOKEN");

        var project = FirstValue(projectId, platform.VercelProjectId, Environment(environment, "VERCEL_PROJECT_ID"))
            ?? throw new HotmessException("VercelProjectMissing", FailureKind.InvalidArgument,
                "No Vercel project: set VERCEL_PROJECT_ID, Platform.VercelProjectId in the configuration file, or pass -ProjectId.", "VERCEL_PROJECT_ID");

        return new VercelSettings
        {
            ApiUrl = apiUri,
            Token = resolvedToken,
            ProjectId = project,
            TeamId = FirstValue(teamId, platform.VercelTeamId, Environment(environment, "VERCEL_TEAM_ID")),
        };
    }

    private static string? Environment(IDictionary environment, string name) => environment[name] as string;

    private static string? FirstValue(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();
}
