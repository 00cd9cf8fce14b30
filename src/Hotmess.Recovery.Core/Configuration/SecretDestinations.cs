namespace Hotmess.Recovery.Configuration;

/// <summary>
/// The settings that decide where a secret is sent. A configuration file that sets one moves that secret's
/// destination, so the caller is told which setting, which file and which host (never the secret).
/// </summary>
public static class SecretDestinations
{
    private sealed record Destination(string Setting, string Secret, Func<HotmessConfiguration, string?> Read, Func<string, string?> Host);

    private static readonly Destination[] All =
    [
        new("database.connectionString", "the database password", c => c.Database.ConnectionString, Common.ConnectionStringText.Host),
        new("storage.supabaseUrl", "the Supabase service role key", c => c.Storage.SupabaseUrl, UrlHost),
        new("platform.supabaseManagementUrl", "the Supabase access token", c => c.Platform.SupabaseManagementUrl, UrlHost),
        new("platform.vercelApiUrl", "the Vercel token", c => c.Platform.VercelApiUrl, UrlHost),
        new("platform.stripeApiUrl", "the Stripe secret key", c => c.Platform.StripeApiUrl, UrlHost),
        new("platform.resendApiUrl", "the Resend API key", c => c.Platform.ResendApiUrl, UrlHost),
        new("drills.scratchConnectionString", "the database password", c => c.Drills.ScratchConnectionString, Common.ConnectionStringText.Host),
        new("drills.supabaseUrl", "the Supabase service role key", c => c.Drills.SupabaseUrl, UrlHost),
    ];

    /// <summary>One line for each destination that <paramref name="fromFile"/> (as read, before the environment fills it) sets.</summary>
    public static IEnumerable<string> Describe(HotmessConfiguration fromFile, string path)
    {
        foreach (var destination in All)
        {
            if (destination.Read(fromFile) is { Length: > 0 } value)
            {
                var host = destination.Host(value) is { Length: > 0 } h ? $"'{h}'" : "an address that names no host";
                yield return $"The configuration file '{path}' sets {destination.Setting}: {destination.Secret} is sent to {host}.";
            }
        }
    }

    // Only the host: a URL can carry user information, which is never repeated.
    private static string? UrlHost(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) ? uri.Host : null;
}
