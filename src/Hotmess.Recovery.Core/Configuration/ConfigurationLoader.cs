using System.Collections;
using System.Text.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Database;

namespace Hotmess.Recovery.Configuration;

/// <summary>
/// Reads <c>hotmess.json</c> (explicit path, <c>HOTMESS_CONFIG</c>, <c>./hotmess.json</c>, then
/// <c>~/.hotmess/hotmess.json</c>) and fills what the file leaves open from the environment.
/// Explicit cmdlet parameters win over both; the cmdlets apply them.
/// </summary>
public static class ConfigurationLoader
{
    public static HotmessConfiguration Load(string? explicitPath, IDictionary environment)
    {
        var path = ResolvePath(explicitPath, environment);
        HotmessConfiguration configuration;
        if (path is null)
        {
            configuration = new HotmessConfiguration();
        }
        else
        {
            try
            {
                configuration = Json.Deserialize<HotmessConfiguration>(File.ReadAllText(path));
            }
            catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
            {
                throw new HotmessException("ConfigurationInvalid", FailureKind.InvalidData,
                    $"The configuration file '{path}' cannot be read: {ex.Message}", path, ex);
            }

            configuration.SourcePath = path;
            if (configuration.Database.ConnectionString is { } cs && ConnectionStrings.HasPassword(cs))
            {
                throw new HotmessException("ConfigurationHoldsSecret", FailureKind.InvalidData,
                    $"The configuration file '{path}' holds a database password; put it in PGPASSWORD or pass -ConnectionString instead.", path);
            }
        }

        ApplyEnvironment(configuration, environment);
        return configuration;
    }

    private static string? ResolvePath(string? explicitPath, IDictionary environment)
    {
        if (!string.IsNullOrEmpty(explicitPath))
        {
            if (!File.Exists(explicitPath))
            {
                throw new HotmessException("ConfigurationNotFound", FailureKind.NotFound,
                    $"The configuration file '{explicitPath}' does not exist.", explicitPath);
            }

            return Path.GetFullPath(explicitPath);
        }

        if (Get(environment, "HOTMESS_CONFIG") is { } fromEnvironment)
        {
            return ResolvePath(fromEnvironment, new Hashtable());
        }

        var candidates = new[]
        {
            Path.Combine(Directory.GetCurrentDirectory(), "hotmess.json"),
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".hotmess", "hotmess.json"),
        };
        return candidates.FirstOrDefault(File.Exists);
    }

    private static void ApplyEnvironment(HotmessConfiguration c, IDictionary e)
    {
        c.Repository ??= Get(e, "HOTMESS_REPOSITORY");
        c.Database.ConnectionString ??= Get(e, "HOTMESS_DATABASE_URL") ?? Get(e, "SUPABASE_DB_URL");
        c.Storage.SupabaseUrl ??= Get(e, "VITE_SUPABASE_URL") ?? Get(e, "SUPABASE_URL");
        var p = c.Platform;
        p.SiteUrl ??= Get(e, "HOTMESS_SITE_URL") ?? "https://hotmess.london";
        p.VercelApiUrl ??= Get(e, "VERCEL_API_URL") ?? "https://api.vercel.com";
        p.VercelProjectId ??= Get(e, "VERCEL_PROJECT_ID");
        p.VercelTeamId ??= Get(e, "VERCEL_TEAM_ID");
        p.StripeApiUrl ??= Get(e, "STRIPE_API_URL") ?? "https://api.stripe.com";
        p.ResendApiUrl ??= Get(e, "RESEND_API_URL") ?? "https://api.resend.com";
        p.SupabaseManagementUrl ??= Get(e, "SUPABASE_MANAGEMENT_URL") ?? "https://api.supabase.com";
        p.SupabaseProjectRef ??= Get(e, "SUPABASE_PROJECT_REF");
    }

    /// <summary>A secret from the environment (the plan's own variable names), or null.</summary>
    public static Secret? GetSecret(IDictionary environment, string name) => Secret.FromNullable(Get(environment, name));

    private static string? Get(IDictionary environment, string name) =>
        environment[name] is string value && value.Length > 0 ? value : null;
}
