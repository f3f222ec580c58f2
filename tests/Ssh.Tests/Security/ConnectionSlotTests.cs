using System.Net;
using System.Net.Sockets;
using Gateway.Ssh.Auth;
using Gateway.Ssh.Client;
using Gateway.Ssh.Connection;
using Gateway.Ssh.Keys;
using Gateway.Ssh.Server;
using Gateway.Ssh.Tests.Auth;
using Gateway.Ssh.Tests.Transport;
using Gateway.Ssh.Transport;

namespace Gateway.Ssh.Tests.Security;

/// <summary>
/// Silent connections must not lock real users out: slots for unauthenticated connections are
/// counted on accept, capped per source address, dropped early at random past MaxStartups'
/// start, and bounded in time by LoginGraceTime; key re-exchanges before authentication are
/// bounded too.
/// </summary>
public sealed class ConnectionSlotTests
{
    private static readonly SshPrivateKey UserKey = SshKeys.Generate(SshKeyKind.Ed25519);
    private static readonly SshPrivateKey HostKey = SshKeys.Generate(SshKeyKind.Ed25519);

    private static SshServer StartServer(Func<SshServerOptions, SshServerOptions>? configure = null, TimeSpan? loginGraceTime = null)
    {
        var options = new SshServerOptions
        {
            Transport = new SshTransportOptions { HostKeys = [HostKey] },
            Authentication = new SshServerAuthOptions
            {
                Authenticator = AuthKeys(UserKey.PublicKey),
                LoginGraceTime = loginGraceTime ?? TimeSpan.FromSeconds(120),
            },
        };
        var server = new SshServer(configure?.Invoke(options) ?? options, new IdleSessions());
        server.Start(new IPEndPoint(IPAddress.Loopback, 0));
        return server;
    }

    private static TestAuthenticator AuthKeys(SshPublicKey key) => AuthAssert.AcceptingKeys(key);

    /// <summary>TCP connections from <paramref name="source"/> that never say anything.</summary>
    private static async Task<List<Socket>> SilentConnectionsAsync(SshServer server, IPAddress source, int count)
    {
        var sockets = new List<Socket>();
        for (var i = 0; i < count; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(server.LocalEndPoint);
            sockets.Add(socket);
        }
        return sockets;
    }

    /// <summary>How many of the sockets the server kept: those received its identification line rather than EOF.</summary>
    private static async Task<int> CountKeptAsync(IEnumerable<Socket> sockets)
    {
        var kept = 0;
        foreach (var socket in sockets)
        {
            var buffer = new byte[64];
            try
            {
                var n = await socket.ReceiveAsync(buffer).WaitAsync(TimeSpan.FromSeconds(10));
                if (n > 0) kept++;
            }
            catch (SocketException)
            {
                // Reset: dropped.
            }
        }
        return kept;
    }

    private static async Task<SshClient> LogInFromAsync(SshServer server, IPAddress source)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(source, 0));
        await socket.ConnectAsync(server.LocalEndPoint);
        return await SshClient.ConnectAsync(new NetworkStream(socket, ownsSocket: true), socket.RemoteEndPoint,
            new SshClientOptions { Username = "alice", Keys = [UserKey], KnownHostKeys = [HostKey.PublicKey] })
            .WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static void CloseAll(IEnumerable<Socket> sockets)
    {
        foreach (var socket in sockets) socket.Dispose();
    }

    [Fact]
    public async Task Flood_of_silent_connections_from_one_address_does_not_lock_out_another()
    {
        // The review's probe: 260 silent connections, default limits.
        await using var server = StartServer();
        var silent = await SilentConnectionsAsync(server, IPAddress.Loopback, 260);
        try
        {
            Assert.Equal(10, await CountKeptAsync(silent));
            Assert.Equal(10, server.UnauthenticatedCount);

            // With 10 connections pending, MaxStartups 10:30:100 drops 30% of new ones at random
            // (as OpenSSH does): a user whose connection is dropped connects again. Twenty tries
            // all dropped has a chance of 0.3^20, about 3.5e-11.
            SshClient? client = null;
            var failures = new List<string>();
            for (var attempt = 0; attempt < 20 && client is null; attempt++)
            {
                try
                {
                    client = await LogInFromAsync(server, IPAddress.Parse("127.0.0.2"));
                }
                catch (Exception ex) when (ex is SshConnectionClosedException or IOException or SocketException)
                {
                    failures.Add($"{ex.GetType().Name}: {ex.Message}");
                }
            }
            Assert.True(client is not null, "every attempt failed:\n" + string.Join("\n", failures));
            await client!.DisposeAsync();
        }
        finally
        {
            CloseAll(silent);
        }
    }

    [Fact]
    public async Task Per_source_cap_is_exact_under_a_burst_and_other_sources_still_log_in()
    {
        await using var server = StartServer(o => new SshServerOptions
        {
            Transport = o.Transport,
            Authentication = o.Authentication,
            MaxStartups = new MaxStartups(100, 30, 200),
            PerSourceMaxStartups = 3,
        });
        var silent = await SilentConnectionsAsync(server, IPAddress.Loopback, 20);
        try
        {
            Assert.Equal(3, await CountKeptAsync(silent));
            Assert.Equal(3, server.UnauthenticatedCount);
            await using var client = await LogInFromAsync(server, IPAddress.Parse("127.0.0.2"));
            Assert.True(client.Transport.IsAuthenticated);
        }
        finally
        {
            CloseAll(silent);
        }
        // Slots come back when the silent connections go away.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (server.UnauthenticatedCount != 0 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(0, server.UnauthenticatedCount);
    }

    [Fact]
    public void Max_startups_drops_at_rate_from_start_and_everything_at_full()
    {
        var policy = MaxStartups.Default;
        Assert.False(policy.ShouldDrop(9, 0));
        Assert.True(policy.ShouldDrop(10, 29));
        Assert.False(policy.ShouldDrop(10, 30));
        Assert.True(policy.ShouldDrop(55, 64));
        Assert.False(policy.ShouldDrop(55, 65));
        Assert.True(policy.ShouldDrop(100, 99));
        Assert.True(MaxStartups.TryParse("10:30:100", out var parsed, out _));
        Assert.Equal(policy, parsed);
        Assert.True(MaxStartups.TryParse("5", out var single, out _));
        Assert.True(single.ShouldDrop(5, 99) && !single.ShouldDrop(4, 0));
        Assert.False(MaxStartups.TryParse("10:130:100", out _, out var error));
        Assert.Contains("percentage", error);
        Assert.False(MaxStartups.TryParse("20:30:10", out _, out _));
        Assert.False(MaxStartups.TryParse("ten", out _, out _));
    }

    [Fact]
    public async Task Login_grace_time_counts_from_accept()
    {
        await using var server = StartServer(loginGraceTime: TimeSpan.FromSeconds(2));
        var silent = await SilentConnectionsAsync(server, IPAddress.Loopback, 1);
        try
        {
            var started = DateTime.UtcNow;
            var buffer = new byte[256];
            var socket = silent[0];
            // The identification line, then EOF once the grace time has passed.
            Assert.True(await socket.ReceiveAsync(buffer) > 0);
            int n;
            try
            {
                do n = await socket.ReceiveAsync(buffer).WaitAsync(TimeSpan.FromSeconds(20));
                while (n > 0);
            }
            catch (SocketException)
            {
            }
            var elapsed = DateTime.UtcNow - started;
            Assert.InRange(elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(8));
        }
        finally
        {
            CloseAll(silent);
        }
    }

    [Fact]
    public async Task Key_re_exchanges_before_authentication_are_bounded()
    {
        var serverOptions = new SshTransportOptions { HostKeys = [HostKey] };
        var clientOptions = new SshTransportOptions { HostKeyVerifier = _ => true };
        var (client, server, sockets) = await TransportFactory.ConnectPairAsync(clientOptions, serverOptions);
        using var _ = sockets;
        await using var c = client;
        await using var s = server;

        for (var i = 0; i < 2; i++)
            await client.RekeyAsync().WaitAsync(TimeSpan.FromSeconds(15));
        await Assert.ThrowsAnyAsync<Exception>(() => client.RekeyAsync().WaitAsync(TimeSpan.FromSeconds(15)));

        var outcome = await TransportFactory.EndAsync(server.Completion);
        var protocol = Assert.IsType<SshProtocolException>(outcome);
        Assert.Contains("before authentication", protocol.Message);
    }

    /// <summary>Keeps authenticated sessions open until they end.</summary>
    private sealed class IdleSessions : ISshSessionHandler
    {
        public ISshConnectionHandler CreateConnectionHandler(SshAuthenticatedUser user, SshTransport transport) => new SshConnectionHandler();

        public async Task OnSessionStartedAsync(SshServerSession session, CancellationToken cancellationToken)
        {
            try
            {
                await session.Completion.WaitAsync(cancellationToken);
            }
            catch (Exception)
            {
                // The session's end is all this waits for.
            }
        }
    }
}
