using Akka.Actor;
using Gateway.Contracts.Messages;
using Xunit;

namespace Gateway.Contracts.Tests;

/// <summary>
/// Two actor systems talking over real Akka.Remote (TCP on loopback), as two nodes do: the messages
/// cross with the gateway serializer and an actor ref inside one can be used on the other side.
/// </summary>
public sealed class AcrossActorSystemsTests() : Akka.TestKit.Xunit2.TestKit(RemoteSystemConfig.Create(), "gateway"), IAsyncLifetime
{
    private ActorSystem _other = null!;
    private Address _otherAddress = null!;

    public Task InitializeAsync()
    {
        _other = ActorSystem.Create("gateway", RemoteSystemConfig.Create());
        _otherAddress = ((ExtendedActorSystem)_other).Provider.DefaultAddress;
        _other.ActorOf(Props.Create(() => new RemoteRouteStandIn()), "route");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _other.Terminate();

    [Fact]
    public void A_registration_crosses_and_its_session_ref_reaches_back()
    {
        var endpoint = GatewayMessageSamples.Endpoint();

        Sys.ActorSelection($"{_otherAddress}/user/route").Tell(new RegisterEndpoint("orders-api", endpoint, TestActor));

        // The other system answers through the session ref it received, not through Sender.
        var update = ExpectMsg<RouteEndpointsUpdated>(TimeSpan.FromSeconds(10));
        Assert.Equal("orders-api", update.RouteId);
        StructuralAssert.Equal(new[] { endpoint }, update.Endpoints.ToArray());
        Assert.Equal(_otherAddress, LastSender.Path.Address);
    }

    [Fact]
    public async Task A_relay_ticket_is_asked_for_and_answered_across_systems()
    {
        var request = new RelayTicketRequest("orders-api", "ssh-1/orders-api", "http://localhost:8080/", "198.51.100.7:40112");

        var reply = await Sys.ActorSelection($"{_otherAddress}/user/route").Ask<RelayTicketReply>(request, TimeSpan.FromSeconds(10));

        Assert.Equal(new RelayTicketReply("token-for-ssh-1/orders-api", null), reply);
    }

    /// <summary>Answers as the real actors would, with messages of the same types.</summary>
    private sealed class RemoteRouteStandIn : ReceiveActor
    {
        public RemoteRouteStandIn()
        {
            Receive<RegisterEndpoint>(m => m.Session.Tell(new RouteEndpointsUpdated(m.RouteId, "incarnation", 1, [m.Endpoint])));
            Receive<RelayTicketRequest>(m => Sender.Tell(new RelayTicketReply($"token-for-{m.EndpointId}", null)));
        }
    }
}
