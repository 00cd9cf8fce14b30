using System.Collections;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Incidents;

/// <summary>
/// The copy of incident records kept in an offsite (object) repository, beside the backups: when the machine running a
/// recovery dies with its local record, another machine continues the incident from here. The repository is opened
/// (its key unlocked) once, at the first use, and kept open until disposed; a use that fails leaves it to be tried
/// again. Each use waits at most <see cref="Timeout"/>, so a store that hangs cannot hold up the recovery it serves.
/// Callers on a PowerShell pipeline call it synchronously: every await below runs without the caller's context.
/// </summary>
public sealed class OffsiteIncidentCopy : IDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private readonly Func<bool, CancellationToken, Task<ObjectRepository>> _open;
    private readonly TimeProvider _clock;
    private ObjectRepository? _repository;

    /// <param name="location">The repository's display form (<c>az://backups/hotmess</c>).</param>
    /// <param name="open">Opens the repository; the flag says whether an empty store may be initialised.</param>
    public OffsiteIncidentCopy(string location, Func<bool, CancellationToken, Task<ObjectRepository>> open, TimeProvider? clock = null, TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(location);
        Location = location;
        _open = open ?? throw new ArgumentNullException(nameof(open));
        _clock = clock ?? TimeProvider.System;
        Timeout = timeout ?? DefaultTimeout;
    }

    /// <summary>
    /// The offsite repository at <paramref name="location"/> (<c>az://</c>, <c>s3://</c> or an encrypted folder), its
    /// passphrase from <paramref name="keyFile"/> or HOTMESS_REPOSITORY_KEY in <paramref name="environment"/>. The
    /// first record saved into an empty store initialises it encrypted, as the first Copy-HotmessBackup does.
    /// </summary>
    public static OffsiteIncidentCopy At(string location, string? keyFile, IDictionary environment, TimeProvider? clock = null) =>
        new(location, (initialize, token) => ObjectRepositoryAddress.OpenAsync(location, keyFile, environment, initialize, NullOperationLog.Instance, token), clock);

    public string Location { get; }

    /// <summary>The clock of the records it reads back, and of a run's pauses between failed copies.</summary>
    public TimeProvider Clock => _clock;

    public TimeSpan Timeout { get; }

    /// <summary>Keeps the record offsite, replacing its previous copy; throws what the store or the key threw.</summary>
    public void Save(IncidentRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Run(initialize: true, async (repository, token) =>
        {
            await repository.SaveIncidentAsync(record, token).ConfigureAwait(false);
            return true;
        });
    }

    /// <summary>The record kept offsite under <paramref name="incidentId"/>, or null when the repository (or the store) has none.</summary>
    public IncidentRecord? Find(string incidentId)
    {
        ArgumentException.ThrowIfNullOrEmpty(incidentId);
        try
        {
            return Run(initialize: false, (repository, token) => repository.FindIncidentAsync(incidentId, _clock, token));
        }
        catch (HotmessException ex) when (ex.ErrorId == "RepositoryNotFound")
        {
            return null;
        }
    }

    public void Dispose()
    {
        var repository = Interlocked.Exchange(ref _repository, null);
        repository?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private T Run<T>(bool initialize, Func<ObjectRepository, CancellationToken, Task<T>> work) =>
        Task.Run(async () =>
        {
            using var timeout = new CancellationTokenSource(Timeout);
            try
            {
                _repository ??= await _open(initialize, timeout.Token).ConfigureAwait(false);
                return await work(_repository, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (timeout.IsCancellationRequested)
            {
                throw new HotmessException("OffsiteTimeout", FailureKind.Timeout,
                    $"The offsite repository '{Location}' did not answer within {Timeout.TotalSeconds:0} s.", Location, ex);
            }
        }).GetAwaiter().GetResult();
}
