using System.Net.Http.Json;
using System.Text.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Fakes;
using Hotmess.Recovery.Fakes.Storage;
using Hotmess.Recovery.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hotmess.Recovery.Tests.Storage;

/// <summary>
/// The Supabase Storage fake (with fault injection) hosted in this process on a free loopback port, over its own
/// data folder; <see cref="RestartAsync"/> brings it back over the same folder. Also a scratch repository folder.
/// </summary>
public sealed class StorageFakeServer : IAsyncDisposable
{
    public const string ServiceKey = "storage-service-key-0001";

    private WebApplication? _app;

    private StorageFakeServer(string root)
    {
        Root = root;
        DataDirectory = Path.Combine(root, "fake");
        Repository = Path.Combine(root, "repository");
    }

    public string Root { get; }

    public string DataDirectory { get; }

    /// <summary>A repository folder for the test (not created).</summary>
    public string Repository { get; }

    public Uri Url { get; private set; } = null!;

    public HttpClient Control { get; private set; } = null!;

    public static Secret Key => new(ServiceKey);

    /// <summary>Fast retries, so fault tests spend their time on work rather than on waiting.</summary>
    public static StorageClientOptions QuickRetries => new() { BaseBackoff = TimeSpan.FromMilliseconds(5), MaxBackoff = TimeSpan.FromMilliseconds(50), MaxRetryAfter = TimeSpan.FromMilliseconds(50) };

    public static async Task<StorageFakeServer> StartAsync()
    {
        var server = new StorageFakeServer(Directory.CreateTempSubdirectory("hotmess-storage-test-").FullName);
        await server.StartAppAsync();
        return server;
    }

    public SupabaseStorageClient NewClient(StorageClientOptions? options = null, IOperationLog? log = null) => new(Url, Key, options ?? QuickRetries, log);

    public async Task RestartAsync()
    {
        await StopAppAsync();
        await StartAppAsync();
    }

    public async Task SetFaultsAsync(object settings)
    {
        using var response = await Control.PostAsJsonAsync("__fake/faults", settings);
        response.EnsureSuccessStatusCode();
    }

    public Task ClearFaultsAsync() => Control.DeleteAsync("__fake/faults");

    public async Task<JsonElement> FaultCountsAsync() => (await Control.GetFromJsonAsync<JsonElement>("__fake/faults")).GetProperty("injected");

    /// <summary>Stores an object as an older Storage could have left it, without today's key rules.</summary>
    public async Task SeedRawAsync(string bucket, string key, byte[] content, string contentType = "application/octet-stream")
    {
        using var body = new ByteArrayContent(content);
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        using var response = await Control.PostAsync($"__fake/storage/objects?bucket={Uri.EscapeDataString(bucket)}&key={Uri.EscapeDataString(key)}", body);
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAppAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a cancelled transfer; the temp folder is reclaimed later.
        }
    }

    private async Task StartAppAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var options = new FakeOptions { DataDirectory = DataDirectory, ServiceKey = ServiceKey };
        builder.Services.AddSingleton(options);
        _app = builder.Build();
        _app.MapFaultControl(options);
        _app.MapStorage(options);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        Url = new Uri(address.TrimEnd('/') + "/");
        Control = new HttpClient { BaseAddress = Url };
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
