using System.Collections.Frozen;
using Gateway.Contracts.Messages;

namespace Gateway.Contracts.Serialization;

/// <summary>
/// The allow-list of messages that may cross a node boundary, each with the manifest that names it
/// on the wire. A manifest never changes meaning: a message whose JSON shape changes
/// incompatibly gets a new manifest (<c>.v2</c>) and both are listed while a rolling upgrade may mix them.
/// </summary>
public static class GatewayMessageManifests
{
    private static readonly FrozenDictionary<Type, string> ByType = new Dictionary<Type, string>
    {
        [typeof(NodeEndpointsDelta)] = "endpoints.delta.v1",
        [typeof(NodeEndpointsDigest)] = "endpoints.digest.v1",
        [typeof(NodeEndpointsSnapshotRequest)] = "endpoints.snapshot-request.v1",
        [typeof(NodeEndpointsSnapshot)] = "endpoints.snapshot.v1",
        [typeof(RelayTicketRequest)] = "relay.ticket-request.v1",
        [typeof(RelayTicketReply)] = "relay.ticket-reply.v1",
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<string, Type> ByManifest =
        ByType.ToFrozenDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);

    public static IReadOnlyCollection<Type> Types => ByType.Keys;

    public static bool TryGetManifest(Type type, out string manifest)
    {
        if (ByType.TryGetValue(type, out var found)) { manifest = found; return true; }
        manifest = "";
        return false;
    }

    public static bool TryGetType(string manifest, out Type type)
    {
        if (ByManifest.TryGetValue(manifest, out var found)) { type = found; return true; }
        type = typeof(void);
        return false;
    }
}
