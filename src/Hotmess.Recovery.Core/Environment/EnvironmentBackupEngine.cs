using System.Reflection;
using System.Security.Cryptography;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Environments;

/// <summary>
/// Environment sets: every variable of a store, names, targets and types in the manifest, values only in an
/// AES-256-GCM payload encrypted in memory. Opening a set checks, in order, the payload's recorded hash, the key
/// (by its key check) and the authentication tag, so a damaged file, a wrong key and an altered manifest each
/// fail with their own message before anything is written anywhere.
/// </summary>
public static class EnvironmentBackupEngine
{
    private static readonly string ModuleVersion =
        typeof(EnvironmentBackupEngine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";

    public static async Task<BackupSet> BackupAsync(
        BackupRepository repository, IEnvironmentVariableStore store, EnvironmentKey key, IOperationLog log, CancellationToken cancellationToken)
    {
        var encryption = key.NewEncryption();
        using var repositoryLock = repository.Lock(BackupKind.Environment, log);
        log.Verbose($"Reading the environment variables of {store.Kind} project '{store.Project}'.");
        var variables = (await store.ReadAllAsync(log, cancellationToken).ConfigureAwait(false))
            .OrderBy(v => v.Name, StringComparer.Ordinal)
            .ThenBy(v => string.Join(",", v.Targets), StringComparer.Ordinal)
            .ThenBy(v => v.GitBranch, StringComparer.Ordinal)
            .ToList();
        foreach (var unreadable in variables.Where(v => v.Value is null))
        {
            log.Warning($"{store.Kind} does not give back the value of {unreadable.Name} ({unreadable.Type}, {string.Join(", ", unreadable.Targets)}); the set records its name only. Keep that value elsewhere, or set it again with Set-HotmessSecret after a restore.");
        }

        var pending = repository.BeginSet(BackupKind.Environment, DateTimeOffset.UtcNow);
        try
        {
            var contents = new EnvironmentContents
            {
                Store = store.Kind,
                Variables = variables.Select(v => new EnvironmentVariableEntry
                {
                    Name = v.Name,
                    Targets = v.Targets.ToList(),
                    Type = v.Type,
                    GitBranch = v.GitBranch,
                    HasValue = v.Value is not null,
                }).ToList(),
                Encryption = encryption,
            };

            var (encryptionKey, keyCheck) = key.Derive(encryption, pending.Id);
            var packed = EnvironmentCipher.PackValues(variables.Where(v => v.Value is not null).Select(v => v.Value!).ToList());
            try
            {
                encryption.KeyCheck = Convert.ToBase64String(keyCheck);
                var payload = EnvironmentCipher.Encrypt(packed, encryptionKey, EnvironmentCipher.AssociatedData(pending.Id, store.Project, contents));
                var path = Path.Combine(pending.Path, contents.PayloadPath);
                await using (var file = new FileStream(path, PrivateFiles.Options(FileMode.CreateNew, FileAccess.Write)))
                {
                    await file.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
                    file.Flush(flushToDisk: true);
                }
            }
            finally
            {
                CryptographicOperations.ZeroMemory(packed);
                CryptographicOperations.ZeroMemory(encryptionKey);
            }

            var manifest = new BackupManifest
            {
                Source = new BackupSource { Project = store.Project },
                Tools = new Dictionary<string, string> { ["HotmessRecovery"] = ModuleVersion },
                Files = await pending.HashPayloadAsync(1, cancellationToken).ConfigureAwait(false),
                Environment = contents,
            };
            var set = pending.Complete(manifest);
            log.Verbose($"Environment set {set.Id}: {contents.Variables.Count} variables, {contents.Variables.Count(v => v.HasValue)} values encrypted ({encryption.Algorithm}, {encryption.Kdf}).");
            return set;
        }
        catch
        {
            pending.Abandon();
            throw;
        }
    }

    /// <summary>Decrypts a set in memory. Variables the set holds no value for come back with a null value.</summary>
    public static async Task<IReadOnlyList<StoredVariable>> OpenAsync(BackupSet set, EnvironmentKey key, CancellationToken cancellationToken)
    {
        set.EnsureUsable();
        if (set.Kind != BackupKind.Environment || set.Manifest.Environment is not { } contents)
        {
            throw new HotmessException("BackupKindMismatch", FailureKind.InvalidArgument,
                $"Backup set '{set.Id}' is a {set.Kind.ToString().ToLowerInvariant()} set, not an environment set.", set.Id);
        }

        if (contents.Encryption.Algorithm != EnvironmentCipher.Algorithm)
        {
            throw new HotmessException("EnvironmentAlgorithmUnsupported", FailureKind.VersionMismatch,
                $"Environment set '{set.Id}' is encrypted with '{contents.Encryption.Algorithm}'; this module reads {EnvironmentCipher.Algorithm}.", set.Id);
        }

        // Every file against the manifest first, as every restore does; the payload is checked again as it is read.
        await PayloadVerifier.EnsureIntactAsync(set, 1, NullOperationLog.Instance, cancellationToken).ConfigureAwait(false);
        var payload = await ReadPayloadAsync(set, contents, cancellationToken).ConfigureAwait(false);
        var (encryptionKey, keyCheck) = key.Derive(contents.Encryption, set.Id);
        byte[]? packed = null;
        try
        {
            if (!KeyCheckMatches(contents.Encryption.KeyCheck, keyCheck))
            {
                throw new HotmessException("EnvironmentDecryptionFailed", FailureKind.AuthenticationFailed,
                    $"The key from {key.Source} is not the key environment set '{set.Id}' was encrypted with (its key check differs).", set.Id);
            }

            packed = EnvironmentCipher.Decrypt(payload, encryptionKey, EnvironmentCipher.AssociatedData(set.Id, set.Manifest.Source.Project, contents), set.Id);
            var withValues = contents.Variables.Where(v => v.HasValue).ToList();
            var values = EnvironmentCipher.UnpackValues(packed, withValues.Count, set.Id);
            var next = 0;
            return contents.Variables.Select(v => new StoredVariable(v.Name, v.HasValue ? values[next++] : null, v.Type, v.Targets)
            {
                GitBranch = v.GitBranch,
            }).ToList();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(encryptionKey);
            if (packed is not null)
            {
                CryptographicOperations.ZeroMemory(packed);
            }
        }
    }

    private static async Task<byte[]> ReadPayloadAsync(BackupSet set, EnvironmentContents contents, CancellationToken cancellationToken)
    {
        var name = contents.PayloadPath;
        if (string.IsNullOrEmpty(name) || Path.GetFileName(name) != name || name is "." or "..")
        {
            throw EnvironmentKey.Damaged(set.Id, $"its payload path '{name}' is not a file name inside the set");
        }

        var recorded = set.Manifest.Files.FirstOrDefault(f => f.Path == name)
            ?? throw EnvironmentKey.Damaged(set.Id, $"it does not list the payload file '{name}'");
        var path = Path.Combine(set.Path, name);
        if (!File.Exists(path))
        {
            throw EnvironmentCipher.Tampered(set.Id, $"the payload file '{name}' is missing");
        }

        var payload = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        var hash = Convert.ToHexString(SHA256.HashData(payload)).ToLowerInvariant();
        if (payload.LongLength != recorded.Size || hash != recorded.Sha256)
        {
            throw EnvironmentCipher.Tampered(set.Id, $"the payload file '{name}' is not the one the manifest records ({payload.LongLength} bytes, SHA-256 {hash[..12]}…; recorded {recorded.Size} bytes, {recorded.Sha256[..Math.Min(12, recorded.Sha256.Length)]}…)");
        }

        return payload;
    }

    private static bool KeyCheckMatches(string recorded, byte[] derived)
    {
        try
        {
            return CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(recorded), derived);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
