using System.Collections;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Platform;

namespace Hotmess.Recovery.Storage;

/// <summary>Where Supabase Storage is and the key it takes: parameters first, then configuration and the plan's variables.</summary>
public static class StorageConnection
{
    public const string KeyVariable = "SUPABASE_SERVICE_ROLE_KEY";

    /// <summary>
    /// The project URL (<paramref name="url"/>, else <c>storage.supabaseUrl</c> in hotmess.json, else
    /// <c>VITE_SUPABASE_URL</c> / <c>SUPABASE_URL</c>) and the service-role key (<paramref name="key"/>, else
    /// <c>SUPABASE_SERVICE_ROLE_KEY</c>).
    /// </summary>
    public static (Uri Url, Secret Key) Resolve(string? url, Secret? key, HotmessConfiguration configuration, IDictionary environment)
    {
        var text = string.IsNullOrWhiteSpace(url) ? configuration.Storage.SupabaseUrl : url;
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new HotmessException("StorageUrlMissing", FailureKind.InvalidArgument,
                "No Supabase URL: pass -SupabaseUrl, set storage.supabaseUrl in hotmess.json, or set VITE_SUPABASE_URL.", "SupabaseUrl");
        }

        var uri = PlatformHttp.TryParse(text)
            ?? throw new HotmessException("StorageUrlInvalid", FailureKind.InvalidArgument, $"The Supabase URL '{text}' is not an http(s) URL.", text);
        var secret = key ?? ConfigurationLoader.GetSecret(environment, KeyVariable)
            ?? throw new HotmessException("StorageKeyMissing", FailureKind.InvalidArgument,
                $"No service-role key for Supabase Storage: pass -ServiceRoleKey or set {KeyVariable}.", KeyVariable);
        return (uri, secret);
    }
}
