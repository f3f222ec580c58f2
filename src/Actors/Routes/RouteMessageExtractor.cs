using Akka.Cluster.Sharding;
using Gateway.Contracts.Messages;

namespace Gateway.Actors.Routes;

/// <summary>
/// Shards route actors by route id with a stable hash (MurmurHash in <see cref="HashCodeMessageExtractor"/>,
/// identical on every node) over a fixed shard count that must never change in a cluster's life.
/// </summary>
public sealed class RouteMessageExtractor : HashCodeMessageExtractor
{
    public const int ShardCount = 64;

    public RouteMessageExtractor() : base(ShardCount) { }

    public override string? EntityId(object message) => message switch
    {
        IRouteMessage m => m.RouteId,
        _ => null,
    };
}
