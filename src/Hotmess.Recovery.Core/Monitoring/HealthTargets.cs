using System.Collections;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;

namespace Hotmess.Recovery.Monitoring;

/// <summary>
/// What the checks look at and the secrets they need, resolved from the configuration and the environment. A null
/// member makes the checks that need it Skipped, saying which setting or secret is missing.
/// </summary>
public sealed record HealthTargets
{
    /// <summary>The site's base URL (<c>HOTMESS_SITE_URL</c>, <c>platform.siteUrl</c>).</summary>
    public string? SiteUrl { get; init; }

    /// <summary>An Npgsql connection string for the production database, password included.</summary>
    public string? DatabaseConnectionString { get; init; }

    /// <summary>The Supabase project URL, below which the metrics endpoint is.</summary>
    public string? SupabaseUrl { get; init; }

    public Secret? SupabaseServiceRoleKey { get; init; }

    public string? StripeApiUrl { get; init; }

    public Secret? StripeSecretKey { get; init; }

    /// <summary>The local backup repository's folder.</summary>
    public string? RepositoryPath { get; init; }

    /// <summary>True when the repository was named (parameter or configuration): then its absence is unhealthy, not skipped.</summary>
    public bool RepositoryRequired { get; init; }

    /// <summary>The key file of the encrypted repositories; <c>HOTMESS_REPOSITORY_KEY</c> from <see cref="Environment"/> when null.</summary>
    public string? RepositoryKeyFile { get; init; }

    /// <summary>The environment the object stores take their credentials from (AZURE_*, AWS_*) and the repository key.</summary>
    public IDictionary Environment { get; init; } = new Hashtable();

    /// <summary>The RPO of a backup kind that <c>monitoring.backupRpoHours</c> does not name.</summary>
    public double DefaultRpoHours { get; init; } = 24;

    /// <summary>Fills every target but the database (which the caller builds with its SSL rules) from the configuration and the environment.</summary>
    public static HealthTargets Resolve(HotmessConfiguration configuration, IDictionary environment, string? repositoryPath, bool repositoryRequired) => new()
    {
        SiteUrl = configuration.Platform.SiteUrl,
        SupabaseUrl = configuration.Storage.SupabaseUrl,
        SupabaseServiceRoleKey = ConfigurationLoader.GetSecret(environment, ClientSettings.StorageKeyVariable),
        StripeApiUrl = configuration.Platform.StripeApiUrl,
        StripeSecretKey = ConfigurationLoader.GetSecret(environment, "STRIPE_SECRET_KEY"),
        RepositoryPath = repositoryPath,
        RepositoryRequired = repositoryRequired,
        DefaultRpoHours = configuration.Objectives.RpoHours,
        Environment = environment,
    };
}
