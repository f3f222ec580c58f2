using Gateway.Node.Tests.Http.Grpc;
using Gateway.Node.Tests.Http.Support;
using Gateway.Testing;
using Grpc.Net.Client;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// gRPC over an <c>h2c://</c> upstream through a dynamic tunnel (<c>ssh -N -R 0</c>): a real
/// Kestrel gRPC server only the ssh client reaches, Grpc.Net.Client over HTTPS to the node.
/// </summary>
public sealed class GrpcOverDynamicTunnelTests : IAsyncLifetime
{
    private const string Host = "grpc.example.com";
    private readonly TempDirectory _dir = new();
    private UpstreamServer _upstream = null!;
    private TunnelScenario _scenario = null!;

    public async Task InitializeAsync()
    {
        _upstream = await UpstreamServer.StartAsync("grpc-laptop", UpstreamMode.H2c);
        _scenario = await TunnelScenario.StartAsync(_dir, new ScenarioRoute(Host, $"h2c://127.0.0.1:{_upstream.EndPoint.Port}"));
    }

    public async Task DisposeAsync()
    {
        await _scenario.DisposeAsync();
        await _upstream.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Unary_calls_reach_an_h2c_grpc_server_behind_ssh_R_0()
    {
        await _scenario.ConnectAsync("alice", Host);
        var trust = new NodeTrust(_scenario.Node);
        using var channel = GrpcChannel.ForAddress(trust.Url("https", Host), new GrpcChannelOptions { HttpHandler = trust.CreateHandler() });
        var client = new Echo.EchoClient(channel);

        for (var i = 0; i < 5; i++)
        {
            var text = $"call {i} " + new string('x', i * 1000);
            var reply = await client.SayAsync(new EchoRequest { Text = text }, deadline: DateTime.UtcNow.AddSeconds(30));
            Assert.Equal("echo: " + text, reply.Text);
            // The upstream spoke HTTP/2 (h2c) and saw the route's Host unchanged.
            Assert.Equal("HTTP/2", reply.Protocol);
            Assert.Equal($"{Host}:{_scenario.Node.HttpsPort}", reply.Authority);
        }

        // A message larger than the SSH channel window and HTTP/2's initial stream window both ways.
        var large = new string('g', 2 * 1024 * 1024);
        var big = await client.SayAsync(new EchoRequest { Text = large }, deadline: DateTime.UtcNow.AddSeconds(60));
        Assert.Equal("echo: " + large, big.Text);

        Assert.True(trust.Validations >= 1, "the node's certificate was checked against its CA");
        // gRPC multiplexes every call over one HTTP/2 connection to the node.
        Assert.Equal(1, trust.Connections);
    }
}
