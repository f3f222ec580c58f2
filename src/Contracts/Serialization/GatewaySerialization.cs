namespace Gateway.Contracts.Serialization;

/// <summary>
/// Binds <see cref="GatewayMessageSerializer"/> to every <see cref="Messages.IGatewayMessage"/>;
/// the node adds <see cref="Hocon"/> to its actor system's configuration.
/// </summary>
public static class GatewaySerialization
{
    public const string SerializerName = "gateway-messages";

    /// <summary>Written into every serialized message's envelope: never reuse it for another format.</summary>
    public const int SerializerId = 471;

    public static readonly string Hocon = $$"""
        akka.actor {
          serializers.{{SerializerName}} = "Gateway.Contracts.Serialization.GatewayMessageSerializer, Gateway.Contracts"
          serialization-bindings {
            "Gateway.Contracts.Messages.IGatewayMessage, Gateway.Contracts" = {{SerializerName}}
          }
          serialization-identifiers {
            "Gateway.Contracts.Serialization.GatewayMessageSerializer, Gateway.Contracts" = {{SerializerId}}
          }
        }
        """;
}
