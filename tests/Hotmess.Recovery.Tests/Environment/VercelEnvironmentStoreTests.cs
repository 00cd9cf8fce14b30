using Hotmess.Recovery.Common;
using Hotmess.Recovery.Environments;
using Hotmess.Recovery.Fakes.Vercel;
using Hotmess.Recovery.Platform.Vercel;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Environments;

/// <summary>An environment set taken from the Vercel fake and put back into it.</summary>
public sealed class VercelEnvironmentStoreTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime, IDisposable
{
    private static readonly string[] AllTargets = ["production", "preview", "development"];
    private readonly string _root = Directory.CreateTempSubdirectory("hotmess-env-vercel-").FullName;
    private readonly EnvironmentKey _key = EnvironmentKey.FromBase64(new Secret(EnvironmentKey.NewKeyText()), "test key");

    public async Task InitializeAsync()
    {
        await fake.PostAsync("__fake/vercel/reset", new { });
        await fake.PostAsync("__fake/vercel/env", new
        {
            variables = new object[]
            {
                new { key = "VITE_SUPABASE_URL", value = "https://abcdefghijklmnopqrst.supabase.co", type = "plain", target = AllTargets },
                new { key = "STRIPE_SECRET_KEY", value = "sk_live_original_0001", type = "encrypted", target = new[] { "production" } },
                new { key = "RESEND_API_KEY", value = "re_sensitive_0002", type = "sensitive", target = new[] { "production" } },
            },
        });
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private VercelClient Client() => new(new VercelSettings
    {
        ApiUrl = fake.BaseUrl,
        Token = new Secret(VercelFake.DefaultToken),
        ProjectId = "prj_hotmess",
    });

    [Fact]
    public async Task A_set_taken_from_vercel_restores_the_values_it_could_read()
    {
        using var client = Client();
        var store = new VercelEnvironmentStore(client);
        var log = new CollectingLog();
        var set = await EnvironmentBackupEngine.BackupAsync(BackupRepository.OpenOrCreate(_root), store, _key, log, CancellationToken.None);
        await client.UpsertEnvironmentVariablesAsync([new EnvironmentVariableInput("STRIPE_SECRET_KEY", new Secret("sk_live_compromised_9999"), ["production"])]);

        var opened = await EnvironmentBackupEngine.OpenAsync(set, _key, CancellationToken.None);
        await store.WriteAsync(opened.Where(v => v.Value is not null).ToList(), CancellationToken.None);

        var now = (await client.GetEnvironmentVariablesAsync(decrypt: true)).ToDictionary(v => v.Key);
        Assert.Equal("sk_live_original_0001", now["STRIPE_SECRET_KEY"].Value!.Reveal());
        Assert.Equal("https://abcdefghijklmnopqrst.supabase.co", now["VITE_SUPABASE_URL"].Value!.Reveal());
        Assert.Equal("prj_hotmess", set.Manifest.Source.Project);
        Assert.Equal("vercel", set.Manifest.Environment!.Store);
        var sensitive = set.Manifest.Environment.Variables.Single(v => v.Name == "RESEND_API_KEY");
        Assert.False(sensitive.HasValue);
        Assert.Equal("sensitive", sensitive.Type);
        Assert.Contains(log.Warnings, w => w.Contains("RESEND_API_KEY", StringComparison.Ordinal));
    }
}
