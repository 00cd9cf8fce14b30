using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Fakes;
using Hotmess.Recovery.Fakes.Vercel;
using Hotmess.Recovery.Platform.Vercel;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hotmess.Recovery.Tests.Platform.Vercel;

/// <summary>The fakes program hosted in this process on a free loopback port, with methods that steer its Vercel controls.</summary>
public sealed class VercelFakeServer : IAsyncLifetime
{
    public const string Token = VercelFake.DefaultToken;

    private WebApplication? _app;
    private string _dataDirectory = "";

    public Uri BaseUrl { get; private set; } = null!;

    public HttpClient Control { get; } = new();

    public async Task InitializeAsync()
    {
        _dataDirectory = Directory.CreateTempSubdirectory("hotmess-vercel-fake-").FullName;
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var options = new FakeOptions { DataDirectory = _dataDirectory, ServiceKey = "service-role-key" };
        builder.Services.AddSingleton(options);
        _app = builder.Build();
        _app.MapFaultControl(options);
        _app.MapVercel(options);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        BaseUrl = new Uri(address);
        Control.BaseAddress = BaseUrl;
    }

    public async Task DisposeAsync()
    {
        Control.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        Directory.Delete(_dataDirectory, recursive: true);
    }

    public VercelSettings Settings(string? token = Token, string? teamId = null, string projectId = "prj_hotmess") => new()
    {
        ApiUrl = BaseUrl,
        Token = new Secret(token ?? Token),
        ProjectId = projectId,
        TeamId = teamId,
        MaxRetryDelay = TimeSpan.FromSeconds(5),
    };

    public VercelClient Client(RecordingLog? log = null, string? token = Token, string? teamId = null) =>
        new(Settings(token, teamId), log) { MaxPollInterval = TimeSpan.FromMilliseconds(200) };

    public Task ResetAsync(string? teamId = null, int stepMs = 150) => PostAsync("/__fake/vercel/reset", new { teamId, stepMs });

    /// <summary>Adds deployments, listed newest first (each a minute older than the one before unless it says otherwise).</summary>
    public Task SeedDeploymentsAsync(params object[] deployments) => PostAsync("/__fake/vercel/deployments", new { deployments });

    public Task SeedVariablesAsync(params object[] variables) => PostAsync("/__fake/vercel/env", new { variables });

    public async Task PostAsync(string path, object body)
    {
        using var response = await Control.PostAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
    }

    public async Task PatchAsync(string path, object body)
    {
        using var response = await Control.PatchAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
    }

    public async Task<JsonElement> StateAsync() => await Control.GetFromJsonAsync<JsonElement>("/__fake/vercel/state");

    public async Task<string?> CurrentProductionAsync() => (await StateAsync()).GetProperty("currentProductionId").GetString();

    /// <summary>The API calls the fake received, as "METHOD path?query".</summary>
    public async Task<List<string>> RequestsAsync()
    {
        var requests = await Control.GetFromJsonAsync<JsonElement>("/__fake/vercel/requests");
        return requests.EnumerateArray()
            .Select(r => $"{r.GetProperty("method").GetString()} {r.GetProperty("path").GetString()}{r.GetProperty("query").GetString()}")
            .ToList();
    }

    public async Task ClearRequestsAsync()
    {
        using var response = await Control.DeleteAsync("/__fake/vercel/requests");
        response.EnsureSuccessStatusCode();
    }

    public async Task ClearFaultsAsync()
    {
        using var response = await Control.DeleteAsync("/__fake/faults");
        response.EnsureSuccessStatusCode();
    }

    /// <summary><paramref name="count"/> production deployments, all READY, newest first, ids <c>dpl_p000</c>…</summary>
    public static object[] ProductionDeployments(int count) =>
        Enumerable.Range(0, count).Select(i => (object)new { uid = $"dpl_p{i:000}", target = "production", ageMinutes = i + 1 }).ToArray();
}

/// <summary>An <see cref="IOperationLog"/> that keeps what it is told.</summary>
public sealed class RecordingLog : IOperationLog
{
    public ConcurrentQueue<string> Verbose { get; } = new();

    public ConcurrentQueue<string> Warnings { get; } = new();

    public ConcurrentQueue<OperationProgress> Progress { get; } = new();

    void IOperationLog.Verbose(string message) => Verbose.Enqueue(message);

    void IOperationLog.Warning(string message) => Warnings.Enqueue(message);

    void IOperationLog.Progress(OperationProgress progress) => Progress.Enqueue(progress);
}
