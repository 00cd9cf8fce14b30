using System.Collections;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform;
using Hotmess.Recovery.Platform.Vercel;

namespace Hotmess.Recovery.Configuration;

/// <summary>
/// Maps the configuration file and the environment onto the settings each platform client takes, so the clients
/// know nothing of the file's schema. Explicit values win over the file, which wins over the environment.
/// </summary>
public static class ClientSettings
{
    public const string StorageKeyVariable = "SUPABASE_SERVICE_ROLE_KEY";

    /// <summary>
    /// The Vercel API URL, token, project and team (<c>VERCEL_API_URL</c>, <c>VERCEL_TOKEN</c>, <c>VERCEL_PROJECT_ID</c>,
    /// <c>VERCEL_TEAM_ID</c>). Fails with <c>VercelTokenMissing</c>, <c>VercelProjectMissing</c>,
    /// <c>VercelApiUrlInvalid</c> or <c>InsecureEndpoint</c>.
    /// </summary>
    public static VercelSettings Vercel(
        HotmessConfiguration configuration,
        IDictionary environment,
        Secret? token = null,
        string? projectId = null,
        string? teamId = null,
        string? apiUrl = null)
    {
        var platform = configuration.Platform;
        var url = FirstValue(apiUrl, platform.VercelApiUrl, Text(environment, "VERCEL_API_URL")) ?? VercelSettings.DefaultApiUrl.ToString();
        var apiUri = PlatformHttp.TryParse(url)
            ?? throw new HotmessException("VercelApiUrlInvalid", FailureKind.InvalidArgument, $"The Vercel API URL '{url}' is not an absolute http(s) URL.", url);
        PlatformHttp.RequireSecure(apiUri, "The Vercel API URL (-ApiUrl, platform.vercelApiUrl or VERCEL_API_URL)");

        var resolvedToken = token ?? ConfigurationLoader.GetSecret(environment, "VERCEL_TOKEN")
            ?? throw new HotmessException("VercelTokenMissing", FailureKind.AuthenticationFailed,
                "No Vercel token: set the VERCEL_TOKEN environment variable (or Automation variable) or pass -Token.", "VERCEL_TOKEN");

        var project = FirstValue(projectId, platform.VercelProjectId, Text(environment, "VERCEL_PROJECT_ID"))
            ?? throw new HotmessException("VercelProjectMissing", FailureKind.InvalidArgument,
                "No Vercel project: set VERCEL_PROJECT_ID, Platform.VercelProjectId in the configuration file, or pass -ProjectId.", "VERCEL_PROJECT_ID");

        return new VercelSettings
        {
            ApiUrl = apiUri,
            Token = resolvedToken,
            ProjectId = project,
            TeamId = FirstValue(teamId, platform.VercelTeamId, Text(environment, "VERCEL_TEAM_ID")),
        };
    }

    /// <summary>
    /// Where Supabase Storage is and the key it takes: the project URL (<paramref name="url"/>, else
    /// <c>storage.supabaseUrl</c>, else <c>VITE_SUPABASE_URL</c> / <c>SUPABASE_URL</c> as the caller passes them in)
    /// and the service-role key (<paramref name="key"/>, else <c>SUPABASE_SERVICE_ROLE_KEY</c>).
    /// </summary>
    public static (Uri Url, Secret Key) Storage(string? url, Secret? key, HotmessConfiguration configuration, IDictionary environment)
    {
        var text = string.IsNullOrWhiteSpace(url) ? configuration.Storage.SupabaseUrl : url;
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new HotmessException("StorageUrlMissing", FailureKind.InvalidArgument,
                "No Supabase URL: pass -SupabaseUrl, set storage.supabaseUrl in hotmess.json, or set VITE_SUPABASE_URL.", "SupabaseUrl");
        }

        var uri = PlatformHttp.TryParse(text)
            ?? throw new HotmessException("StorageUrlInvalid", FailureKind.InvalidArgument, $"The Supabase URL '{text}' is not an http(s) URL.", text);
        PlatformHttp.RequireSecure(uri, "The Supabase URL (-SupabaseUrl, storage.supabaseUrl or VITE_SUPABASE_URL)");
        var secret = key ?? ConfigurationLoader.GetSecret(environment, StorageKeyVariable)
            ?? throw new HotmessException("StorageKeyMissing", FailureKind.InvalidArgument,
                $"No service-role key for Supabase Storage: pass -ServiceRoleKey or set {StorageKeyVariable}.", StorageKeyVariable);
        return (uri, secret);
    }

    private static string? Text(IDictionary environment, string name) => environment[name] as string;

    private static string? FirstValue(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();
}
