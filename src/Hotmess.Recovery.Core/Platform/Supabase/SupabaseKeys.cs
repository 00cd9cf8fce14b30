using System.Text;
using System.Text.Json;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Platform.Supabase;

/// <summary>What a Supabase key says about itself, read without calling anyone.</summary>
public enum SupabaseKeyForm
{
    /// <summary>Neither a JWT nor an <c>sb_</c> key: only the project can tell what it is.</summary>
    Unknown,

    /// <summary>A legacy JWT whose <c>role</c> claim is <c>anon</c>.</summary>
    LegacyAnon,

    /// <summary>A legacy JWT whose <c>role</c> claim is <c>service_role</c>.</summary>
    LegacyServiceRole,

    /// <summary>A legacy JWT with some other role claim.</summary>
    LegacyOther,

    /// <summary><c>sb_publishable_…</c>: acts as anon.</summary>
    Publishable,

    /// <summary><c>sb_secret_…</c>: acts as service role; sent only as <c>apikey</c>, never as a Bearer token.</summary>
    Secret,
}

public static class SupabaseKeys
{
    /// <summary>
    /// Classifies a key by its shape: the <c>role</c> claim of a legacy JWT (read, not verified — the project
    /// verifies it) or the <c>sb_publishable_</c> / <c>sb_secret_</c> prefix of the new keys.
    /// </summary>
    public static SupabaseKeyForm FormOf(Secret key)
    {
        var value = key.Reveal();
        if (value.StartsWith("sb_publishable_", StringComparison.Ordinal))
        {
            return SupabaseKeyForm.Publishable;
        }

        if (value.StartsWith("sb_secret_", StringComparison.Ordinal))
        {
            return SupabaseKeyForm.Secret;
        }

        return RoleClaim(value) switch
        {
            null => SupabaseKeyForm.Unknown,
            "anon" => SupabaseKeyForm.LegacyAnon,
            "service_role" => SupabaseKeyForm.LegacyServiceRole,
            _ => SupabaseKeyForm.LegacyOther,
        };
    }

    /// <summary>True for a JWT: it also goes in <c>Authorization: Bearer</c>; an opaque key goes only in <c>apikey</c>.</summary>
    public static bool IsJwt(SupabaseKeyForm form) =>
        form is SupabaseKeyForm.LegacyAnon or SupabaseKeyForm.LegacyServiceRole or SupabaseKeyForm.LegacyOther;

    public static string Describe(SupabaseKeyForm form) => form switch
    {
        SupabaseKeyForm.LegacyAnon => "a legacy anon JWT",
        SupabaseKeyForm.LegacyServiceRole => "a legacy service_role JWT",
        SupabaseKeyForm.LegacyOther => "a JWT with an unexpected role",
        SupabaseKeyForm.Publishable => "a publishable key",
        SupabaseKeyForm.Secret => "a secret key",
        _ => "a key of unknown form",
    };

    private static string? RoleClaim(string value)
    {
        var parts = value.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - payload.Length % 4) % 4), '=');
            using var document = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
            return document.RootElement.ValueKind == JsonValueKind.Object
                   && document.RootElement.TryGetProperty("role", out var role) && role.ValueKind == JsonValueKind.String
                ? role.GetString()
                : "";
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }
}
