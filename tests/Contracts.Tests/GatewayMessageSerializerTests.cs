using System.Runtime.Serialization;
using System.Text;
using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Serialization;
using Gateway.Contracts.Messages;
using Gateway.Contracts.Serialization;
using Gateway.Contracts.Tunnels;
using Xunit;

namespace Gateway.Contracts.Tests;

public sealed class GatewayMessageSerializerTests() : Akka.TestKit.Xunit2.TestKit(RemoteSystemConfig.Create(), "gateway")
{
    /// <summary>Every message type in Contracts, found by reflection: a new one cannot slip past the allow-list.</summary>
    private static IEnumerable<Type> FindMessageTypes() => typeof(IGatewayMessage).Assembly.GetTypes()
        .Where(t => typeof(IGatewayMessage).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false })
        .OrderBy(t => t.FullName, StringComparer.Ordinal);

    public static TheoryData<Type> MessageTypes() => new(FindMessageTypes());

    [Fact]
    public void Reflection_finds_the_messages_that_cross_nodes()
    {
        var found = FindMessageTypes().ToHashSet();
        Assert.Contains(typeof(NodeEndpointsDelta), found);
        Assert.Contains(typeof(RelayTicketReply), found);
        Assert.Equal(found.OrderBy(t => t.Name), GatewayMessageManifests.Types.OrderBy(t => t.Name));
    }

    [Theory]
    [MemberData(nameof(MessageTypes))]
    public void Each_message_has_a_manifest_and_round_trips_through_the_serializer_Akka_binds_to_it(Type type)
    {
        Assert.True(GatewayMessageManifests.TryGetManifest(type, out var manifest), $"{type.Name} has no manifest in GatewayMessageManifests");
        Assert.True(GatewayMessageSamples.All().TryGetValue(type, out var message), $"{type.Name} has no sample in GatewayMessageSamples");
        StructuralAssert.FullyPopulated(message!);

        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<GatewayMessageSerializer>(serializer);
        Assert.Equal(GatewaySerialization.SerializerId, serializer.Identifier);
        Assert.Equal(manifest, ((SerializerWithStringManifest)serializer).Manifest(message!));

        var bytes = serializer.ToBinary(message);
        var back = Sys.Serialization.Deserialize(bytes, serializer.Identifier, manifest);

        StructuralAssert.Equal(message, back);
    }

    [Fact]
    public void The_payload_names_no_type()
    {
        foreach (var message in GatewayMessageSamples.All().Values)
        {
            var json = Encoding.UTF8.GetString(Sys.Serialization.FindSerializerFor(message).ToBinary(message));
            Assert.DoesNotContain("$type", json);
            Assert.DoesNotContain("Gateway.Contracts", json);
        }
    }

    [Fact]
    public void Manifests_are_short_distinct_and_versioned()
    {
        var manifests = GatewayMessageManifests.Types.Select(t => GatewayMessageManifests.TryGetManifest(t, out var m) ? m : "").ToList();
        Assert.Equal(manifests.Count, manifests.Distinct(StringComparer.Ordinal).Count());
        Assert.All(manifests, m => Assert.Matches(new Regex(@"^[a-z]+(\.[a-z-]+)+\.v[0-9]+$"), m));
        Assert.All(manifests, m => Assert.True(m.Length <= 32, $"{m} is longer than 32 characters"));
    }

    [Fact]
    public void An_unknown_manifest_is_refused_with_a_clear_error()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerForType(typeof(NodeEndpointsDelta));

        var error = Assert.Throws<SerializationException>(() => serializer.FromBinary("{}"u8.ToArray(), "endpoints.delta.v9"));

        Assert.Contains("Unknown gateway message manifest 'endpoints.delta.v9'", error.Message);
        Assert.Contains("endpoints.delta.v1", error.Message);
    }

    [Fact]
    public void A_message_not_on_the_allow_list_is_bound_to_the_serializer_and_refused()
    {
        var message = new NotListed("x");
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<GatewayMessageSerializer>(serializer);

        var error = Assert.Throws<SerializationException>(() => serializer.ToBinary(message));
        Assert.Contains(typeof(NotListed).FullName!, error.Message);
        Assert.Throws<SerializationException>(() => serializer.Manifest(message));
    }

    [Fact]
    public void A_message_missing_a_required_field_is_refused()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerForType(typeof(NodeEndpointsSnapshotRequest));

        var missing = Assert.Throws<SerializationException>(() => serializer.FromBinary("{}"u8.ToArray(), "endpoints.snapshot-request.v1"));
        var nulled = Assert.Throws<SerializationException>(() => serializer.FromBinary("""{"nodeAddress":null}"""u8.ToArray(), "endpoints.snapshot-request.v1"));

        Assert.Contains("endpoints.snapshot-request.v1", missing.Message);
        Assert.Contains("endpoints.snapshot-request.v1", nulled.Message);
    }

    [Fact]
    public void An_optional_field_may_be_absent()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerForType(typeof(RelayTicketRequest));

        var request = (RelayTicketRequest)serializer.FromBinary(
            """{"routeId":"orders-api","endpointId":"ssh-1/orders-api","upstream":"http://localhost:8080/","downstream":null}"""u8.ToArray(), "relay.ticket-request.v1");
        var reply = (RelayTicketReply)serializer.FromBinary("""{"token":null,"error":"no"}"""u8.ToArray(), "relay.ticket-reply.v1");

        Assert.Null(request.Downstream);
        Assert.Equal("ssh-1/orders-api", request.EndpointId);
        Assert.False(reply.EndpointGone);
    }

    [Fact]
    public void A_field_an_older_peer_still_sends_is_ignored()
    {
        // Before the endpoint directory, a ticket request carried the requester's copy of the endpoint.
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerForType(typeof(RelayTicketRequest));

        var request = (RelayTicketRequest)serializer.FromBinary(
            """{"routeId":"orders-api","endpointId":"ssh-1/orders-api","upstream":"http://localhost:8080/","downstream":null,"endpoint":{"endpointId":"forged"}}"""u8.ToArray(), "relay.ticket-request.v1");

        Assert.Equal("ssh-1/orders-api", request.EndpointId);
    }

    [Fact]
    public void An_endpoint_carries_its_health_and_one_from_a_peer_without_health_reads_as_unknown()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerForType(typeof(NodeEndpointsDelta));
        var changed = DateTimeOffset.Parse("2026-12-03T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var healthy = GatewayMessageSamples.Endpoint() with { Health = EndpointHealth.Degraded, HealthChangedAt = changed };
        var delta = new NodeEndpointsDelta("akka.tcp://gateway@10.0.0.1:4053", "i1", 1, [healthy], [], []);

        var back = (NodeEndpointsDelta)serializer.FromBinary(serializer.ToBinary(delta), serializer.Manifest(delta));
        Assert.Equal(EndpointHealth.Degraded, back.Added[0].Health);
        Assert.Equal(changed, back.Added[0].HealthChangedAt);

        var json = System.Text.Encoding.UTF8.GetString(serializer.ToBinary(delta with { Added = [GatewayMessageSamples.Endpoint()] }));
        var older = System.Text.RegularExpressions.Regex.Replace(json, @",""health"":[^,}]*,""healthChangedAt"":null", "");
        Assert.DoesNotContain("health", older, StringComparison.Ordinal);
        var read = (NodeEndpointsDelta)serializer.FromBinary(System.Text.Encoding.UTF8.GetBytes(older), serializer.Manifest(delta));
        Assert.Equal(EndpointHealth.Unknown, read.Added[0].Health);
        Assert.Null(read.Added[0].HealthChangedAt);
    }

    [Fact]
    public void A_ticket_request_from_an_earlier_version_with_its_endpoint_copy_is_read_without_it()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerForType(typeof(RelayTicketRequest));

        var request = (RelayTicketRequest)serializer.FromBinary(
            """{"routeId":"orders-api","endpointId":"ssh-1/orders-api","upstream":"http://localhost:8080/","downstream":"198.51.100.7:40112","endpoint":{"endpointId":"ssh-1/orders-api","isDynamic":false}}"""u8.ToArray(),
            "relay.ticket-request.v1");

        Assert.Equal(new RelayTicketRequest("orders-api", "ssh-1/orders-api", "http://localhost:8080/", "198.51.100.7:40112"), request);
    }

    private sealed record NotListed(string Value) : IGatewayMessage;
}
