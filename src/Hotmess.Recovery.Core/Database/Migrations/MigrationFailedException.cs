using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Database.Migrations;

/// <summary>A migration file that failed and was rolled back; <see cref="Result"/> is its Failed result.</summary>
public sealed class MigrationFailedException(string message, MigrationResult result, Exception? inner = null)
    : HotmessException("MigrationFailed", FailureKind.InvalidOperation, message, result.Path, inner)
{
    public MigrationResult Result { get; } = result;
}
