namespace Gateway.Actors.Sessions;

/// <summary>
/// Virtual ports for dynamic forwards, unique per SSH connection, from [32768, 65536). Nothing
/// listens on them: they only name a forward so that the client can match forwarded-tcpip
/// channels to it and cancel it (<c>~C -KR port</c>). Allocation starts at a random slot so
/// numbers do not leak how many forwards a connection has made.
/// </summary>
public sealed class VirtualPortSet
{
    public const int First = 32768;
    public const int Count = 32768;

    private readonly System.Collections.BitArray _used = new(Count);
    private readonly Random _random;

    public VirtualPortSet(Random? random = null) => _random = random ?? Random.Shared;

    public int InUse { get; private set; }

    /// <summary>Allocates a free port, or returns null when all are taken.</summary>
    public uint? Allocate()
    {
        if (InUse >= Count) return null;
        var start = _random.Next(Count);
        var upwardFirst = start % 2 == 0;
        var slot = upwardFirst ? (FindUp(start) ?? FindDown(start)) : (FindDown(start) ?? FindUp(start));
        if (slot is null) return null;
        _used[slot.Value] = true;
        InUse++;
        return (uint)(First + slot.Value);
    }

    public bool Release(uint port)
    {
        var slot = (int)port - First;
        if (slot < 0 || slot >= Count || !_used[slot]) return false;
        _used[slot] = false;
        InUse--;
        return true;
    }

    public static bool IsVirtual(uint port) => port >= First && port < First + Count;

    private int? FindUp(int from)
    {
        for (var i = from; i < Count; i++) if (!_used[i]) return i;
        return null;
    }

    private int? FindDown(int from)
    {
        for (var i = from; i >= 0; i--) if (!_used[i]) return i;
        return null;
    }
}
