using System.Text.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Fakes.Vercel;
using Hotmess.Recovery.Platform.Http;
using Hotmess.Recovery.Platform.Vercel;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Platform.Vercel;

/// <summary>Clients pointed at the Vercel fake, and the controls that seed and steer it.</summary>
public static class VercelFakes
{
    public const string Token = VercelFake.DefaultToken;

    public static VercelSettings Settings(this FakeServer fake, string? token = Token, string? teamId = null, string projectId = "prj_hotmess") => new()
    {
        ApiUrl = fake.BaseUrl,
        Token = new Secret(token ?? Token),
        ProjectId = projectId,
        TeamId = teamId,
        Resilience = new HttpResilienceOptions { MaxRetryAfter = TimeSpan.FromSeconds(5), BaseDelay = TimeSpan.FromMilliseconds(10) },
    };

    public static VercelClient Client(this FakeServer fake, CollectingLog? log = null, string? token = Token, string? teamId = null) =>
        new(fake.Settings(token, teamId), log) { MaxPollInterval = TimeSpan.FromMilliseconds(200) };

    public static Task ResetVercelAsync(this FakeServer fake, string? teamId = null, int stepMs = 150) =>
        fake.PostAsync("/__fake/vercel/reset", new { teamId, stepMs });

    /// <summary>Adds deployments, listed newest first (each a minute older than the one before unless it says otherwise).</summary>
    public static Task SeedDeploymentsAsync(this FakeServer fake, params object[] deployments) =>
        fake.PostAsync("/__fake/vercel/deployments", new { deployments });

    public static Task SeedVariablesAsync(this FakeServer fake, params object[] variables) =>
        fake.PostAsync("/__fake/vercel/env", new { variables });

    public static Task<JsonElement> StateAsync(this FakeServer fake) => fake.GetAsync("/__fake/vercel/state");

    public static async Task<string?> CurrentProductionAsync(this FakeServer fake) =>
        (await fake.StateAsync()).GetProperty("currentProductionId").GetString();

    /// <summary>The Vercel API calls the fake received, as "METHOD path?query".</summary>
    public static Task<List<string>> RequestsAsync(this FakeServer fake) => fake.RequestsAsync("vercel");

    public static async Task ClearRequestsAsync(this FakeServer fake)
    {
        using var response = await fake.Control.DeleteAsync("/__fake/vercel/requests");
        response.EnsureSuccessStatusCode();
    }

    /// <summary><paramref name="count"/> production deployments, all READY, newest first, ids <c>dpl_p000</c>…</summary>
    public static object[] ProductionDeployments(int count) =>
        Enumerable.Range(0, count).Select(i => (object)new { uid = $"dpl_p{i:000}", target = "production", ageMinutes = i + 1 }).ToArray();
}
