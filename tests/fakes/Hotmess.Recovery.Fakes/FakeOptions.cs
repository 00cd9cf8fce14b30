namespace Hotmess.Recovery.Fakes;

/// <summary>Command-line settings shared by every fake service.</summary>
public sealed class FakeOptions
{
    public required string DataDirectory { get; init; }

    public required string ServiceKey { get; init; }

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
