using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Fakes;
using Hotmess.Recovery.Fakes.Resend;
using Hotmess.Recovery.Fakes.Slack;
using Hotmess.Recovery.Fakes.StatusPage;
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

namespace Hotmess.Recovery.Tests.Platform;

/// <summary>
/// Every SaaS fake the integrations talk to (Stripe, Resend, Supabase Management and gateway, Storage, Slack,
/// status pages, Vercel) hosted in this process on a free loopback port, with helpers for their controls.
/// </summary>
public sealed class PlatformFakeServer : IAsyncLifetime
{
    public const string ServiceRoleKey = "service-role-key-fake-0001";

    private WebApplication? _app;
    private string _dataDirectory = "";

    public Uri BaseUrl { get; private set; } = null!;

    public HttpClient Control { get; } = new();

    /// <summary>The client the code under test uses; short timeout so a broken test fails fast.</summary>
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(20) };

    public Uri Url(string relative) => new(BaseUrl, relative);

    public async Task InitializeAsync()
    {
        _dataDirectory = Directory.CreateTempSubdirectory("hotmess-platform-fake-").FullName;
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var options = new FakeOptions { DataDirectory = _dataDirectory, ServiceKey = ServiceRoleKey };
        builder.Services.AddSingleton(options);
        _app = builder.Build();
        _app.MapFaultControl(options);
        _app.MapVercel(options);
        _app.MapStorage(options);
        _app.MapStripe(options);
        _app.MapResend(options);
        _app.MapSupabaseManagement(options);
        _app.MapSlack(options);
        _app.MapStatusPage(options);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        BaseUrl = new Uri(address.TrimEnd('/') + "/");
        Control.BaseAddress = BaseUrl;
    }

    public async Task DisposeAsync()
    {
        Control.Dispose();
        Http.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        Directory.Delete(_dataDirectory, recursive: true);
    }

    /// <summary>Resets every service this fixture's tests steer, and turns injected faults off.</summary>
    public async Task ResetAsync()
    {
        foreach (var service in new[] { "stripe", "resend", "supabase-management", "slack", "statuspage" })
        {
            await PostAsync($"__fake/{service}/reset", new { });
        }

        using var response = await Control.DeleteAsync("__fake/faults");
        response.EnsureSuccessStatusCode();
    }

    public async Task<JsonElement> PostAsync(string path, object body)
    {
        using var response = await Control.PostAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<JsonElement> GetAsync(string path) => await Control.GetFromJsonAsync<JsonElement>(path);

    /// <summary>The calls a service received, as "METHOD path?query".</summary>
    public async Task<List<string>> RequestsAsync(string service) =>
        (await GetAsync($"__fake/{service}/requests")).EnumerateArray()
        .Select(r => $"{r.GetProperty("method").GetString()} {r.GetProperty("path").GetString()}{(r.TryGetProperty("query", out var q) ? q.GetString() : "")}")
        .ToList();

    public static Secret StripeKey => new(StripeFake.DefaultKey);

    public static Secret ResendKey => new(ResendFake.DefaultKey);

    public static Secret ManagementToken => new(SupabaseManagementFake.DefaultToken);

    public const string ProjectRef = SupabaseManagementFake.DefaultRef;

    public static Secret AnonKey => new(SupabaseManagementFake.DefaultAnonKey(ProjectRef));

    public Uri SlackWebhook => Url("slack" + SlackFake.DefaultWebhookPath);
}

/// <summary>An <see cref="IOperationLog"/> that keeps what it is told.</summary>
public sealed class CollectingLog : IOperationLog
{
    public ConcurrentQueue<string> Verbose { get; } = new();

    public ConcurrentQueue<string> Warnings { get; } = new();

    void IOperationLog.Verbose(string message) => Verbose.Enqueue(message);

    void IOperationLog.Warning(string message) => Warnings.Enqueue(message);

    void IOperationLog.Progress(OperationProgress progress)
    {
    }
}
