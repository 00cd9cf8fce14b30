using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Http;
using Hotmess.Recovery.Platform.Supabase;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Platform.Supabase;

public sealed class SupabaseProjectClientTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime
{
    public Task InitializeAsync() => fake.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private SupabaseProjectClient Client() => new(fake.Http, fake.BaseUrl, new CollectingLog());

    [Fact]
    public async Task The_anon_key_opens_the_auth_settings()
    {
        var check = await Client().CheckAnonKeyAsync(PlatformFakes.AnonKey, CancellationToken.None);

        Assert.Equal(SupabaseKeyForm.LegacyAnon, check.Form);
        Assert.Contains("GET /auth/v1/settings", await fake.RequestsAsync("supabase-management"));
    }

    [Fact]
    public async Task The_service_role_key_lists_storage_buckets()
    {
        var check = await Client().CheckServiceRoleKeyAsync(new Secret(PlatformFakes.ServiceRoleKey), CancellationToken.None);

        Assert.Equal(SupabaseKeyForm.Unknown, check.Form);
        Assert.Contains("bucket(s)", check.Detail);
    }

    [Fact]
    public async Task A_key_the_gateway_does_not_know_is_invalid()
    {
        var key = new Secret(SupabaseKeysTests.Jwt("{\"role\":\"anon\",\"ref\":\"other\"}"));

        var ex = await Assert.ThrowsAsync<HotmessException>(() => Client().CheckAnonKeyAsync(key, CancellationToken.None));

        Assert.Equal("SupabaseKeyInvalid", ex.ErrorId);
        Assert.Equal(FailureKind.AuthenticationFailed, ex.Kind);
        Assert.Contains("Invalid API key", ex.Message);
        Assert.DoesNotContain(key.Reveal(), ex.Message);
    }

    [Fact]
    public async Task A_service_role_key_offered_as_the_anon_key_is_refused_without_a_call()
    {
        var key = new Secret(SupabaseKeysTests.Jwt("{\"role\":\"service_role\"}"));

        var ex = await Assert.ThrowsAsync<HotmessException>(() => Client().CheckAnonKeyAsync(key, CancellationToken.None));

        Assert.Equal("SupabaseAnonKeyIsServiceRole", ex.ErrorId);
        Assert.Empty(await fake.RequestsAsync("supabase-management"));
    }

    [Fact]
    public async Task The_anon_key_offered_as_the_service_role_key_is_refused_without_a_call()
    {
        var ex = await Assert.ThrowsAsync<HotmessException>(() => Client().CheckServiceRoleKeyAsync(PlatformFakes.AnonKey, CancellationToken.None));

        Assert.Equal("SupabaseServiceRoleKeyIsNotServiceRole", ex.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, ex.Kind);
    }

    [Fact]
    public async Task An_opaque_key_storage_does_not_accept_is_invalid()
    {
        var ex = await Assert.ThrowsAsync<HotmessException>(() => Client().CheckServiceRoleKeyAsync(new Secret("not-the-service-key"), CancellationToken.None));

        Assert.Equal("SupabaseKeyInvalid", ex.ErrorId);
    }

    [Fact]
    public async Task A_url_that_is_not_a_supabase_project_says_so()
    {
        var client = new SupabaseProjectClient(fake.Http, fake.Url("nothing-here/"));

        var ex = await Assert.ThrowsAsync<HotmessException>(() => client.CheckAnonKeyAsync(PlatformFakes.AnonKey, CancellationToken.None));

        Assert.Equal("SupabaseProjectUrlInvalid", ex.ErrorId);
        Assert.Equal(FailureKind.NotFound, ex.Kind);
    }

    [Fact]
    public async Task A_503_and_a_refused_connection_from_the_gateway_are_retried()
    {
        var sent = new ScriptedHandler(ScriptedHandler.Answer(System.Net.HttpStatusCode.ServiceUnavailable, body: """{"message":"upstream busy"}"""), ScriptedHandler.Refused);
        using var http = sent.Client();
        var client = new SupabaseProjectClient(http, fake.BaseUrl, new CollectingLog(), new HttpResilienceOptions { BaseDelay = TimeSpan.FromMilliseconds(10) });

        var check = await client.CheckAnonKeyAsync(PlatformFakes.AnonKey, CancellationToken.None);

        Assert.Equal(SupabaseKeyForm.LegacyAnon, check.Form);
        Assert.Equal(3, sent.Requests.Count);
    }
}
