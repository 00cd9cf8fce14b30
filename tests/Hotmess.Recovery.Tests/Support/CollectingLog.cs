using System.Collections.Concurrent;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Tests.Support;

/// <summary>An <see cref="IOperationLog"/> that keeps what it is told.</summary>
public sealed class CollectingLog : IOperationLog
{
    public ConcurrentQueue<string> Verbose { get; } = new();

    public ConcurrentQueue<string> Warnings { get; } = new();

    public ConcurrentQueue<OperationProgress> Progress { get; } = new();

    void IOperationLog.Verbose(string message) => Verbose.Enqueue(message);

    void IOperationLog.Warning(string message) => Warnings.Enqueue(message);

    void IOperationLog.Progress(OperationProgress progress) => Progress.Enqueue(progress);
}
