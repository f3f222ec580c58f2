using Akka.Actor;
using Gateway.Contracts.Messages;
using Xunit;

namespace Gateway.Contracts.Tests;

/// <summary>
/// Two actor systems talking over real Akka.Remote (TCP on loopback), as two nodes do: the messages
/// cross with the gateway serializer and the answer's sender is the remote actor.
/// </summary>
public sealed class AcrossActorSystemsTests() : Akka.TestKit.Xunit2.TestKit(RemoteSystemConfig.Create(), "gateway"), IAsyncLifetime
{
    private ActorSystem _other = null!;
    private Address _otherAddress = null!;

    public Task InitializeAsync()
    {
        _other = ActorSystem.Create("gateway", RemoteSystemConfig.Create());
        _otherAddress = ((ExtendedActorSystem)_other).Provider.DefaultAddress;
        _other.ActorOf(Props.Create(() => new RemoteStandIn()), "directory");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _other.Terminate();

    [Fact]
    public void A_snapshot_request_crosses_and_its_parts_come_back_from_the_owner()
    {
        Sys.ActorSelection($"{_otherAddress}/user/directory").Tell(new NodeEndpointsSnapshotRequest("requester"));

        var part = ExpectMsg<NodeEndpointsSnapshot>(TimeSpan.FromSeconds(10));
        StructuralAssert.Equal(new[] { GatewayMessageSamples.Endpoint() }, part.Endpoints.ToArray());
        // Replicas accept a node's endpoints only from that node: the sender's address must survive the trip.
        Assert.Equal(_otherAddress, LastSender.Path.Address);
    }

    [Fact]
    public async Task A_relay_ticket_is_asked_for_and_answered_across_systems()
    {
        var request = new RelayTicketRequest("orders-api", "ssh-1/orders-api", "http://localhost:8080/", "198.51.100.7:40112");

        var reply = await Sys.ActorSelection($"{_otherAddress}/user/directory").Ask<RelayTicketReply>(request, TimeSpan.FromSeconds(10));

        Assert.Equal(new RelayTicketReply("token-for-ssh-1/orders-api", null), reply);
    }

    /// <summary>Answers as the real actors would, with messages of the same types.</summary>
    private sealed class RemoteStandIn : ReceiveActor
    {
        public RemoteStandIn()
        {
            Receive<NodeEndpointsSnapshotRequest>(_ => Sender.Tell(new NodeEndpointsSnapshot("node", "incarnation", 1, 1, 1, [GatewayMessageSamples.Endpoint()])));
            Receive<RelayTicketRequest>(m => Sender.Tell(new RelayTicketReply($"token-for-{m.EndpointId}", null)));
        }
    }
}
