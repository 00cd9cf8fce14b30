using System.Security;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Supabase;

/// <summary>
/// A project created and ACTIVE_HEALTHY: what a restore into it and the application's variables need. The connection
/// string (with the password) and the keys are SecureStrings, so they print as a type name, never as a value.
/// </summary>
public sealed class NewSupabaseProject
{
    public required string Ref { get; init; }

    public required string Name { get; init; }

    public required string OrganizationId { get; init; }

    public string? Region { get; init; }

    public required string Status { get; init; }

    /// <summary>The project's API URL (VITE_SUPABASE_URL), e.g. <c>https://&lt;ref&gt;.supabase.co</c>.</summary>
    public required string ApiUrl { get; init; }

    public string? DatabaseHost { get; init; }

    /// <summary>Npgsql keywords with the password: -ConnectionString / -TargetConnectionString of the database cmdlets.</summary>
    public required SecureString ConnectionString { get; init; }

    /// <summary>The anon key (VITE_SUPABASE_ANON_KEY).</summary>
    public required SecureString AnonKey { get; init; }

    /// <summary>The service-role key (SUPABASE_SERVICE_ROLE_KEY).</summary>
    public required SecureString ServiceRoleKey { get; init; }

    public required DateTimeOffset StartedUtc { get; init; }

    public required DateTimeOffset CompletedUtc { get; init; }

    /// <summary>From the create request to ACTIVE_HEALTHY with its keys read.</summary>
    public TimeSpan Duration => CompletedUtc - StartedUtc;

    internal static SecureString Protect(Secret secret)
    {
        var secure = new SecureString();
        foreach (var c in secret.Reveal())
        {
            secure.AppendChar(c);
        }

        secure.MakeReadOnly();
        return secure;
    }
}
