using System.Globalization;
using System.Net;
using System.Text.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Logs;
using Hotmess.Recovery.Platform.Http;
using Hotmess.Recovery.Platform.Supabase;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Platform;

namespace Hotmess.Recovery.Tests.Logs;

public sealed class LogBackupEngineTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime, IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private readonly string _repository = Path.Combine(Path.GetTempPath(), "hotmess-logs-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync() => await fake.PostAsync("__fake/supabase-logs/reset", new { });

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        if (Directory.Exists(_repository))
        {
            Directory.Delete(_repository, recursive: true);
        }
    }

    [Fact]
    public async Task EachRunStartsWhereTheLastEndedSoRunsLeaveNoGapAndNoDuplicate()
    {
        await GenerateAsync("auth_logs", T0.AddHours(-3), T0, everySeconds: 60);
        await GenerateAsync("edge_logs", T0.AddHours(-3), T0, everySeconds: 30);

        var first = await BackupAsync(from: T0.AddHours(-3), until: T0.AddMinutes(-70));
        var second = await BackupAsync(from: T0.AddHours(-1), until: T0);

        var firstLogs = first!.Manifest.Contents as LogContents;
        var secondLogs = second!.Manifest.Contents as LogContents;
        Assert.Equal(BackupKind.Log, second.Kind);
        Assert.Equal(firstLogs!.RangeEndUtc, secondLogs!.RangeStartUtc);
        Assert.Equal(110, firstLogs.Sources.Single(s => s.Name == "auth_logs").Rows);
        Assert.Equal(70, secondLogs.Sources.Single(s => s.Name == "auth_logs").Rows);
        Assert.Equal(220 + 140, firstLogs.Sources.Single(s => s.Name == "edge_logs").Rows + secondLogs.Sources.Single(s => s.Name == "edge_logs").Rows);
        var ids = Ids(first, "auth_logs").Concat(Ids(second, "auth_logs")).ToList();
        Assert.Equal(180, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task FullPagesAreFollowedFromTheirLastTimestampWithoutLosingOrRepeatingARow()
    {
        // 995 rows a second apart, then ten at one instant (the 1,000-row page ends among them), then five more.
        var instant = T0.AddHours(-1).AddSeconds(2000);
        await GenerateAsync("auth_logs", T0.AddHours(-1), T0.AddHours(-1).AddSeconds(995), everySeconds: 1);
        await fake.PostAsync("__fake/supabase-logs/entries", new
        {
            entries = Enumerable.Range(0, 10).Select(_ => new { source = "auth_logs", timestamp = instant.ToString("o", CultureInfo.InvariantCulture), message = "burst" })
                .Concat(Enumerable.Range(1, 5).Select(i => new { source = "auth_logs", timestamp = instant.AddSeconds(i).ToString("o", CultureInfo.InvariantCulture), message = "after" })),
        });

        var set = await BackupAsync(from: T0.AddHours(-1), until: T0, sources: ["auth_logs"]);

        var ids = Ids(set!, "auth_logs").ToList();
        Assert.Equal(1010, ids.Count);
        Assert.Equal(1010, ids.Distinct().Count());
        Assert.True((await fake.GetAsync("__fake/supabase-logs/requests")).GetArrayLength() >= 2);
    }

    [Fact]
    public async Task RowsOnARangeBoundaryBelongToExactlyOneSetWhateverTheTicksOfTheBoundary()
    {
        // Rows fall exactly on the hour boundaries the engine queries by; the caller's times carry sub-microsecond ticks.
        var from = T0.AddHours(-2).AddTicks(3);
        await GenerateAsync("auth_logs", from, T0, everySeconds: 60);

        var first = await BackupAsync(from: from, until: T0.AddHours(-1).AddTicks(7), sources: ["auth_logs"]);
        var second = await BackupAsync(from: from, until: T0, sources: ["auth_logs"]);

        var ids = Ids(first!, "auth_logs").Concat(Ids(second!, "auth_logs")).ToList();
        Assert.Equal(120, ids.Count);
        Assert.Equal(120, ids.Distinct().Count());
    }

    [Fact]
    public async Task NothingNewMeansNoNewSet()
    {
        await GenerateAsync("auth_logs", T0.AddHours(-2), T0, everySeconds: 600);
        await BackupAsync(from: T0.AddHours(-2), until: T0);

        var again = await BackupAsync(from: T0.AddHours(-2), until: T0);

        Assert.Null(again);
        Assert.Single(BackupRepository.Open(_repository).GetSets(BackupKind.Log));
    }

    [Fact]
    public async Task SetFilesAreHashedInTheManifestAndHoldOneRowALine()
    {
        await GenerateAsync("edge_logs", T0.AddHours(-1), T0, everySeconds: 300);

        var set = await BackupAsync(from: T0.AddHours(-1), until: T0, sources: ["edge_logs"]);

        var file = Assert.Single(set!.Manifest.Files);
        Assert.Equal("edge_logs.ndjson", file.Path);
        var lines = File.ReadAllLines(Path.Combine(set.Path, file.Path));
        Assert.Equal(12, lines.Length);
        Assert.All(lines, l => Assert.True(JsonDocument.Parse(l).RootElement.TryGetProperty("event_message", out _)));
    }

    [Fact]
    public async Task TheEndpointRefusesARangeOverTwentyFourHoursAndTheClientNeverAsksForOne()
    {
        using var response = await fake.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get,
            fake.Url($"supabase-management/v1/projects/{PlatformFakes.ProjectRef}/analytics/endpoints/logs.all?iso_timestamp_start=2026-11-01T00:00:00Z&iso_timestamp_end=2026-11-02T01:00:00Z"))
        {
            Headers = { Authorization = new("Bearer", PlatformFakes.ManagementToken.Reveal()) },
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);

        var failure = await Assert.ThrowsAsync<HotmessException>(() => Client().QueryLogsAsync("select 1 from auth_logs", T0.AddHours(-25), T0, default));
        Assert.Equal("SupabaseLogRangeInvalid", failure.ErrorId);
    }

    [Fact]
    public async Task AWrongTokenFailsNamingTheProject()
    {
        var failure = await Assert.ThrowsAsync<HotmessException>(() => BackupAsync(from: T0.AddHours(-1), until: T0, client: Client(new Secret("sbp_wrong"))));

        Assert.Equal("SupabaseManagementTokenInvalid", failure.ErrorId);
        Assert.Empty(BackupRepository.Open(_repository).GetSets(BackupKind.Log));
        Assert.Empty(BackupRepository.Open(_repository).GetIncompleteSetPaths());
    }

    private SupabaseManagementClient Client(Secret? token = null) =>
        new(fake.Http, fake.Url("supabase-management"), token ?? PlatformFakes.ManagementToken, PlatformFakes.ProjectRef, null,
            new HttpResilienceOptions { MaxRetryAfter = TimeSpan.FromSeconds(5), BaseDelay = TimeSpan.FromMilliseconds(10) });

    private Task<BackupSet?> BackupAsync(DateTimeOffset from, DateTimeOffset until, IReadOnlyList<string>? sources = null, SupabaseManagementClient? client = null) =>
        LogBackupEngine.BackupAsync(new LogBackupRequest
        {
            Repository = _repository,
            Client = client ?? Client(),
            From = from,
            Until = until,
            Sources = sources ?? ["auth_logs", "edge_logs"],
        }, NullOperationLog.Instance, default);

    private Task GenerateAsync(string source, DateTimeOffset from, DateTimeOffset to, double everySeconds) =>
        fake.PostAsync("__fake/supabase-logs/generate", new { source, from = from.ToString("o", CultureInfo.InvariantCulture), to = to.ToString("o", CultureInfo.InvariantCulture), everySeconds });

    private static IEnumerable<string> Ids(BackupSet set, string source) =>
        File.ReadLines(Path.Combine(set.Path, source + ".ndjson")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()!);
}
