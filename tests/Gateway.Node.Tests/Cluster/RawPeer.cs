using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using Gateway.Contracts.Serialization;

namespace Gateway.Node.Tests.Cluster;

/// <summary>
/// A message whose JSON the test writes itself, sent under a real manifest: what a peer of another
/// version, or a member that forges its messages, puts on the wire.
/// </summary>
public sealed record RawGatewayMessage(string Manifest, string Json);

/// <summary>
/// An actor system on loopback that talks to a node over Akka.Remote without joining its cluster,
/// using the gateway's serializer id: <see cref="RawGatewayMessage"/> goes out as written, and the
/// node's answers are read with the gateway's own serializer.
/// </summary>
public sealed class RawPeer : IAsyncDisposable
{
    private RawPeer(ActorSystem system) => System = system;

    public ActorSystem System { get; }

    public static RawPeer Start() => new(ActorSystem.Create("gateway", ConfigurationFactory.ParseString($$"""
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        akka.loglevel = WARNING
        akka.actor {
          serializers.raw = "{{typeof(RawSerializer).AssemblyQualifiedName}}"
          serialization-bindings {
            "{{typeof(RawGatewayMessage).AssemblyQualifiedName}}" = raw
            "Gateway.Contracts.Messages.IGatewayMessage, Gateway.Contracts" = raw
          }
          serialization-identifiers { "{{typeof(RawSerializer).AssemblyQualifiedName}}" = {{GatewaySerialization.SerializerId}} }
        }
        """)));

    public async ValueTask DisposeAsync() => await System.Terminate();

    /// <summary>Writes raw messages as given; everything else (the node's replies) as the gateway does.</summary>
    public sealed class RawSerializer : SerializerWithStringManifest
    {
        private readonly GatewayMessageSerializer _gateway;

        public RawSerializer(ExtendedActorSystem system) : base(system) => _gateway = new GatewayMessageSerializer(system);

        public override int Identifier => GatewaySerialization.SerializerId;

        public override string Manifest(object o) => o is RawGatewayMessage raw ? raw.Manifest : _gateway.Manifest(o);

        public override byte[] ToBinary(object obj) => obj is RawGatewayMessage raw ? global::System.Text.Encoding.UTF8.GetBytes(raw.Json) : _gateway.ToBinary(obj);

        public override object FromBinary(byte[] bytes, string manifest) => _gateway.FromBinary(bytes, manifest);
    }
}
