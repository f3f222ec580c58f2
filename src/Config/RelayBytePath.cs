namespace Gateway.Config;

/// <summary><c>cluster.relay_byte_path</c>: how the node holding a tunnel moves a relayed connection's bytes.</summary>
public enum RelayBytePath
{
    /// <summary>
    /// <c>"streams"</c> (the default): an Akka.Streams graph per connection, materialized and
    /// supervised by the connection's actor (docs/cluster.md, "The relay's byte path").
    /// </summary>
    Streams,

    /// <summary><c>"splice"</c>: two socket copy loops per connection, outside the actor system; kept for comparison and as a fallback.</summary>
    Splice,
}
