using System.Collections;
using System.Text.RegularExpressions;
using Hotmess.Recovery.Repository.Stores;

namespace Hotmess.Recovery.Tests.Support.Emulators;

/// <summary>Azurite's blob service on a free loopback port (a class fixture); each test takes a container prefix of its own.</summary>
public sealed partial class AzuriteFixture : IAsyncLifetime
{
    /// <summary>Azurite's development account key, published in its documentation: not a secret.</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private EmulatorProcess? _process;

    public string ConnectionString { get; private set; } = "";

    public string BlobEndpoint { get; private set; } = "";

    /// <summary>The environment a store reads its credentials from.</summary>
    public IDictionary Environment => new Hashtable { [ObjectStores.AzureConnectionStringVariable] = ConnectionString };

    public async Task InitializeAsync()
    {
        _process = await EmulatorProcess.StartAsync("azurite/dist/src/blob/main.js",
            data => ["--blobHost", "127.0.0.1", "--blobPort", "0", "--location", data, "--skipApiVersionCheck", "--disableTelemetry", "--silent"],
            Listening());
        BlobEndpoint = $"http://127.0.0.1:{_process.Port}/devstoreaccount1";
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};";
    }

    /// <summary>A store below a new prefix of one container.</summary>
    public IObjectStore OpenNewStore(string container = "contract") => OpenStore($"az://{container}/t-{Guid.NewGuid():N}");

    public IObjectStore OpenStore(string location) => ObjectStores.Open(location, Environment);

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }

    [GeneratedRegex(@"successfully listens on http://127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex Listening();
}
