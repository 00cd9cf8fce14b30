using System.Collections.Concurrent;

namespace Hotmess.Recovery.Fakes;

/// <summary>
/// Service-role keys of projects created through the Management fake, which the project-side fakes (Storage) accept
/// beside <c>--service-key</c>, as a new project's own gateway would. Filled on creation, emptied on reset.
/// </summary>
public sealed class AcceptedProjectKeys
{
    private readonly ConcurrentDictionary<string, byte> _keys = new(StringComparer.Ordinal);

    public void Add(string key) => _keys[key] = 0;

    public bool Contains(string key) => _keys.ContainsKey(key);

    public void Clear() => _keys.Clear();
}
