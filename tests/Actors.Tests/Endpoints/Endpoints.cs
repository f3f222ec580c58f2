using Gateway.Contracts.Tunnels;

namespace Gateway.Actors.Tests.Endpoints;

/// <summary>Endpoints for the directory's tests: session s on node n serving route r.</summary>
internal static class Endpoints
{
    public const string NodeA = "akka.tcp://gateway@127.0.0.1:4001";
    public const string NodeB = "akka.tcp://gateway@127.0.0.1:4002";

    public static TunnelEndpoint Of(string session, string route = "demo", string node = NodeA, uint port = 443) => new(
        TunnelEndpoint.MakeId(session, route), route, node, session, "alice@example.com", "127.0.0.1:50000",
        IsDynamic: false, "demo.example.com", port, new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero));
}
