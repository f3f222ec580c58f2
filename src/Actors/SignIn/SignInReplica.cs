using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.DistributedData;
using Gateway.Contracts.SignIn;

namespace Gateway.Actors.SignIn;

/// <summary>
/// This node's replica of the cluster's sign-in state, one <see cref="ReplicatedKind{T}"/> per
/// record kind. Read by <see cref="ClusterSignInStore"/> on any thread; written only by
/// <see cref="SignInReplicaActor"/>.
/// </summary>
/// <remarks>
/// Records are replicated as JSON text (System.Text.Json) inside <c>LWWDictionary&lt;string, string&gt;</c>:
/// Distributed Data serializes string values with Akka's built-in string serializer, so the
/// records need no serializer binding of their own and never fall back to Akka's Newtonsoft
/// default for unknown types.
/// </remarks>
public sealed class SignInReplica
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public ReplicatedKind<SignInSession> Sessions { get; } = new("sessions", 32, Decode<SignInSession>);

    public ReplicatedKind<SessionBinding> Bindings { get; } = new("bindings", 32, Decode<SessionBinding>);

    public ReplicatedKind<SignInCode> Codes { get; } = new("codes", 16, Decode<SignInCode>);

    /// <summary>Data Protection keys: XML text as given (already encrypted by the node's key encryptor).</summary>
    public ReplicatedKind<string> DataProtectionKeys { get; } = new("dataprotection-keys", 1, text => text);

    public ReplicatedKind<string> AssertionKeys { get; } = new("assertion-keys", 1, text => text);

    public IEnumerable<IReplicatedKind> Kinds =>
        [Sessions, Bindings, Codes, DataProtectionKeys, AssertionKeys];

    public IEnumerable<LWWDictionaryKey<string, string>> AllKeys => Kinds.SelectMany(k => k.Keys);

    /// <summary>Raised after the replica changed (a local write or a replicated change).</summary>
    public event Action? Changed;

    public static string Encode<T>(T record) => JsonSerializer.Serialize(record, Json);

    /// <summary>Applies the replicator's value for one key; false when the key is not a sign-in key.</summary>
    public bool Replace(IKey key, IEnumerable<KeyValuePair<string, string>> replicated)
    {
        foreach (var kind in Kinds)
        {
            var bucket = kind.BucketOf(key);
            if (bucket < 0) continue;
            if (kind.ReplaceBucket(bucket, replicated)) Changed?.Invoke();
            return true;
        }
        return false;
    }

    /// <summary>Writes made on this node, visible here at once; raises the events once.</summary>
    public void ApplyLocal(IReadOnlyCollection<SignInChange> changes)
    {
        if (changes.Count == 0) return;
        foreach (var change in changes) KindOf(change.Kind).SetLocal(change.Id, change.Text);
        Changed?.Invoke();
    }

    public IReplicatedKind KindOf(SignInRecordKind kind) => kind switch
    {
        SignInRecordKind.Session => Sessions,
        SignInRecordKind.Binding => Bindings,
        SignInRecordKind.Code => Codes,
        SignInRecordKind.DataProtectionKey => DataProtectionKeys,
        SignInRecordKind.AssertionKey => AssertionKeys,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static T Decode<T>(string text)
        => JsonSerializer.Deserialize<T>(text, Json) ?? throw new JsonException($"empty {typeof(T).Name}");
}

public enum SignInRecordKind
{
    Session,
    Binding,
    Code,
    DataProtectionKey,
    AssertionKey,
}

/// <summary>One record written (<paramref name="Text"/> set) or removed (null).</summary>
public sealed record SignInChange(SignInRecordKind Kind, string Id, string? Text);
