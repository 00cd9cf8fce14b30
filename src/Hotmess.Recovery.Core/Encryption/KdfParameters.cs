using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Encryption;

/// <summary>
/// The Argon2id cost a passphrase is stretched with, recorded in the repository descriptor so a later release can
/// raise the default without losing old repositories. Anything below <see cref="Minimum"/> is refused when wrapping
/// and when unlocking, so an altered descriptor cannot talk the module into cheap guesses; anything above the
/// maximums is refused too, so it cannot make an unlock eat the machine's memory.
/// </summary>
public sealed record KdfParameters(string Algorithm, int MemoryKiB, int Iterations, int Parallelism)
{
    public const string Argon2id = "Argon2id";

    /// <summary>RFC 9106's second recommendation (64 MiB, 3 passes) on one lane: about 100 MiB and a second or two here.</summary>
    public static KdfParameters Default { get; } = new(Argon2id, 64 * 1024, 3, 1);

    /// <summary>OWASP's floor for Argon2id: 19 MiB and 2 passes.</summary>
    public static KdfParameters Minimum { get; } = new(Argon2id, 19 * 1024, 2, 1);

    public const int MaximumMemoryKiB = 1024 * 1024;
    public const int MaximumIterations = 16;
    public const int MaximumParallelism = 16;

    /// <summary>What is wrong with these parameters, or null when they are within the limits.</summary>
    public string? Problem()
    {
        if (Algorithm != Argon2id)
        {
            return $"the key derivation '{Algorithm}' is not {Argon2id}";
        }

        if (MemoryKiB < Minimum.MemoryKiB || MemoryKiB > MaximumMemoryKiB)
        {
            return $"the Argon2id memory ({MemoryKiB} KiB) is outside {Minimum.MemoryKiB}–{MaximumMemoryKiB} KiB";
        }

        if (Iterations < Minimum.Iterations || Iterations > MaximumIterations)
        {
            return $"the Argon2id pass count ({Iterations}) is outside {Minimum.Iterations}–{MaximumIterations}";
        }

        if (Parallelism < Minimum.Parallelism || Parallelism > MaximumParallelism)
        {
            return $"the Argon2id lane count ({Parallelism}) is outside {Minimum.Parallelism}–{MaximumParallelism}";
        }

        return null;
    }

    /// <summary>The form bound into the wrapped key's authentication, so no parameter can be changed unnoticed.</summary>
    internal string Canonical() => $"{Algorithm} m={MemoryKiB} t={Iterations} p={Parallelism}";

    internal void EnsureUsable(string location)
    {
        if (Problem() is { } problem)
        {
            throw new HotmessException("RepositoryDescriptorInvalid", FailureKind.InvalidData,
                $"The key parameters of the repository '{location}' are refused: {problem}.", location);
        }
    }
}
