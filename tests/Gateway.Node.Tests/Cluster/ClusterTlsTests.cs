using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Gateway.Node.Relay;
using Gateway.Node.Tests.EndToEnd;
using Gateway.Node.Tests.Support;
using Gateway.Testing;
using Member = Gateway.Node.Tests.Cluster.ClusterHarness.Member;

namespace Gateway.Node.Tests.Cluster;

/// <summary>
/// <c>cluster.tls</c> with real node processes on loopback and certificates from the node's own
/// <c>cluster-ca</c> command: the cluster forms over <c>akka.ssl.tcp</c> and a tunnel on one node
/// serves requests arriving on the other through the TLS relay; a certificate from another CA
/// (or none, or plaintext) is refused on the cluster port and on the relay port.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ClusterTlsTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private readonly List<IAsyncDisposable> _owned = [];
    private EchoUpstream _upstream = null!;
    private TunnelClient _alice = null!;
    private ClusterCaFiles _ca = null!;

    public async Task InitializeAsync()
    {
        _upstream = await EchoUpstream.StartAsync("laptop-app");
        _alice = await TunnelClient.CreateAsync(_dir, "alice");
        _ca = await ClusterCaFiles.InitAsync(_dir, "cluster-ca");
    }

    public async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--) await _owned[i].DisposeAsync();
        await _upstream.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<Member> StartNodeAsync(string name, int? seedPort = null)
    {
        var certs = await _ca.IssueAsync(name, "--ip", "127.0.0.1");
        var member = await ClusterHarness.StartNodeAsync(_dir, ClusterHarness.Routes(_alice, _upstream.Url) + "\n" + ClusterCaFiles.TlsBlock(certs), seedPort);
        _owned.Add(member.Node);
        return member;
    }

    private static async Task<int> RelayPortAsync(Member member)
    {
        var (status, body) = await member.GetStatusAsync("/status");
        Assert.Equal(200, status);
        using var doc = JsonDocument.Parse(body);
        var address = doc.RootElement.GetProperty("relay").GetProperty("address").GetString()!;
        return int.Parse(address[(address.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Two_nodes_form_a_tls_cluster_and_a_tunnel_on_B_serves_requests_arriving_on_A_through_the_tls_relay()
    {
        var a = await StartNodeAsync("node-a");
        var b = await StartNodeAsync("node-b", a.ClusterPort);
        foreach (var member in new[] { a, b })
        {
            var (ok, json) = await member.WaitForStatusAsync(s => Member.UpMembers(s) == 2, Timeout);
            Assert.True(ok, $"{member.Node} did not see two members Up: {json}\n{member.Node.Log}");
            Assert.StartsWith("akka.ssl.tcp://gateway@127.0.0.1:", JsonDocument.Parse(json).RootElement.GetProperty("node").GetString());
        }
        Assert.Contains("mutual TLS", a.Node.Log, StringComparison.Ordinal);

        var ssh = _alice.Connect(b.Node, ["-N", "-v", "-R", "0"]);
        _owned.Add(ssh);
        Assert.NotNull(await TunnelClient.WaitForForwardAsync(ssh, Timeout));

        var reply = await ClusterHarness.GetUntilOkAsync(a.Node, "/via-a", Timeout);
        Assert.True(reply.Status == 200, $"{reply.Status} {reply.Body}\n{a.Node.Log}");
        Assert.Equal("laptop-app path=/via-a", reply.Body);

        // 1 MiB up and back: the relay's TLS carries bulk bytes both ways, half-close included.
        var payload = RandomNumberGenerator.GetBytes(1024 * 1024 + 7);
        var payloadPath = Path.Combine(_dir.Path, "payload.bin");
        await File.WriteAllBytesAsync(payloadPath, payload);
        var post = await Curl.GetAsync(a.Node, ClusterHarness.RouteHost, "/echo", "--data-binary", "@" + payloadPath, "-H", "Content-Type: application/octet-stream");
        var bytes = post.StdoutBytes;
        Assert.True(bytes.Length == payload.Length + 4, $"{bytes.Length} bytes: {post.Stderr}");
        Assert.True(payload.AsSpan().SequenceEqual(bytes.AsSpan(0, payload.Length)), "echoed bytes differ");
        Assert.DoesNotContain("TLS handshake failed", a.Node.Log + b.Node.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_cluster_port_and_the_relay_refuse_a_certificate_from_another_ca_no_certificate_and_plaintext()
    {
        var a = await StartNodeAsync("node-a");
        var relayPort = await RelayPortAsync(a);
        using var member = ClusterCaFiles.LoadNodeCertificate(await _ca.IssueAsync("tester"));
        var rogueCa = await ClusterCaFiles.InitAsync(_dir, "rogue-ca");
        using var rogue = ClusterCaFiles.LoadNodeCertificate(await rogueCa.IssueAsync("rogue"));
        var header = RelayProtocol.Header(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));

        // A member's certificate gets as far as the relay protocol: the unknown token is refused by name.
        Assert.Equal((RelayProtocol.Refused, "invalid token"), await RelayOverTlsAsync(relayPort, member, header));

        // Another CA's certificate, or none: the handshake is refused before a byte of the protocol.
        await Assert.ThrowsAnyAsync<Exception>(() => RelayOverTlsAsync(relayPort, rogue, header));
        Assert.True(await a.Node.WaitForLogAsync("relay: refused", Timeout), a.Node.Log);
        Assert.Contains("does not chain to the cluster CA", a.Node.Log, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<Exception>(() => RelayOverTlsAsync(relayPort, null, header));
        Assert.True(await a.Node.WaitForLogAsync("no certificate presented", Timeout), a.Node.Log);

        // Plaintext (what every relay spoke before cluster.tls): no reply, the connection is closed.
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, relayPort));
            await using var plain = new NetworkStream(socket);
            await plain.WriteAsync(header);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await Assert.ThrowsAnyAsync<Exception>(() => RelayProtocol.ReadReplyAsync(plain, timeout.Token));
            Assert.False(timeout.IsCancellationRequested, "the relay must close a plaintext connection, not leave it open");
        }

        // The cluster port: a member's certificate completes the handshake and Akka then waits for its
        // association; another CA's certificate is refused and the node logs why.
        Assert.True(await ClusterPortKeepsConnectionAsync(a.ClusterPort, member), "a member's TLS connection to the cluster port must stay open");
        Assert.False(await ClusterPortKeepsConnectionAsync(a.ClusterPort, rogue), "another CA's certificate must be refused on the cluster port");
        Assert.True(await a.Node.WaitForLogAsync("refused the cluster connection", Timeout), a.Node.Log);

        var (ok, json) = await a.WaitForStatusAsync(s => Member.UpMembers(s) == 1, Timeout);
        Assert.True(ok, json);
        Assert.False(a.Node.HasExited, "refusing peers must not stop the node: " + a.Node.Log);
    }

    /// <summary>TLS to the relay port with <paramref name="certificate"/> (any server certificate accepted), then the relay header; the owner's reply.</summary>
    private static async Task<(byte Status, string Reason)> RelayOverTlsAsync(int port, X509Certificate2? certificate, byte[] header)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await using var ssl = await ConnectTlsAsync(port, certificate, timeout.Token);
        await ssl.WriteAsync(header, timeout.Token);
        return await RelayProtocol.ReadReplyAsync(ssl, timeout.Token);
    }

    /// <summary>True when the cluster port accepts the TLS connection and keeps it open for 2 s (Akka waits for the association).</summary>
    private static async Task<bool> ClusterPortKeepsConnectionAsync(int port, X509Certificate2 certificate)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        SslStream ssl;
        try
        {
            ssl = await ConnectTlsAsync(port, certificate, timeout.Token);
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException)
        {
            return false;
        }
        await using (ssl)
        {
            // TLS 1.3: the server checks the client's certificate after the client's handshake is
            // done, so a refusal arrives as an alert (or a reset) on the first read.
            var read = ssl.ReadAsync(new byte[1], timeout.Token).AsTask();
            var first = await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(2)));
            if (first != read) return true;
            try
            {
                return await read > 0;
            }
            catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException)
            {
                return false;
            }
        }
    }

    private static async Task<SslStream> ConnectTlsAsync(int port, X509Certificate2? certificate, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct);
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true));
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "127.0.0.1",
                ClientCertificateContext = certificate is null ? null : SslStreamCertificateContext.Create(certificate, null, offline: true),
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            }, ct);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }
    }
}
