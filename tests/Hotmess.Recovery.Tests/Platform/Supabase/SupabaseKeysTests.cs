using System.Text;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Supabase;

namespace Hotmess.Recovery.Tests.Platform.Supabase;

public sealed class SupabaseKeysTests
{
    internal static string Jwt(string payload)
    {
        static string Encode(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{Encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}")}.{Encode(payload)}.{Encode("signature")}";
    }

    [Theory]
    [InlineData("{\"role\":\"anon\",\"ref\":\"abc\"}", SupabaseKeyForm.LegacyAnon)]
    [InlineData("{\"role\":\"service_role\"}", SupabaseKeyForm.LegacyServiceRole)]
    [InlineData("{\"role\":\"authenticated\"}", SupabaseKeyForm.LegacyOther)]
    [InlineData("{\"sub\":\"no role\"}", SupabaseKeyForm.LegacyOther)]
    public void A_legacy_key_is_classified_by_its_role_claim(string payload, SupabaseKeyForm expected) =>
        Assert.Equal(expected, SupabaseKeys.FormOf(new Secret(Jwt(payload))));

    [Theory]
    [InlineData("sb_publishable_abc123", SupabaseKeyForm.Publishable)]
    [InlineData("sb_secret_abc123", SupabaseKeyForm.Secret)]
    [InlineData("plain-opaque-key", SupabaseKeyForm.Unknown)]
    [InlineData("a.b.c", SupabaseKeyForm.Unknown)]
    [InlineData("a.%%%.c", SupabaseKeyForm.Unknown)]
    public void Other_keys_are_classified_by_their_prefix_or_unknown(string key, SupabaseKeyForm expected) =>
        Assert.Equal(expected, SupabaseKeys.FormOf(new Secret(key)));

    [Fact]
    public void Only_jwts_go_in_the_authorization_header()
    {
        Assert.True(SupabaseKeys.IsJwt(SupabaseKeyForm.LegacyServiceRole));
        Assert.False(SupabaseKeys.IsJwt(SupabaseKeyForm.Secret));
        Assert.False(SupabaseKeys.IsJwt(SupabaseKeyForm.Unknown));
    }
}
