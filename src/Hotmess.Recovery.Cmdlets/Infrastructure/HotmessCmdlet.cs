using System.Collections.Concurrent;
using System.Management.Automation;
using System.Net;
using System.Security;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Cmdlets.Infrastructure;

/// <summary>
/// Base of every cmdlet: runs engine work on a worker task while the pipeline thread drains its
/// verbose, warning and progress messages (PowerShell allows Write* only on that thread), turns
/// <see cref="HotmessException"/> into categorised ErrorRecords, and cancels the engine on Ctrl+C.
/// </summary>
public abstract class HotmessCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private readonly HashSet<int> _openActivities = new();

    protected CancellationToken CancellationToken => _cancellation.Token;

    protected override void StopProcessing() => _cancellation.Cancel();

    /// <summary>
    /// hotmess.json (explicit path, HOTMESS_CONFIG, the user's config folder) completed from the environment; -Verbose
    /// shows the file read and every secret's destination it sets.
    /// </summary>
    protected HotmessConfiguration LoadConfiguration(string? path)
    {
        HotmessConfiguration? configuration = null;
        Terminating(() => configuration = ConfigurationLoader.Load(path, System.Environment.GetEnvironmentVariables(), WriteVerbose));
        return configuration!;
    }

    /// <summary>
    /// The repository folder: the parameter, then the configuration, then the default <c>~/.hotmess/backups</c>. Backups
    /// (pg_dump needs a disk), alert state and records are written to a local folder; an <c>az://</c> or <c>s3://</c>
    /// location is refused here rather than taken for a folder named <c>az:</c>.
    /// </summary>
    protected string ResolveRepositoryPath(string? parameter, HotmessConfiguration configuration)
    {
        var path = parameter ?? configuration.Repository ?? BackupRepository.DefaultPath;
        if (ObjectRepositoryAddress.IsRemote(path))
        {
            ThrowArgumentError("RepositoryNotLocal",
                $"{MyInvocation.MyCommand.Name} works on a local repository folder, and '{path}' is offsite. Run it on a local folder, "
                + $"then copy the sets there with Copy-HotmessBackup -Destination '{path}'.", path);
        }

        return GetUnresolvedProviderPathFromPSPath(path);
    }

    /// <summary>
    /// Refuses an encrypted repository folder for a backup that is taken into a plain local repository only, naming
    /// the way there: back up into a plain folder, then copy the set with Copy-HotmessBackup.
    /// </summary>
    protected void RefuseEncryptedRepository(string path)
    {
        if (ObjectRepositoryAddress.IsEncryptedFolder(path))
        {
            var name = MyInvocation.MyCommand.Name;
            ThrowArgumentError("RepositoryEncrypted",
                $"'{path}' is an encrypted repository, and {name} takes its sets into a plain local repository. Back up into a plain folder, "
                + $"then copy the set: {name} -Repository <plain folder> | Copy-HotmessBackup -Destination '{path}'.", path);
        }
    }

    /// <summary>
    /// The repository a cmdlet works on: the parameter, then the configuration, then <c>~/.hotmess/backups</c>. A local
    /// path is resolved against the current location; <c>az://</c> and <c>s3://</c> locations are kept as written.
    /// </summary>
    protected RepositoryReference ResolveRepository(string? parameter, HotmessConfiguration configuration)
    {
        var location = parameter ?? configuration.Repository ?? BackupRepository.DefaultPath;
        return RepositoryReference.Of(ObjectRepositoryAddress.IsRemote(location) ? location : GetUnresolvedProviderPathFromPSPath(location));
    }

    /// <summary>Opens an object repository with the passphrase from <paramref name="keyFile"/> or HOTMESS_REPOSITORY_KEY; a wrong one fails here.</summary>
    protected Task<ObjectRepository> OpenObjectRepositoryAsync(RepositoryReference repository, string? keyFile, bool initialize, IOperationLog log, CancellationToken cancellationToken) =>
        ObjectRepositoryAddress.OpenAsync(repository.Location, keyFile is null ? null : GetUnresolvedProviderPathFromPSPath(keyFile),
            System.Environment.GetEnvironmentVariables(), initialize, log, cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> on a set as the local engines read it: a set of a plain repository as it is; a set
    /// of an object repository fetched first into a private cache (every file authenticated on the way; a damaged
    /// set fails naming the file and nothing runs), which is removed afterwards.
    /// </summary>
    protected T WithLocalSet<T>(BackupSet set, string? keyFile, Func<BackupSet, IOperationLog, CancellationToken, Task<T>> work)
    {
        var repository = RepositoryReference.Of(set.Repository);
        if (!repository.IsObjectRepository)
        {
            return RunEngine((log, token) => work(set, log, token));
        }

        return RunEngine(async (log, token) =>
        {
            await using var source = await OpenObjectRepositoryAsync(repository, keyFile, initialize: false, log, token).ConfigureAwait(false);
            using var fetched = await ObjectRepositoryFetcher.FetchAsync(new FetchRequest { Set = set, Source = source }, log, token).ConfigureAwait(false);
            return await work(fetched.Set, log, token).ConfigureAwait(false);
        });
    }

    /// <summary>A set by id from either kind of repository; a damaged one only with <paramref name="includeDamaged"/>.</summary>
    protected BackupSet FindSet(RepositoryReference repository, string id, string? keyFile, bool includeDamaged)
    {
        if (!repository.IsObjectRepository)
        {
            return BackupRepository.Open(repository.Location).GetSet(id, includeDamaged);
        }

        return RunEngine(async (log, token) =>
        {
            await using var source = await OpenObjectRepositoryAsync(repository, keyFile, initialize: false, log, token).ConfigureAwait(false);
            return await source.GetSetAsync(id, includeDamaged, token).ConfigureAwait(false);
        });
    }

    /// <summary>
    /// ShouldProcess that <c>-Force</c> answers without a prompt; -WhatIf (bound or by preference) and an
    /// explicit -Confirm still win.
    /// </summary>
    protected bool ShouldProcessUnlessForced(bool force, string target, string action)
    {
        // -WhatIf:$false is bound too: read its value, and fall back to the preference only when it is not bound.
        var whatIf = MyInvocation.BoundParameters.TryGetValue("WhatIf", out var bound)
            ? LanguagePrimitives.IsTrue(bound)
            : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
        if (force && !whatIf && !MyInvocation.BoundParameters.ContainsKey("Confirm"))
        {
            WriteVerbose($"Performing the operation \"{action}\" on target \"{target}\" (-Force).");
            return true;
        }

        return ShouldProcess(target, action);
    }

    /// <summary>
    /// Reads an Azure Automation variable through the session's own <c>Get-AutomationVariable</c>; null outside
    /// Azure Automation (or a test that stands in for it), where the command does not exist. Call it on the
    /// pipeline thread.
    /// </summary>
    protected Func<string, string?>? AutomationVariableReader() =>
        InvokeCommand.GetCommand("Get-AutomationVariable", CommandTypes.All) is null ? null : ReadAutomationVariable;

    private string? ReadAutomationVariable(string name)
    {
        try
        {
            // In the caller's scope, so the session's own Get-AutomationVariable answers; an unknown variable is an error there.
            var results = InvokeCommand.InvokeScript(
                false, ScriptBlock.Create("param($Name) $ErrorActionPreference = 'Stop'; Get-AutomationVariable -Name $Name"), null, name);
            var value = results.Count == 0 ? null : results[^1]?.BaseObject;
            return value is null ? null : LanguagePrimitives.ConvertTo<string>(value);
        }
        catch (RuntimeException ex)
        {
            WriteVerbose($"No Azure Automation variable {name}: {ex.Message}");
            return null;
        }
    }

    /// <summary>The Resend API key: the parameter, else RESEND_API_KEY; <c>ResendApiKeyMissing</c> when neither is set.</summary>
    protected Secret ResolveResendApiKey(SecureString? parameter)
    {
        var key = ToSecret(parameter) ?? ConfigurationLoader.GetSecret(System.Environment.GetEnvironmentVariables(), "RESEND_API_KEY");
        if (key is null)
        {
            ThrowArgumentError("ResendApiKeyMissing", "No Resend API key: pass -ResendApiKey or set RESEND_API_KEY.", "RESEND_API_KEY");
        }

        return key!;
    }

    /// <summary>A SecureString parameter as the engine's <see cref="Secret"/>; null when not given or empty.</summary>
    protected static Secret? ToSecret(SecureString? value) =>
        value is null ? null : Secret.FromNullable(new NetworkCredential(string.Empty, value).Password);

    /// <summary>Runs engine work, pumping its messages on the pipeline thread until it ends.</summary>
    protected T RunEngine<T>(Func<IOperationLog, CancellationToken, Task<T>> work)
    {
        using var queue = new BlockingCollection<Action>();
        var log = new QueuedLog(queue, this);
        var task = Task.Run(() => work(log, _cancellation.Token));
        task.ContinueWith(_ => queue.CompleteAdding(), TaskScheduler.Default);
        try
        {
            foreach (var write in queue.GetConsumingEnumerable())
            {
                write();
            }

            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        finally
        {
            CompleteOpenProgress();
        }
    }

    protected void RunEngine(Func<IOperationLog, CancellationToken, Task> work) =>
        RunEngine<bool>(async (log, token) =>
        {
            await work(log, token).ConfigureAwait(false);
            return true;
        });

    /// <summary>Runs <paramref name="action"/>; a <see cref="HotmessException"/> becomes a terminating ErrorRecord.</summary>
    protected void Terminating(Action action)
    {
        try
        {
            action();
        }
        catch (HotmessException ex)
        {
            ThrowTerminatingError(ErrorRecordFor(ex));
        }
    }

    /// <summary>Runs <paramref name="action"/>; a <see cref="HotmessException"/> becomes a non-terminating error, and the cmdlet carries on.</summary>
    protected void PerItem(Action action)
    {
        try
        {
            action();
        }
        catch (HotmessException ex)
        {
            WriteError(ErrorRecordFor(ex));
        }
    }

    protected static ErrorRecord ErrorRecordFor(HotmessException ex) =>
        new(ex, ex.ErrorId, CategoryFor(ex.Kind), ex.Target);

    protected void ThrowArgumentError(string errorId, string message, object? target) =>
        ThrowTerminatingError(new ErrorRecord(new PSArgumentException(message), errorId, ErrorCategory.InvalidArgument, target));

    internal static ErrorCategory CategoryFor(FailureKind kind) => kind switch
    {
        FailureKind.InvalidArgument => ErrorCategory.InvalidArgument,
        FailureKind.NotFound => ErrorCategory.ObjectNotFound,
        FailureKind.AlreadyExists => ErrorCategory.ResourceExists,
        FailureKind.ConnectionFailed => ErrorCategory.ConnectionError,
        FailureKind.AuthenticationFailed => ErrorCategory.AuthenticationError,
        FailureKind.PermissionDenied => ErrorCategory.PermissionDenied,
        FailureKind.NotInstalled => ErrorCategory.NotInstalled,
        FailureKind.VersionMismatch => ErrorCategory.NotImplemented,
        FailureKind.InvalidData => ErrorCategory.InvalidData,
        FailureKind.ExternalToolFailed => ErrorCategory.InvalidResult,
        FailureKind.RemoteServiceFailed => ErrorCategory.ResourceUnavailable,
        FailureKind.RateLimited => ErrorCategory.LimitsExceeded,
        FailureKind.Timeout => ErrorCategory.OperationTimeout,
        _ => ErrorCategory.InvalidOperation,
    };

    public void Dispose()
    {
        _cancellation.Dispose();
        GC.SuppressFinalize(this);
    }

    private void WriteProgressFor(OperationProgress progress)
    {
        var record = new ProgressRecord(progress.ActivityId, progress.Activity, string.IsNullOrEmpty(progress.Status) ? progress.Activity : progress.Status)
        {
            PercentComplete = Math.Clamp(progress.PercentComplete, -1, 100),
            CurrentOperation = progress.CurrentOperation,
            ParentActivityId = progress.ParentActivityId,
            RecordType = progress.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        };
        if (progress.Completed)
        {
            _openActivities.Remove(progress.ActivityId);
        }
        else
        {
            _openActivities.Add(progress.ActivityId);
        }

        WriteProgress(record);
    }

    private void CompleteOpenProgress()
    {
        foreach (var id in _openActivities.ToList())
        {
            WriteProgress(new ProgressRecord(id, "HotmessRecovery", "Done") { RecordType = ProgressRecordType.Completed });
        }

        _openActivities.Clear();
    }

    /// <summary>Enqueues the engine's messages for the pipeline thread; never calls Write* itself.</summary>
    private sealed class QueuedLog(BlockingCollection<Action> queue, HotmessCmdlet cmdlet) : IOperationLog
    {
        public void Verbose(string message) => Enqueue(() => cmdlet.WriteVerbose(message));

        public void Warning(string message) => Enqueue(() => cmdlet.WriteWarning(message));

        public void Progress(OperationProgress progress) => Enqueue(() => cmdlet.WriteProgressFor(progress));

        private void Enqueue(Action write)
        {
            try
            {
                queue.TryAdd(write);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
            {
                // Added after the work ended: nothing left to show it to.
            }
        }
    }
}
