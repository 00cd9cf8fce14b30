namespace Hotmess.Recovery.Common;

/// <summary>Where the engine reports what it is doing. The cmdlets forward it to the pipeline thread.</summary>
public interface IOperationLog
{
    void Verbose(string message);

    void Warning(string message);

    void Progress(OperationProgress progress);
}

/// <summary>One progress update. <see cref="PercentComplete"/> is -1 when unknown.</summary>
public sealed record OperationProgress(
    int ActivityId,
    string Activity,
    string Status,
    int PercentComplete = -1,
    string? CurrentOperation = null,
    bool Completed = false,
    int ParentActivityId = -1);

/// <summary>A log that drops everything: for callers that do not listen.</summary>
public sealed class NullOperationLog : IOperationLog
{
    public static readonly NullOperationLog Instance = new();

    public void Verbose(string message) { }

    public void Warning(string message) { }

    public void Progress(OperationProgress progress) { }
}
