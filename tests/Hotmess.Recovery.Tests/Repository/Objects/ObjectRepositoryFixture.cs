using System.Security.Cryptography;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Tests.Repository.Objects;

/// <summary>Local sets to copy: a database set with payload files, storage sets whose objects live in the content store.</summary>
internal static class LocalSets
{
    public static readonly Secret Passphrase = new("correct horse battery staple");

    public static readonly Secret WrongPassphrase = new("incorrect horse battery staple");

    public static async Task<BackupSet> DatabaseSetAsync(BackupRepository repository, DateTimeOffset startedUtc, int fileSize = 300_000)
    {
        var pending = repository.BeginSet(BackupKind.Database, startedUtc);
        Directory.CreateDirectory(Path.Combine(pending.Path, "dump"));
        await File.WriteAllBytesAsync(Path.Combine(pending.Path, "dump", "toc.dat"), RandomNumberGenerator.GetBytes(1_000));
        await File.WriteAllBytesAsync(Path.Combine(pending.Path, "dump", "3456.dat.gz"), RandomNumberGenerator.GetBytes(fileSize));
        await File.WriteAllBytesAsync(Path.Combine(pending.Path, "dump", "3457.dat.gz"), []);
        return pending.Complete(new BackupManifest
        {
            Files = await pending.HashPayloadAsync(2, default),
            Source = new BackupSource { Host = "db.example", Port = 5432, Database = "postgres" },
            Database = new DatabaseContents { SnapshotId = "00000003-1", Tables = [new TableEvidence { Schema = "public", Name = "orders", RowCount = 3 }] },
        });
    }

    /// <summary>A storage set of the given object contents (bucket "uploads", keys o0, o1, …).</summary>
    public static async Task<BackupSet> StorageSetAsync(BackupRepository repository, DateTimeOffset startedUtc, params byte[][] contents)
    {
        var pending = repository.BeginSet(BackupKind.Storage, startedUtc);
        var objects = new List<StorageObjectEntry>();
        for (var i = 0; i < contents.Length; i++)
        {
            var stored = await repository.Content.AddAsync(new MemoryStream(contents[i]), contents[i].Length, default);
            objects.Add(new StorageObjectEntry { Bucket = "uploads", Key = $"o{i}", Size = stored.Size, Sha256 = stored.Sha256 });
        }

        return pending.Complete(new BackupManifest
        {
            Source = new BackupSource { Project = "https://abcd.supabase.co" },
            Storage = new StorageContents { Buckets = [new StorageBucketEntry { Id = "uploads", Name = "uploads", ObjectCount = objects.Count }], Objects = objects },
        });
    }
}
