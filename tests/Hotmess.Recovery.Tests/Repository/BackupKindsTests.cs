using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Tests.Repository;

public sealed class BackupKindsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hotmess-kinds-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Every_backup_kind_is_registered_once_under_its_own_name()
    {
        Assert.Equal(Enum.GetValues<BackupKind>().Order(), BackupKinds.All.Select(k => k.Kind).Order());
        Assert.Equal(BackupKinds.All.Count, BackupKinds.All.Select(k => k.Name).Distinct().Count());
        Assert.Equal(BackupKinds.All.Count, BackupKinds.All.Select(k => k.ContentsType).Distinct().Count());
    }

    [Fact]
    public void Ids_locks_and_manifest_contents_of_a_kind_follow_its_registration()
    {
        var repository = BackupRepository.OpenOrCreate(_root);
        foreach (var kind in BackupKinds.All)
        {
            using var held = repository.Lock(kind.Kind);
            Assert.True(File.Exists(Path.Combine(repository.LocksPath, kind.Name + ".lock")));
            var pending = repository.BeginSet(kind.Kind, DateTimeOffset.UtcNow);
            Assert.Contains($"-{kind.Name}-", pending.Id, StringComparison.Ordinal);
            Assert.True(BackupSetId.TryParse(pending.Id, out var parsed, out _) && parsed == kind.Kind);

            var set = pending.Complete(new BackupManifest { Contents = Activator.CreateInstance(kind.ContentsType) });
            var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(set.Path, BackupRepository.ManifestFileName)))!;
            Assert.NotNull(manifest[kind.Name]);
            Assert.IsType(kind.ContentsType, repository.GetSet(set.Id).Manifest.Contents);
        }

        Assert.IsType<StorageBackupSet>(Assert.Single(repository.GetSets(BackupKind.Storage)));
    }

    [Theory]
    [InlineData("20261124T190312Z-database-7f3a", true)]
    [InlineData("20261124T190312Z-environment-0000", true)]
    [InlineData("20261124T190312Z-logs-7f3a", false)]
    [InlineData("20261324T190312Z-database-7f3a", false)]
    [InlineData("20261124T190312Z-database-7f3a/..", false)]
    public void Set_ids_are_those_of_registered_kinds(string id, bool valid) => Assert.Equal(valid, BackupSetId.IsValid(id));

    [Fact]
    public void Manifests_written_in_todays_format_still_load()
    {
        var repository = BackupRepository.OpenOrCreate(_root);
        Write("20261124T190312Z-database-7f3a", """
            {
              "formatVersion": 1,
              "id": "20261124T190312Z-database-7f3a",
              "kind": "Database",
              "startedUtc": "2026-11-24T19:03:12+00:00",
              "completedUtc": "2026-11-24T19:04:40.5+00:00",
              "source": { "host": "db.abcd.supabase.co", "port": 5432, "database": "postgres", "user": "postgres", "serverVersion": "15.8" },
              "tools": { "pg_dump": "15.8", "HotmessRecovery": "0.1.0" },
              "files": [ { "path": "dump/toc.dat", "size": 2048, "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" } ],
              "database": {
                "snapshotId": "00000003-0000001B-1",
                "walLsn": "0/1A2B3C4",
                "dumpPath": "dump",
                "criticalTables": [ "User" ],
                "tables": [ { "schema": "public", "name": "User", "rowCount": 42, "fingerprint": "abc", "timestampColumn": "createdAt", "newestTimestamp": "2026-11-24T18:00:00+00:00" } ],
                "roles": [ "anon" ],
                "excludedSchemas": []
              },
              "payloadBytes": 2048
            }
            """);
        Write("20261124T190313Z-storage-7f3b", """
            {
              "formatVersion": 1,
              "id": "20261124T190313Z-storage-7f3b",
              "kind": "Storage",
              "startedUtc": "2026-11-24T19:03:13+00:00",
              "completedUtc": "2026-11-24T19:05:00+00:00",
              "source": { "host": "abcd.supabase.co", "project": "https://abcd.supabase.co" },
              "tools": { "HotmessRecovery": "0.1.0", "supabase-storage": "api" },
              "files": [],
              "storage": {
                "endpoint": "https://abcd.supabase.co/storage/v1/",
                "full": false,
                "buckets": [ { "id": "avatars", "name": "avatars", "public": true, "objectCount": 1, "totalBytes": 3 } ],
                "objects": [ { "bucket": "avatars", "key": "u/1.png", "size": 3, "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "eTag": "\"e\"" } ],
                "downloadedCount": 1,
                "downloadedBytes": 3,
                "reusedCount": 0,
                "objectCount": 1,
                "totalBytes": 3
              },
              "payloadBytes": 0
            }
            """);
        Write("20261124T190314Z-environment-7f3c", """
            {
              "formatVersion": 1,
              "id": "20261124T190314Z-environment-7f3c",
              "kind": "Environment",
              "startedUtc": "2026-11-24T19:03:14+00:00",
              "completedUtc": "2026-11-24T19:03:15+00:00",
              "source": { "project": "prj_123" },
              "tools": { "HotmessRecovery": "0.1.0" },
              "files": [ { "path": "environment.bin", "size": 99, "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" } ],
              "environment": {
                "store": "vercel",
                "payloadPath": "environment.bin",
                "variables": [ { "name": "STRIPE_SECRET_KEY", "targets": [ "production" ], "type": "encrypted", "hasValue": true } ],
                "encryption": { "algorithm": "AES-256-GCM", "keyKind": "Key", "kdf": "HKDF-SHA256", "salt": "c2FsdA==", "keyCheck": "Y2hlY2s=" }
              },
              "payloadBytes": 99
            }
            """);

        var sets = repository.GetSets(includeDamaged: true).ToList();

        Assert.All(sets, s => Assert.Equal(BackupSetState.Complete, s.State));
        var environment = sets[0].Manifest.Environment!;
        Assert.Equal(("vercel", "STRIPE_SECRET_KEY"), (environment.Store, environment.Variables.Single().Name));
        var storage = Assert.IsType<StorageBackupSet>(sets[1]);
        Assert.Equal(("u/1.png", 3L), (storage.Contents.Objects.Single().Key, storage.TotalBytes));
        var database = sets[2].Manifest.Database!;
        Assert.Equal(("00000003-0000001B-1", 42L), (database.SnapshotId, database.Tables.Single().RowCount));
        Assert.Equal("db.abcd.supabase.co:5432/postgres", sets[2].Source);

        var written = System.Text.Json.Nodes.JsonNode.Parse(Json.Serialize(sets[2].Manifest))!;
        Assert.Equal("00000003-0000001B-1", (string?)written["database"]!["snapshotId"]);
        Assert.Null(written["storage"]);
    }

    private void Write(string id, string manifest)
    {
        Directory.CreateDirectory(Path.Combine(_root, "sets", id));
        File.WriteAllText(Path.Combine(_root, "sets", id, BackupRepository.ManifestFileName), manifest);
    }
}
