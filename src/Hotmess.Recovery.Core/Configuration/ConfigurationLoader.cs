using System.Collections;
using System.Text.Json;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Configuration;

/// <summary>
/// Reads <c>hotmess.json</c> from where the caller put it (explicit path, <c>HOTMESS_CONFIG</c>, then the user's own
/// config folder; never the current directory) and fills what the file leaves open from the environment.
/// The file says where secrets are sent, so one that other users can change is refused.
/// Explicit cmdlet parameters win over both; the cmdlets apply them.
/// </summary>
public static class ConfigurationLoader
{
    public const string FileName = "hotmess.json";

    /// <summary>Loads the configuration; <c>verbose</c> hears which file was read and each secret's destination it sets.</summary>
    public static HotmessConfiguration Load(string? explicitPath, IDictionary environment, Action<string>? verbose = null)
    {
        var path = ResolvePath(explicitPath, environment, verbose);
        HotmessConfiguration configuration;
        if (path is null)
        {
            configuration = new HotmessConfiguration();
        }
        else
        {
            ConfigurationFileAccess.EnsureOnlyOwnerCanWrite(path);
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
            if (ConnectionStringText.HasPassword(configuration.Database.ConnectionString) || ConnectionStringText.HasPassword(configuration.Drills.ScratchConnectionString))
            {
                throw new HotmessException("ConfigurationHoldsSecret", FailureKind.InvalidData,
                    $"The configuration file '{path}' holds a database password; put it in PGPASSWORD or pass -ConnectionString instead.", path);
            }

            verbose?.Invoke($"Read the configuration file '{path}'.");
            foreach (var line in SecretDestinations.Describe(configuration, path))
            {
                verbose?.Invoke(line);
            }
        }

        ApplyEnvironment(configuration, environment);
        return configuration;
    }

    /// <summary>
    /// The user's own configuration file: <c>$XDG_CONFIG_HOME/hotmess/hotmess.json</c>, else
    /// <c>~/.config/hotmess/hotmess.json</c>; on Windows <c>%APPDATA%\hotmess\hotmess.json</c>.
    /// </summary>
    public static string UserConfigurationPath(IDictionary environment)
    {
        string folder;
        if (OperatingSystem.IsWindows())
        {
            folder = Get(environment, "APPDATA") ?? System.Environment.GetFolderPath(System.Environment.SpecialFolder.ApplicationData);
        }
        else
        {
            // The XDG rule: a relative XDG_CONFIG_HOME is invalid and ignored.
            folder = Get(environment, "XDG_CONFIG_HOME") is { } xdg && Path.IsPathRooted(xdg)
                ? xdg
                : Path.Combine(Get(environment, "HOME") ?? System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".config");
        }

        return Path.Combine(folder, "hotmess", FileName);
    }

    private static string? ResolvePath(string? explicitPath, IDictionary environment, Action<string>? verbose)
    {
        if (!string.IsNullOrEmpty(explicitPath))
        {
            return Existing(explicitPath);
        }

        if (Get(environment, "HOTMESS_CONFIG") is { } fromEnvironment)
        {
            return Existing(fromEnvironment);
        }

        var own = UserConfigurationPath(environment);
        if (File.Exists(own))
        {
            return own;
        }

        // Any folder can hold a hotmess.json (a download, a shared checkout): it is no longer read by being there.
        var inCurrentDirectory = Path.Combine(Directory.GetCurrentDirectory(), FileName);
        if (File.Exists(inCurrentDirectory))
        {
            verbose?.Invoke($"The '{inCurrentDirectory}' in the current directory is not read; pass -ConfigurationPath, set HOTMESS_CONFIG or move it to '{own}' to use it.");
        }

        return null;
    }

    private static string Existing(string path)
    {
        if (!File.Exists(path))
        {
            throw new HotmessException("ConfigurationNotFound", FailureKind.NotFound,
                $"The configuration file '{path}' does not exist.", path);
        }

        return Path.GetFullPath(path);
    }

    private static void ApplyEnvironment(HotmessConfiguration c, IDictionary e)
    {
        c.Repository ??= Get(e, "HOTMESS_REPOSITORY");
        c.Database.ConnectionString ??= Get(e, "HOTMESS_DATABASE_URL") ?? Get(e, "SUPABASE_DB_URL");
        c.Database.RootCertificate ??= Get(e, "PGSSLROOTCERT");
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
