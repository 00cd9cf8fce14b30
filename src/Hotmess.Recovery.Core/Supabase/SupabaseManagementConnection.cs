using System.Collections;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Platform;

namespace Hotmess.Recovery.Supabase;

/// <summary>
/// Where the Supabase Management API is, the token it takes and the project: explicit values first, then the
/// configuration file, then <c>SUPABASE_MANAGEMENT_URL</c>, <c>SUPABASE_ACCESS_TOKEN</c> and <c>SUPABASE_PROJECT_REF</c>.
/// </summary>
public sealed record SupabaseManagementConnection(Uri ApiUrl, Secret AccessToken, string ProjectRef)
{
    public const string TokenVariable = "SUPABASE_ACCESS_TOKEN";
    public const string ProjectVariable = "SUPABASE_PROJECT_REF";

    /// <summary>Fails with <c>SupabaseAccessTokenMissing</c>, <c>SupabaseProjectRefMissing</c>, <c>SupabaseManagementUrlInvalid</c> or <c>InsecureEndpoint</c>.</summary>
    public static SupabaseManagementConnection Resolve(HotmessConfiguration configuration, IDictionary environment, Secret? accessToken = null,
        string? projectRef = null)
    {
        var account = ResolveAccount(configuration, environment, accessToken);
        var reference = new[] { projectRef, configuration.Platform.SupabaseProjectRef, environment[ProjectVariable] as string }
                            .FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim()
            ?? throw new HotmessException("SupabaseProjectRefMissing", FailureKind.InvalidArgument,
                $"No Supabase project: set {ProjectVariable} (the 20 letters of https://<ref>.supabase.co), platform.supabaseProjectRef, or pass -ProjectRef.",
                ProjectVariable);
        return account with { ProjectRef = reference };
    }

    /// <summary>The API URL and token alone, for calls bound to no project (creating one); <see cref="ProjectRef"/> is empty.</summary>
    public static SupabaseManagementConnection ResolveAccount(HotmessConfiguration configuration, IDictionary environment, Secret? accessToken = null)
    {
        var text = configuration.Platform.SupabaseManagementUrl ?? "https://api.supabase.com";
        var url = PlatformHttp.TryParse(text)
            ?? throw new HotmessException("SupabaseManagementUrlInvalid", FailureKind.InvalidArgument,
                $"The Supabase Management API URL '{text}' is not an absolute http(s) URL.", text);
        PlatformHttp.RequireSecure(url, "The Supabase Management API URL (platform.supabaseManagementUrl or SUPABASE_MANAGEMENT_URL)");
        var token = accessToken ?? ConfigurationLoader.GetSecret(environment, TokenVariable)
            ?? throw new HotmessException("SupabaseAccessTokenMissing", FailureKind.AuthenticationFailed,
                $"No Supabase access token: set {TokenVariable} (a personal access token, sbp_…) or pass -AccessToken.", TokenVariable);
        return new SupabaseManagementConnection(url, token, "");
    }
}
