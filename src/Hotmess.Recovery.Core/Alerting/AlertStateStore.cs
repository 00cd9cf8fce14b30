using System.Text.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Alerting;

/// <summary>
/// The alert state file of a repository (<c>alerts/state.json</c>), read and written under the lock
/// <c>locks/alerts.lock</c>: a scheduled run and an interactive one never both send for the same problem.
/// </summary>
public sealed class AlertStateStore : IDisposable
{
    private readonly RepositoryLock _lock;

    private AlertStateStore(string path, RepositoryLock held, AlertState state)
    {
        Path = path;
        _lock = held;
        State = state;
    }

    public string Path { get; }

    public AlertState State { get; }

    /// <summary>Takes the lock and reads the state (empty when there is none yet).</summary>
    public static AlertStateStore Open(string repositoryRoot)
    {
        var repository = BackupRepository.OpenOrCreate(repositoryRoot);
        RepositoryLock held;
        try
        {
            held = RepositoryLock.Acquire(repository.LocksPath, "alerts");
        }
        catch (HotmessException ex) when (ex.ErrorId == "RepositoryLocked")
        {
            throw new HotmessException("AlertStateLocked", FailureKind.InvalidOperation,
                $"Another run is sending alerts from the repository '{repositoryRoot}'; try again when it ends.", repositoryRoot, ex);
        }

        try
        {
            var folder = System.IO.Path.Combine(repository.Root, "alerts");
            PrivateFiles.CreateFolder(folder);
            var path = System.IO.Path.Combine(folder, "state.json");
            AlertState state;
            try
            {
                state = File.Exists(path) ? Json.Deserialize<AlertState>(File.ReadAllText(path)) : new AlertState();
            }
            catch (JsonException ex)
            {
                throw new HotmessException("AlertStateInvalid", FailureKind.InvalidData,
                    $"The alert state '{path}' cannot be read: {ex.Message}. Move it aside to start afresh (open problems are alerted again).", path, ex);
            }

            state.Problems = new Dictionary<string, AlertProblem>(state.Problems, StringComparer.OrdinalIgnoreCase);
            return new AlertStateStore(path, held, state);
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    public void Save() => Json.WriteAtomically(Path, State);

    public void Dispose() => _lock.Dispose();
}
