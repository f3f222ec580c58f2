using System.Collections.Immutable;
using Akka.DistributedData;

namespace Gateway.Actors.SignIn;

/// <summary>
/// This node's copy of one kind of sign-in record (sessions, bindings, ...), spread over
/// <see cref="BucketCount"/> Distributed Data keys by a stable hash of the record's id. Each key
/// is an <c>LWWDictionary&lt;string, string&gt;</c> of id to the record's text; the copy keeps the
/// decoded records per bucket in immutable dictionaries that are swapped whole, so readers on any
/// thread never lock or wait. Written only by <see cref="SignInReplicaActor"/>.
/// </summary>
/// <remarks>
/// Buckets, not one key per kind: Distributed Data gossips a key's whole value when two replicas
/// differ (a node that joins, one that missed deltas), and Akka.Remote drops a message larger
/// than its frame (128,000 bytes by default). Small keys keep each such message small.
/// </remarks>
public sealed class ReplicatedKind<T> : IReplicatedKind where T : class
{
    private readonly Func<string, T> _decode;
    private readonly ImmutableDictionary<string, Entry>[] _buckets;

    public ReplicatedKind(string name, int bucketCount, Func<string, T> decode)
    {
        Name = name;
        _decode = decode;
        Keys = Enumerable.Range(0, bucketCount)
            .Select(i => new LWWDictionaryKey<string, string>(bucketCount == 1 ? $"signin-{name}" : $"signin-{name}-{i}"))
            .ToImmutableArray();
        _buckets = Enumerable.Repeat(ImmutableDictionary<string, Entry>.Empty, bucketCount).ToArray();
    }

    public string Name { get; }

    public int BucketCount => Keys.Length;

    public ImmutableArray<LWWDictionaryKey<string, string>> Keys { get; }

    IReadOnlyList<LWWDictionaryKey<string, string>> IReplicatedKind.Keys => Keys;

    public LWWDictionaryKey<string, string> KeyOf(string id) => Keys[BucketOf(id)];

    public T? Find(string id)
        => Volatile.Read(ref _buckets[BucketOf(id)]).TryGetValue(id, out var entry) ? entry.Value : null;

    public IEnumerable<T> All()
    {
        for (var i = 0; i < _buckets.Length; i++)
            foreach (var entry in Volatile.Read(ref _buckets[i]).Values)
                yield return entry.Value;
    }

    public ImmutableDictionary<string, string> AllText()
    {
        var all = ImmutableDictionary.CreateBuilder<string, string>();
        for (var i = 0; i < _buckets.Length; i++)
            foreach (var (id, entry) in Volatile.Read(ref _buckets[i]))
                all[id] = entry.Text;
        return all.ToImmutable();
    }

    /// <summary>Replaces one bucket with the replicator's value for it; records whose text did not change are not decoded again.</summary>
    public bool ReplaceBucket(int bucket, IEnumerable<KeyValuePair<string, string>> replicated)
    {
        var old = _buckets[bucket];
        var next = ImmutableDictionary.CreateBuilder<string, Entry>();
        foreach (var (id, text) in replicated)
            next[id] = old.TryGetValue(id, out var same) && same.Text == text ? same : Decode(text);
        var built = next.ToImmutable();
        if (built.Count == old.Count && built.All(e => old.TryGetValue(e.Key, out var o) && ReferenceEquals(o, e.Value)))
            return false;
        Volatile.Write(ref _buckets[bucket], built);
        return true;
    }

    /// <summary>A write made on this node, visible here before the replicator confirms it.</summary>
    public void SetLocal(string id, string? text)
    {
        var bucket = BucketOf(id);
        var old = _buckets[bucket];
        Volatile.Write(ref _buckets[bucket], text is null ? old.Remove(id) : old.SetItem(id, Decode(text)));
    }

    public int BucketOf(string id) => BucketCount == 1 ? 0 : (int)(StableHash(id) % (uint)BucketCount);

    /// <summary>The bucket of one of this kind's keys, or -1 for a key of another kind.</summary>
    public int BucketOf(IKey key)
    {
        for (var i = 0; i < Keys.Length; i++)
            if (Keys[i].Id == key.Id) return i;
        return -1;
    }

    private Entry Decode(string text) => new(text, _decode(text));

    /// <summary>FNV-1a: the same bucket on every node (string.GetHashCode differs per process).</summary>
    private static uint StableHash(string id)
    {
        var hash = 2166136261u;
        foreach (var c in id)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return hash;
    }

    private sealed record Entry(string Text, T Value);
}

/// <summary>What <see cref="SignInReplicaActor"/> needs of a kind, whatever its record type.</summary>
public interface IReplicatedKind
{
    string Name { get; }
    IReadOnlyList<LWWDictionaryKey<string, string>> Keys { get; }
    LWWDictionaryKey<string, string> KeyOf(string id);
    int BucketOf(IKey key);
    bool ReplaceBucket(int bucket, IEnumerable<KeyValuePair<string, string>> replicated);
    void SetLocal(string id, string? text);
}
