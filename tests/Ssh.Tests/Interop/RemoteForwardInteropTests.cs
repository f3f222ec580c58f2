using System.Security.Cryptography;
using Gateway.Ssh.Connection;
using Gateway.Ssh.Server;
using Gateway.Testing;

namespace Gateway.Ssh.Tests.Interop;

/// <summary>
/// <c>ssh -R</c> with the real OpenSSH client: the server learns the request exactly as sent,
/// reports allocated ports, and the forwarded-tcpip channels it opens reach the client's local
/// service (static) or its built-in SOCKS server (dynamic), with bytes intact both ways.
/// </summary>
public class RemoteForwardInteropTests(InteropFixture fixture) : IClassFixture<InteropFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Static_forward_on_port_zero_reports_the_allocated_port_and_reaches_the_local_service()
    {
        await using var echo = new LoopbackEchoServer();
        var before = fixture.Server.Sessions.Count;
        await using var ssh = fixture.Client().Start(flags: ["-N", "-v", "-R", $"0:127.0.0.1:{echo.Port}"]);
        var session = await WaitForNewSessionAsync(before);
        Assert.True(await ssh.WaitForStderrAsync(s => s.Contains("Allocated port "), Timeout), ssh.Stderr);
        var allocated = uint.Parse(System.Text.RegularExpressions.Regex.Match(ssh.Stderr, @"Allocated port (\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

        await using var channel = await session.Connection.OpenForwardedTcpIpAsync("localhost", allocated, "203.0.113.7", 55555);
        await AssertEchoesAsync(channel.Stream);
        Assert.Equal(1, echo.Accepted);
    }

    [Fact]
    public async Task Dynamic_forward_is_driven_through_the_clients_socks_server()
    {
        await using var echo = new LoopbackEchoServer();
        var before = fixture.Server.Sessions.Count;
        await using var ssh = fixture.Client().Start(flags: ["-N", "-v", "-R", "0"]);
        var session = await WaitForNewSessionAsync(before);
        Assert.True(await ssh.WaitForStderrAsync(s => s.Contains("Allocated port "), Timeout), ssh.Stderr);
        var allocated = uint.Parse(System.Text.RegularExpressions.Regex.Match(ssh.Stderr, @"Allocated port (\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

        await using var channel = await session.Connection.OpenForwardedTcpIpAsync("localhost", allocated, "203.0.113.7", 55555);
        await Socks5Client.ConnectAsync(channel.Stream, "127.0.0.1", (ushort)echo.Port, CancellationToken.None);
        await AssertEchoesAsync(channel.Stream);

        await using var refused = await session.Connection.OpenForwardedTcpIpAsync("localhost", allocated, "203.0.113.7", 55556);
        var closedPort = Gateway.Testing.LoopbackPorts.Reserve();
        await Assert.ThrowsAsync<Socks5Exception>(() => Socks5Client.ConnectAsync(refused.Stream, "127.0.0.1", (ushort)closedPort, CancellationToken.None));
    }

    [Fact]
    public async Task Named_static_forward_gets_success_without_a_port_and_wrong_names_are_refused_by_the_client()
    {
        await using var echo = new LoopbackEchoServer();
        var before = fixture.Server.Sessions.Count;
        await using var ssh = fixture.Client().Start(flags: ["-N", "-v", "-o", "ExitOnForwardFailure=yes", "-R", $"https-route.example.com:443:127.0.0.1:{echo.Port}"]);
        var session = await WaitForNewSessionAsync(before);
        Assert.True(await ssh.WaitForStderrAsync(s => s.Contains("remote forward success"), Timeout), ssh.Stderr);
        Assert.Contains(fixture.Server.ForwardRequests, r => r.BindAddress == "https-route.example.com" && r.Port == 443);

        await using (var channel = await session.Connection.OpenForwardedTcpIpAsync("https-route.example.com", 443, "203.0.113.7", 1))
            await AssertEchoesAsync(channel.Stream);

        var ex = await Assert.ThrowsAsync<SshChannelOpenException>(() => session.Connection.OpenForwardedTcpIpAsync("other.example.com", 443, "203.0.113.7", 1));
        Assert.Equal(ChannelOpenFailureReason.AdministrativelyProhibited, ex.ReasonCode);
    }

    [Fact]
    public async Task Cancel_through_the_control_socket_reaches_the_server()
    {
        await using var echo = new LoopbackEchoServer();
        var control = fixture.Directory.File("ctl-" + Guid.NewGuid().ToString("N")[..8]);
        var forward = $"cancel-me.example.com:443:127.0.0.1:{echo.Port}";
        var before = fixture.Server.Sessions.Count;
        await using var master = fixture.Client().Start(flags: ["-N", "-v", "-M", "-S", control, "-R", forward]);
        await WaitForNewSessionAsync(before);
        Assert.True(await master.WaitForStderrAsync(s => s.Contains("remote forward success"), Timeout), master.Stderr);

        var cancel = await ExternalProcess.RunAsync("ssh", ["-F", "/dev/null", "-S", control, "-O", "cancel", "-R", forward, "alice@127.0.0.1"], Timeout);
        Assert.True(cancel.ExitCode == 0, cancel.Stderr);
        var deadline = DateTime.UtcNow + Timeout;
        while (!fixture.Server.Cancels.Contains(("cancel-me.example.com", 443u)) && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Contains(("cancel-me.example.com", 443u), fixture.Server.Cancels);
    }

    private async Task<SshServerSession> WaitForNewSessionAsync(int before)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (fixture.Server.Sessions.Count <= before && DateTime.UtcNow < deadline) await Task.Delay(20);
        return fixture.Server.Sessions.ElementAt(before);
    }

    private static async Task AssertEchoesAsync(Stream stream)
    {
        var payload = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        var reader = Task.Run(async () =>
        {
            var received = new byte[payload.Length];
            await stream.ReadExactlyAsync(received);
            return received;
        });
        await stream.WriteAsync(payload);
        var echoed = await reader.WaitAsync(Timeout);
        Assert.True(payload.AsSpan().SequenceEqual(echoed), "echoed bytes differ");
    }
}
