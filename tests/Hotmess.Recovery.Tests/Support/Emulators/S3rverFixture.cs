using System.Collections;
using System.Text.RegularExpressions;
using Hotmess.Recovery.Repository.Stores;

namespace Hotmess.Recovery.Tests.Support.Emulators;

/// <summary>s3rver on a free loopback port (a class fixture); each test takes a bucket prefix of its own.</summary>
public sealed partial class S3rverFixture : IAsyncLifetime
{
    /// <summary>s3rver's fixed development credentials: not a secret.</summary>
    public const string AccessKey = "S3RVER";

    private EmulatorProcess? _process;

    public string Endpoint { get; private set; } = "";

    /// <summary>The environment a store reads its credentials from, as the AWS SDK's own variables.</summary>
    public IDictionary Environment => new Hashtable
    {
        ["AWS_ACCESS_KEY_ID"] = AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = AccessKey,
        ["AWS_REGION"] = "us-east-1",
        ["AWS_ENDPOINT_URL_S3"] = Endpoint,
    };

    public async Task InitializeAsync()
    {
        _process = await EmulatorProcess.StartAsync("s3rver/bin/s3rver.js",
            data => ["-d", data, "-a", "127.0.0.1", "-p", "0", "--silent"],
            Listening());
        Endpoint = $"http://127.0.0.1:{_process.Port}";
    }

    /// <summary>A store below a new prefix of one bucket.</summary>
    public IObjectStore OpenNewStore(string bucket = "contract") => OpenStore($"s3://{bucket}/t-{Guid.NewGuid():N}");

    public IObjectStore OpenStore(string location) => ObjectStores.Open(location, Environment);

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }

    [GeneratedRegex(@"S3rver listening on 127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex Listening();
}
