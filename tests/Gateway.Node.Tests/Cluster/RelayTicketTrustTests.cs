using System.Text.Json;
using Akka.Actor;
using Gateway.Contracts.Messages;
using Gateway.Node.Tests.EndToEnd;
using Gateway.Node.Tests.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.Cluster;

/// <summary>
/// A real node holding a real OpenSSH tunnel (<c>ssh -R 0</c>) that serves one route and is refused
/// by another's <c>ssh_policy</c>; relay ticket requests arrive over Akka.Remote from a process
/// that writes its own messages. The node issues tickets from its own record of the endpoints its
/// sessions serve, never from the copy a request carries.
/// </summary>
[Trait("Category", "Slow")]
public sealed class RelayTicketTrustTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private EchoUpstream _upstream = null!;
    private GatewayNodeProcess _node = null!;
    private ExternalProcess _ssh = null!;
    private RawPeer _peer = null!;

    public async Task InitializeAsync()
    {
        _upstream = await EchoUpstream.StartAsync("laptop-app");
        var alice = await TunnelClient.CreateAsync(_dir, "alice");
        var statusPort = LoopbackPorts.Reserve();
        var clusterPort = LoopbackPorts.Reserve();
        _node = GatewayNodeProcess.Create(_dir, $$"""
            users = [ { email = "alice@example.com", ssh_keys = ["{{alice.PublicKey}}"] } ]
            routes = [
              {
                from = "https://https-public.example.com"
                to = "{{_upstream.Url}}/public"
                allow_public_unauthenticated_access = true
                upstream_tunnel { ssh_policy { allow { or = [{ email { is = "alice@example.com" } }] } } }
              },
              {
                from = "https://https-secret.example.com"
                to = "{{_upstream.Url}}/secret"
                allow_public_unauthenticated_access = true
                upstream_tunnel { ssh_policy { allow { or = [{ email { is = "bob@example.com" } }] } } }
              }
            ]
            {{ClusterHarness.ClusterBlock(clusterPort, clusterPort, statusPort)}}
            """, statusPort: statusPort);
        await _node.StartAsync(Timeout);
        _ssh = alice.Connect(_node, ["-N", "-v", "-R", "0"]);
        _peer = RawPeer.Start();
    }

    public async Task DisposeAsync()
    {
        await _peer.DisposeAsync();
        await _ssh.DisposeAsync();
        await _node.DisposeAsync();
        await _upstream.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_ticket_for_a_route_the_session_does_not_serve_is_refused_whatever_endpoint_copy_the_request_carries()
    {
        var port = await TunnelClient.WaitForForwardAsync(_ssh, Timeout);
        Assert.NotNull(port);
        var (ok, json) = await _node.WaitForStatusAsync(s => s.GetProperty("local_tunnels").GetArrayLength() == 1
            && s.GetProperty("routes").EnumerateArray().Sum(r => r.GetProperty("endpoints").GetArrayLength()) == 1, Timeout);
        Assert.True(ok, json);
        using var doc = JsonDocument.Parse(json);
        var node = doc.RootElement.GetProperty("node").GetString()!;
        var routes = doc.RootElement.GetProperty("routes").EnumerateArray().ToDictionary(r => r.GetProperty("host").GetString()!, r => r);
        var publicRoute = routes["https-public.example.com"].GetProperty("id").GetString()!;
        var secretRoute = routes["https-secret.example.com"].GetProperty("id").GetString()!;
        var session = doc.RootElement.GetProperty("local_tunnels")[0].GetProperty("session").GetString()!;
        Assert.Empty(routes["https-secret.example.com"].GetProperty("endpoints").EnumerateArray());

        // The session's own endpoint: a ticket, even when the copy sent along describes it differently.
        var served = await AskAsync(node, Request(publicRoute, $"{session}/{publicRoute}", $"{_upstream.Url}/public",
            Copy(node, session, publicRoute, isDynamic: false, port.Value)));
        Assert.True(served.Token is not null, $"the served endpoint gets a ticket: {served.Error}");

        // An endpoint the session does not serve (its identity is not admitted to the route), with a
        // copy that matches the session's real forward: no ticket, so no channel for the secret route
        // on alice's connection.
        var forged = await AskAsync(node, Request(secretRoute, $"{session}/{secretRoute}", $"{_upstream.Url}/secret",
            Copy(node, session, secretRoute, isDynamic: true, port.Value)));
        Assert.Null(forged.Token);
        Assert.Contains("is not held by this node", forged.Error, StringComparison.Ordinal);

        // Without a copy at all (the current message), likewise.
        var bare = await AskAsync(node, Request(secretRoute, $"{session}/{secretRoute}", $"{_upstream.Url}/secret", null));
        Assert.Null(bare.Token);
    }

    private async Task<RelayTicketReply> AskAsync(string node, string json)
        => await _peer.System.ActorSelection($"{node}/user/relay")
            .Ask<RelayTicketReply>(new RawGatewayMessage("relay.ticket-request.v1", json), TimeSpan.FromSeconds(15));

    private static string Request(string routeId, string endpointId, string upstream, object? endpoint) => JsonSerializer.Serialize(new
    {
        routeId,
        endpointId,
        upstream = new Uri(upstream).AbsoluteUri,
        downstream = "127.0.0.1:40000",
        endpoint,
    });

    /// <summary>An endpoint as an earlier version's requester sent it along (camelCase, as the serializer writes).</summary>
    private static object Copy(string node, string session, string routeId, bool isDynamic, uint port) => new
    {
        endpointId = $"{session}/{routeId}",
        routeId,
        nodeAddress = node,
        sessionId = session,
        owner = "alice@example.com",
        clientAddress = "127.0.0.1:50000",
        isDynamic,
        connectedAddress = "localhost",
        connectedPort = port,
        registeredAt = DateTimeOffset.UtcNow,
    };
}
