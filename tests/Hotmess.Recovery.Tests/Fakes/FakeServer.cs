using System.Net.Http.Json;
using System.Text.Json;
using Hotmess.Recovery.Fakes;
using Hotmess.Recovery.Fakes.Resend;
using Hotmess.Recovery.Fakes.Slack;
using Hotmess.Recovery.Fakes.StatusPage;
using Hotmess.Recovery.Fakes.Site;
using Hotmess.Recovery.Fakes.SupabaseMetrics;
using Hotmess.Recovery.Fakes.PagerDuty;
using Hotmess.Recovery.Fakes.Storage;
using Hotmess.Recovery.Fakes.Stripe;
using Hotmess.Recovery.Fakes.SupabaseManagement;
using Hotmess.Recovery.Fakes.Vercel;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hotmess.Recovery.Tests.Fakes;

/// <summary>
/// The fakes program, every SaaS service with fault injection, hosted in this process on a free loopback port over
/// its own data folder. Use it as a class fixture, or per test through <see cref="StartAsync"/>;
/// <see cref="RestartAsync"/> brings it back over the same folder. Service-specific controls live beside the tests
/// that steer them.
/// </summary>
public sealed class FakeServer : IAsyncLifetime, IAsyncDisposable
{
    public const string ServiceKey = "service-role-key-fake-0001";

    private WebApplication? _app;
    private bool _disposed;

    public FakeServer()
    {
        Root = Directory.CreateTempSubdirectory("hotmess-fake-").FullName;
        DataDirectory = Path.Combine(Root, "fake");
        Repository = Path.Combine(Root, "repository");
    }

    public string Root { get; }

    public string DataDirectory { get; }

    /// <summary>A scratch backup repository folder for the test (not created).</summary>
    public string Repository { get; }

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>A client for the fakes' own control endpoints (<c>__fake/…</c>), based at <see cref="BaseUrl"/>.</summary>
    public HttpClient Control { get; private set; } = null!;

    /// <summary>The client the code under test uses; short timeout so a broken test fails fast.</summary>
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(20) };

    public Uri Url(string relative) => new(BaseUrl, relative);

    public static async Task<FakeServer> StartAsync()
    {
        var server = new FakeServer();
        await server.InitializeAsync();
        return server;
    }

    public Task InitializeAsync() => StartAppAsync();

    public async Task RestartAsync()
    {
        await StopAppAsync();
        await StartAppAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await StopAppAsync();
        Http.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a cancelled transfer; the temp folder is reclaimed later.
        }
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public async Task<JsonElement> PostAsync(string path, object body)
    {
        using var response = await Control.PostAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task PatchAsync(string path, object body)
    {
        using var response = await Control.PatchAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
    }

    public async Task<JsonElement> GetAsync(string path) => await Control.GetFromJsonAsync<JsonElement>(path);

    /// <summary>The calls a service received, as "METHOD path?query".</summary>
    public async Task<List<string>> RequestsAsync(string service) =>
        (await GetAsync($"__fake/{service}/requests")).EnumerateArray()
        .Select(r => $"{r.GetProperty("method").GetString()} {r.GetProperty("path").GetString()}{(r.TryGetProperty("query", out var q) ? q.GetString() : "")}")
        .ToList();

    public async Task SetFaultsAsync(object settings)
    {
        using var response = await Control.PostAsJsonAsync("__fake/faults", settings);
        response.EnsureSuccessStatusCode();
    }

    public async Task ClearFaultsAsync()
    {
        using var response = await Control.DeleteAsync("__fake/faults");
        response.EnsureSuccessStatusCode();
    }

    /// <summary>How many faults of each kind have been injected so far.</summary>
    public async Task<JsonElement> FaultCountsAsync() => (await GetAsync("__fake/faults")).GetProperty("injected");

    private async Task StartAppAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var options = new FakeOptions { DataDirectory = DataDirectory, ServiceKey = ServiceKey };
        builder.Services.AddSingleton(options);
        _app = builder.Build();
        _app.MapFaultControl(options);
        _app.MapVercel(options);
        _app.MapStorage(options);
        _app.MapStripe(options);
        _app.MapResend(options);
        _app.MapSupabaseManagement(options);
        _app.MapSupabaseBackups(options);
        _app.MapSupabaseProjects(options);
        _app.MapSupabaseLogs(options);
        _app.MapSlack(options);
        _app.MapStatusPage(options);
        _app.MapSite(options);
        _app.MapSupabaseMetrics(options);
        _app.MapPagerDuty(options);
        _app.MapStatusPageIncidents(options);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        BaseUrl = new Uri(address.TrimEnd('/') + "/");
        Control = new HttpClient { BaseAddress = BaseUrl };
    }

    private async Task StopAppAsync()
    {
        Control?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
            _app = null;
        }
    }
}
