using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;

namespace Gateway.Contracts.Serialization;

/// <summary>
/// Writes an actor reference as its full path with address (so the receiving node can reach it
/// back through remoting) and resolves it through the receiving system's provider.
/// </summary>
internal sealed class ActorRefJsonConverter(ExtendedActorSystem system) : JsonConverter<IActorRef>
{
    public override IActorRef? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var path = reader.GetString();
        return string.IsNullOrEmpty(path) ? ActorRefs.NoSender : system.Provider.ResolveActorRef(path);
    }

    public override void Write(Utf8JsonWriter writer, IActorRef value, JsonSerializerOptions options)
        => writer.WriteStringValue(Akka.Serialization.Serialization.SerializedActorPath(value));
}
