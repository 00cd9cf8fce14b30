namespace Hotmess.Recovery.Fakes;

/// <summary>Command-line settings shared by every fake service.</summary>
public sealed class FakeOptions
{
    public required string DataDirectory { get; init; }

    public required string ServiceKey { get; init; }

    /// <summary>Created projects' service-role keys, accepted beside <see cref="ServiceKey"/>.</summary>
    public AcceptedProjectKeys ProjectKeys { get; } = new();

    /// <summary>The fake's own service-role key, or a created project's.</summary>
    public bool IsServiceKey(string key) => string.Equals(key, ServiceKey, StringComparison.Ordinal) || ProjectKeys.Contains(key);

    public static FakeOptions From(IConfiguration configuration)
    {
        var dataDirectory = configuration["data-dir"] ?? Path.Combine(Path.GetTempPath(), "hotmess-fakes-" + Environment.ProcessId);
        Directory.CreateDirectory(dataDirectory);
        return new FakeOptions
        {
            DataDirectory = dataDirectory,
            ServiceKey = configuration["service-key"] ?? "service-role-key",
        };
    }
}
