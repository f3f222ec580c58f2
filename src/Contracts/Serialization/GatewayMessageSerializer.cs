using System.Runtime.Serialization;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;

namespace Gateway.Contracts.Serialization;

/// <summary>
/// The serializer bound to every <see cref="Messages.IGatewayMessage"/>: System.Text.Json over the
/// message's own properties, the type named only by its manifest from
/// <see cref="GatewayMessageManifests"/>. No type names travel in the payload, so a peer can never
/// make this node instantiate a type that is not on the allow-list.
/// </summary>
public sealed class GatewayMessageSerializer : SerializerWithStringManifest
{
    private readonly JsonSerializerOptions _options;

    public GatewayMessageSerializer(ExtendedActorSystem system) : base(system)
    {
        _options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            // A missing or null non-nullable field is a broken peer: refuse it rather than build a half message.
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
        };
        _options.MakeReadOnly(populateMissingResolver: true);
    }

    public override string Manifest(object o)
        => GatewayMessageManifests.TryGetManifest(o.GetType(), out var manifest)
            ? manifest
            : throw NotListed(o.GetType());

    public override byte[] ToBinary(object obj)
    {
        if (!GatewayMessageManifests.TryGetManifest(obj.GetType(), out _))
            throw NotListed(obj.GetType());
        return JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), _options);
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!GatewayMessageManifests.TryGetType(manifest, out var type))
            throw new SerializationException(
                $"Unknown gateway message manifest '{manifest}': this node does not know that message (a newer peer?). Known: {string.Join(", ", GatewayMessageManifests.Types.Select(t => GatewayMessageManifests.TryGetManifest(t, out var m) ? m : "").Order(StringComparer.Ordinal))}.");
        try
        {
            return JsonSerializer.Deserialize(bytes, type, _options)
                ?? throw new SerializationException($"Gateway message '{manifest}' was JSON null.");
        }
        catch (JsonException ex)
        {
            throw new SerializationException($"Gateway message '{manifest}' is malformed: {ex.Message}", ex);
        }
    }

    private static SerializationException NotListed(Type type) => new(
        $"{type.FullName} implements IGatewayMessage but has no manifest: add it to {nameof(GatewayMessageManifests)} before sending it between nodes.");
}
