using System.Collections.Immutable;
using Akka.Actor;
using Gateway.Contracts.Messages;
using Gateway.Contracts.Tunnels;

namespace Gateway.Contracts.Tests;

/// <summary>
/// One instance of every cross-node message with every property set (no nulls, no defaults), so a
/// round trip that drops or garbles any field shows.
/// </summary>
internal static class GatewayMessageSamples
{
    public static TunnelEndpoint Endpoint(int n = 1, string routeId = "orders-api") => new(
        EndpointId: TunnelEndpoint.MakeId($"ssh-{n}-1f2e3d4c", routeId),
        RouteId: routeId,
        NodeAddress: "akka.tcp://gateway@10.20.30.40:4053",
        SessionId: $"ssh-{n}-1f2e3d4c",
        Owner: "alice@example.com",
        ClientAddress: "203.0.113.45:51234",
        IsDynamic: true,
        ConnectedAddress: "localhost",
        ConnectedPort: 8080 + (uint)n,
        RegisteredAt: new DateTimeOffset(2026, 12, 2, 14, 43, 0, 815, TimeSpan.FromHours(1)).AddTicks(n));

    public static IReadOnlyDictionary<Type, IGatewayMessage> All() => new IGatewayMessage[]
    {
        new NodeEndpointsDelta(Node, Incarnation, 42, [Endpoint(1), Endpoint(2)], [Endpoint(3).EndpointId], [Endpoint(4).SessionId]),
        new NodeEndpointsDigest(Node, Incarnation, 42, 17),
        new NodeEndpointsSnapshotRequest("akka.tcp://gateway@10.20.30.41:4053"),
        new NodeEndpointsSnapshot(Node, Incarnation, 42, 2, 3, [Endpoint(1), Endpoint(2)]),
        new RelayTicketRequest("orders-api", Endpoint().EndpointId, "http://localhost:8080/", "198.51.100.7:40112", "/orders/42"),
        new RelayTicketReply("0123456789abcdef0123456789abcdef", "this node is draining", EndpointGone: true),
    }.ToDictionary(m => m.GetType());

    private const string Node = "akka.tcp://gateway@10.20.30.40:4053";
    private const string Incarnation = "5b1e0c4f9a7d4e21b8c3f6a2d9e0b7c1";

    /// <summary>A snapshot part as large as the directory sends (and, with more endpoints, one it never sends).</summary>
    public static NodeEndpointsSnapshot SnapshotPart(int endpoints) => new(
        Node, Incarnation, long.MaxValue, int.MaxValue, int.MaxValue,
        [.. Enumerable.Range(1, endpoints).Select(n => Endpoint(100_000 + n))]);

    /// <summary>A delta as large as the directory sends: full of additions.</summary>
    public static NodeEndpointsDelta FullDelta(int endpoints) => new(
        Node, Incarnation, long.MaxValue,
        [.. Enumerable.Range(1, endpoints).Select(n => Endpoint(100_000 + n))], [], []);
}
