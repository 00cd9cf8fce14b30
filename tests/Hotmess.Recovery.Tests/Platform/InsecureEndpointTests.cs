using System.Collections;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Platform.Resend;
using Hotmess.Recovery.Platform.Slack;
using Hotmess.Recovery.Platform.Stripe;
using Hotmess.Recovery.Platform.Supabase;
using Hotmess.Recovery.Platform.Vercel;
using Hotmess.Recovery.Storage;

namespace Hotmess.Recovery.Tests.Platform;

public sealed class InsecureEndpointTests
{
    private static readonly HttpClient Http = new();
    private static readonly Secret Key = new("sk_test_secretvalue_1234");

    public static TheoryData<string, Action<Uri>> Clients => new()
    {
        { "Vercel", url => _ = new VercelClient(new VercelSettings { ApiUrl = url, Token = Key, ProjectId = "prj" }) },
        { "Supabase", url => _ = new SupabaseStorageClient(url, Key) },
        { "Supabase Management", url => _ = new SupabaseManagementClient(Http, url, Key, "abcdefghijklmnopqrst") },
        { "Supabase", url => _ = new SupabaseProjectClient(Http, url) },
        { "Resend", url => _ = new ResendClient(Http, url, Key) },
        { "Stripe", url => _ = new StripeAccountClient(Http, url, Key) },
        { "Slack", url => _ = new SlackWebhookClient(Http, new Secret(url + "services/T0/B0/hooktoken")) },
    };

    [Theory]
    [MemberData(nameof(Clients))]
    public void An_http_API_base_URL_off_loopback_is_refused_naming_the_setting(string setting, Action<Uri> create)
    {
        var error = Assert.Throws<HotmessException>(() => create(new Uri("http://api.example.com/")));

        Assert.Equal(("InsecureEndpoint", FailureKind.InvalidArgument), (error.ErrorId, error.Kind));
        Assert.Contains(setting, error.Message);
        Assert.Contains("http://api.example.com/", error.Message);
        Assert.DoesNotContain("hooktoken", error.Message);
    }

    [Theory]
    [MemberData(nameof(Clients))]
    public void An_http_API_base_URL_on_loopback_is_accepted(string setting, Action<Uri> create)
    {
        Assert.NotEmpty(setting);
        foreach (var url in new[] { "http://127.0.0.1:5000/", "http://127.8.9.10/", "http://[::1]:8080/", "http://localhost:5000/", "https://api.example.com/" })
        {
            create(new Uri(url));
        }
    }

    [Fact]
    public void The_configured_Vercel_and_Storage_URLs_are_refused_over_http_off_loopback()
    {
        var environment = new Hashtable { ["VERCEL_TOKEN"] = "t", ["VERCEL_PROJECT_ID"] = "prj", ["SUPABASE_SERVICE_ROLE_KEY"] = "k" };

        var vercel = Assert.Throws<HotmessException>(() => ClientSettings.Vercel(new HotmessConfiguration(), environment, apiUrl: "http://vercel.internal"));
        var storage = Assert.Throws<HotmessException>(() => ClientSettings.Storage("http://abcd.supabase.co", null, new HotmessConfiguration(), environment));

        Assert.Equal("InsecureEndpoint", vercel.ErrorId);
        Assert.Contains("VERCEL_API_URL", vercel.Message);
        Assert.Equal("InsecureEndpoint", storage.ErrorId);
        Assert.Contains("storage.supabaseUrl", storage.Message);
    }
}
