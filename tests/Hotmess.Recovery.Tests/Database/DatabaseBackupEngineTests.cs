using Hotmess.Recovery.Common;
using Hotmess.Recovery.Database;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Database;

[Collection(SampleDatabaseCollection.Name)]
public sealed class DatabaseBackupEngineTests(SampleDatabaseFixture fixture)
{
    private static readonly string[] Critical = ["User", "Beacon", "message", "marketplace_order", "support_tickets", "gdpr_consents"];

    private DatabaseBackupRequest Request(string repository, string? connectionString = null) => new()
    {
        ConnectionString = connectionString ?? fixture.SourceConnectionString,
        Repository = repository,
        CriticalTables = Critical,
    };

    [Fact]
    public async Task Backup_records_every_table_with_the_counts_the_database_has()
    {
        var set = await DatabaseBackupEngine.BackupAsync(Request(fixture.NewFolder()), NullOperationLog.Instance, default);

        var tables = set.Manifest.Database!.Tables;
        Assert.Contains(tables, t => t.QualifiedName == "auth.users");
        foreach (var table in tables)
        {
            var count = long.Parse(fixture.Server.ExecuteSql(SampleDatabaseFixture.Database,
                $"SELECT count(*) FROM ONLY {TableMeasurement.Quote(table.Schema)}.{TableMeasurement.Quote(table.Name)}").Trim());
            Assert.Equal(count, table.RowCount);
        }

        Assert.All(Critical, name => Assert.NotNull(tables.Single(t => t.Schema == "public" && t.Name == name).Fingerprint));
        Assert.All(tables.Where(t => !Critical.Contains(t.Name)), t => Assert.Null(t.Fingerprint));
        Assert.True(tables.Single(t => t.Name == "marketplace_order").NewestTimestamp > DateTimeOffset.UtcNow.AddDays(-2));
    }

    [Fact]
    public async Task Backup_writes_a_hashed_directory_dump_and_the_manifest_last()
    {
        var repository = fixture.NewFolder();
        var set = await DatabaseBackupEngine.BackupAsync(Request(repository), NullOperationLog.Instance, default);

        Assert.Equal(BackupKind.Database, set.Kind);
        Assert.True(File.Exists(Path.Combine(set.Path, "dump", "toc.dat")));
        Assert.Contains(set.Manifest.Files, f => f.Path == "dump/toc.dat");
        Assert.Equal(Directory.GetFiles(set.Path, "*", SearchOption.AllDirectories).Length - 1, set.Manifest.Files.Count);
        Assert.True(set.SizeBytes > 0);
        Assert.NotEmpty(set.Manifest.Database!.SnapshotId);
        Assert.Contains("anon", set.Manifest.Database.Roles);
        Assert.Equal(set.Id, Assert.Single(BackupRepository.Open(repository).GetSets()).Id);
    }

    [Fact]
    public async Task Manifest_and_messages_never_carry_the_password()
    {
        var repository = fixture.NewFolder();
        var messages = new CollectingLog();
        var set = await DatabaseBackupEngine.BackupAsync(Request(repository), messages, default);

        var manifest = await File.ReadAllTextAsync(Path.Combine(set.Path, "manifest.json"));
        Assert.DoesNotContain(fixture.Server.Password, manifest);
        var lines = messages.Verbose.Concat(messages.Warnings).Concat(messages.Progress.Select(p => $"{p.Status} {p.CurrentOperation}")).ToList();
        Assert.NotEmpty(lines);
        Assert.DoesNotContain(lines, l => l.Contains(fixture.Server.Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Evidence_and_dump_describe_the_same_snapshot_while_writers_keep_writing()
    {
        var repository = fixture.NewFolder();
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await fixture.Server.ExecuteSqlAsync(SampleDatabaseFixture.Database,
                    "INSERT INTO message (sender_id, recipient_id, thread_id, body) SELECT sender_id, recipient_id, thread_id, 'written during the backup' FROM message LIMIT 5");
            }
        });

        BackupSet set;
        try
        {
            set = await DatabaseBackupEngine.BackupAsync(Request(repository), NullOperationLog.Instance, default);
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
        }

        var verification = await DatabaseVerifier.VerifyAsync(new DatabaseVerificationRequest { Set = set, RestoreTo = fixture.ScratchConnectionString() }, NullOperationLog.Instance, default);
        Assert.True(verification.Passed, string.Join("\n", verification.Checks.Where(c => !c.Passed)));
        Assert.Contains(verification.Checks, c => c.Name == "Fingerprint public.message" && c.Passed);
    }

    [Fact]
    public async Task Wrong_password_is_an_authentication_error()
    {
        var wrong = fixture.SourceConnectionString.Replace(fixture.Server.Password, "not-the-password", StringComparison.Ordinal);
        var ex = await Assert.ThrowsAsync<HotmessException>(() => DatabaseBackupEngine.BackupAsync(Request(fixture.NewFolder(), wrong), NullOperationLog.Instance, default));
        Assert.Equal("DatabaseAuthenticationFailed", ex.ErrorId);
        Assert.Equal(FailureKind.AuthenticationFailed, ex.Kind);
        Assert.DoesNotContain("not-the-password", ex.Message);
    }

    [Fact]
    public async Task Missing_database_is_not_found()
    {
        var missing = fixture.Server.ConnectionString("no_such_database");
        var ex = await Assert.ThrowsAsync<HotmessException>(() => DatabaseBackupEngine.BackupAsync(Request(fixture.NewFolder(), missing), NullOperationLog.Instance, default));
        Assert.Equal("DatabaseNotFound", ex.ErrorId);
    }

    [Fact]
    public async Task Unreachable_server_is_a_connection_error_and_leaves_no_set()
    {
        var repository = fixture.NewFolder();
        var closedPort = $"Host=127.0.0.1;Port={FreePort()};Username=postgres;Password=x;Database=hotmess;Timeout=3";
        var ex = await Assert.ThrowsAsync<HotmessException>(() => DatabaseBackupEngine.BackupAsync(Request(repository, closedPort), NullOperationLog.Instance, default));
        Assert.Equal("DatabaseUnreachable", ex.ErrorId);
        Assert.Equal(FailureKind.ConnectionFailed, ex.Kind);
        Assert.Empty(BackupRepository.Open(repository).GetSets());
    }

    [Fact]
    public async Task Missing_pg_dump_is_not_installed()
    {
        var empty = Directory.CreateDirectory(fixture.NewFolder("empty-bin")).FullName;
        var ex = await Assert.ThrowsAsync<HotmessException>(() => DatabaseBackupEngine.BackupAsync(
            Request(fixture.NewFolder()) with { PgBinDirectory = empty }, NullOperationLog.Instance, default));
        Assert.Equal("PgDumpNotFound", ex.ErrorId);
        Assert.Equal(FailureKind.NotInstalled, ex.Kind);
    }

    [Fact]
    public async Task A_missing_pg_dump_is_the_error_reported_when_the_connection_fails_too()
    {
        // pg_dump is looked for while the connection opens; the missing tool still decides the error.
        var empty = Directory.CreateDirectory(fixture.NewFolder("empty-bin")).FullName;
        var wrong = fixture.SourceConnectionString.Replace(fixture.Server.Password, "not-the-password", StringComparison.Ordinal);
        var ex = await Assert.ThrowsAsync<HotmessException>(() => DatabaseBackupEngine.BackupAsync(
            Request(fixture.NewFolder(), wrong) with { PgBinDirectory = empty }, NullOperationLog.Instance, default));
        Assert.Equal("PgDumpNotFound", ex.ErrorId);
    }

    [Fact]
    public async Task Pg_dump_older_than_the_server_is_refused_before_anything_is_written()
    {
        var bin = FakeTools("echo 'pg_dump (PostgreSQL) 9.6.24'");
        var repository = fixture.NewFolder();
        var ex = await Assert.ThrowsAsync<HotmessException>(() => DatabaseBackupEngine.BackupAsync(Request(repository) with { PgBinDirectory = bin }, NullOperationLog.Instance, default));
        Assert.Equal("PgDumpTooOld", ex.ErrorId);
        Assert.Contains("9.6.24", ex.Message);
        Assert.Empty(Directory.GetDirectories(Path.Combine(repository, "sets")));
    }

    [Fact]
    public async Task A_failing_pg_dump_leaves_no_complete_or_partial_set()
    {
        // Writes part of a dump, then fails, the way a full disk or a dropped connection would.
        var bin = FakeTools("""
            case "$1" in --version) echo 'pg_dump (PostgreSQL) 15.99'; exit 0;; esac
            for a in "$@"; do case "$a" in --file=*) d="${a#--file=}";; esac; done
            mkdir -p "$d" && echo partial > "$d/toc.dat"
            echo 'pg_dump: error: could not write to file: No space left on device' >&2
            exit 1
            """);
        var repository = fixture.NewFolder();
        var ex = await Assert.ThrowsAsync<HotmessException>(() => DatabaseBackupEngine.BackupAsync(Request(repository) with { PgBinDirectory = bin }, NullOperationLog.Instance, default));
        Assert.Equal("PgDumpFailed", ex.ErrorId);
        Assert.Contains("No space left", ex.Message);
        Assert.Empty(BackupRepository.Open(repository).GetSets());
        Assert.Empty(Directory.GetDirectories(Path.Combine(repository, "sets")));
    }

    [Fact]
    public async Task Repository_that_cannot_be_written_is_refused()
    {
        var file = fixture.NewFolder("file");
        File.WriteAllText(file, "not a folder");
        var ex = await Assert.ThrowsAsync<HotmessException>(() => DatabaseBackupEngine.BackupAsync(Request(Path.Combine(file, "repo")), NullOperationLog.Instance, default));
        Assert.Equal("RepositoryNotWritable", ex.ErrorId);
        Assert.Equal(FailureKind.PermissionDenied, ex.Kind);
    }

    [Fact]
    public async Task A_missing_critical_table_is_a_warning_not_a_failure()
    {
        var log = new CollectingLog();
        var set = await DatabaseBackupEngine.BackupAsync(
            Request(fixture.NewFolder()) with { CriticalTables = ["User", "no_such_table"] }, log, default);
        Assert.Contains(log.Warnings, w => w.Contains("no_such_table", StringComparison.Ordinal));
        Assert.Single(set.Manifest.Database!.Tables, t => t.Fingerprint is not null);
    }

    [Fact]
    public async Task Tables_with_types_hashed_through_their_text_are_fingerprinted_and_verify_after_a_restore()
    {
        var database = "legacy_" + Guid.NewGuid().ToString("N")[..8];
        fixture.Server.CreateDatabase(database);
        fixture.Server.ExecuteSql(database, """
            CREATE TYPE mood AS ENUM ('calm', 'hot');
            CREATE TABLE legacy (id int PRIMARY KEY, payload json, location point, feeling mood DEFAULT 'hot', created_at timestamptz DEFAULT now());
            CREATE TABLE modern (id int PRIMARY KEY, payload jsonb);
            INSERT INTO legacy (id, payload, location) SELECT g, json_build_object('n', g), point(g, -g) FROM generate_series(1, 500) g;
            INSERT INTO modern SELECT g, jsonb_build_object('n', g) FROM generate_series(1, 500) g;
            """);

        var set = await DatabaseBackupEngine.BackupAsync(new DatabaseBackupRequest
        {
            ConnectionString = fixture.Server.ConnectionString(database),
            Repository = fixture.NewFolder(),
            CriticalTables = ["legacy", "modern"],
        }, NullOperationLog.Instance, default);

        Assert.All(set.Manifest.Database!.Tables, t => Assert.NotNull(t.Fingerprint));
        var verification = await DatabaseVerifier.VerifyAsync(new DatabaseVerificationRequest { Set = set, RestoreTo = fixture.ScratchConnectionString() }, NullOperationLog.Instance, default);
        Assert.True(verification.Passed, string.Join("\n", verification.Checks.Where(c => !c.Passed)));
    }

    /// <summary>A bin folder whose pg_dump is a script, and whose pg_restore exists.</summary>
    private string FakeTools(string pgDumpScript)
    {
        var bin = Directory.CreateDirectory(fixture.NewFolder("fake-bin")).FullName;
        File.WriteAllText(Path.Combine(bin, "pg_dump"), "#!/bin/sh\n" + pgDumpScript + "\n");
        File.WriteAllText(Path.Combine(bin, "pg_restore"), "#!/bin/sh\nexit 1\n");
        if (OperatingSystem.IsWindows())
        {
            return bin;
        }

        foreach (var tool in new[] { "pg_dump", "pg_restore" })
        {
            File.SetUnixFileMode(Path.Combine(bin, tool), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return bin;
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
