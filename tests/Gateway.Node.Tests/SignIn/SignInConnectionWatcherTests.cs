using System.Text;
using Gateway.Node.SshSessions.Cli;
using Gateway.Node.SshSessions.SignIn;
using Gateway.Ssh;
using Gateway.Ssh.Keys;

namespace Gateway.Node.Tests.SignIn;

/// <summary>
/// The watcher ends signed-in connections whose session or binding ended, with DISCONNECT
/// "sign-in ended: ...", and leaves configured users' connections alone; <c>logout</c> ends every
/// connection of its session.
/// </summary>
public sealed class SignInConnectionWatcherTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly SignInSshServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static async Task<string> EndOfAsync(Gateway.Ssh.Client.SshClient client)
    {
        try
        {
            await client.Completion.WaitAsync(Bound);
            return "ended without a reason";
        }
        catch (TimeoutException)
        {
            return "still connected";
        }
        catch (Exception ex)
        {
            return ex.Message;
        }
    }

    [Fact]
    public async Task An_expired_session_ends_its_connection_and_not_a_configured_users()
    {
        using var key = SshKeys.Generate(SshKeyKind.Ed25519);
        await _server.SignInAsync(key.PublicKey, SignInSshServer.Session(lifetime: TimeSpan.FromSeconds(1.5)));
        await using var signedIn = await _server.ConnectAsync(key);
        await using var bob = await _server.ConnectAsync(SignInSshServer.BobKey);
        await _server.TunnelsAsync(2);
        Assert.Equal(0, _server.Watcher.Sweep());

        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(1, _server.Watcher.Sweep());
        Assert.Contains("sign-in ended: session expired", await EndOfAsync(signedIn));
        // Told once, even if checked again before its actor stopped.
        Assert.Equal(0, _server.Watcher.Sweep());
        await WaitUntilAsync(() => _server.Tunnels.Count == 1);
        Assert.Equal("bob@example.com", Assert.Single(_server.Tunnels.All).Identity.Email);
        Assert.False(bob.Completion.IsCompleted);
    }

    [Fact]
    public async Task A_session_ended_elsewhere_ends_its_connections_at_the_stores_change()
    {
        using var key = SshKeys.Generate(SshKeyKind.Ed25519);
        await _server.SignInAsync(key.PublicKey);
        await _server.Watcher.StartAsync(CancellationToken.None);
        await using var client = await _server.ConnectAsync(key);
        var started = DateTime.UtcNow;
        // A sign-out in a browser, on any node: the replica changes here.
        await _server.Store.EndSessionAsync("sess-1", CancellationToken.None);
        Assert.Contains("sign-in ended: signed out", await EndOfAsync(client));
        // At the change, not at the next 10 s tick.
        Assert.True(DateTime.UtcNow - started < SignInConnectionWatcher.Interval, $"took {DateTime.UtcNow - started}");
        await WaitUntilAsync(() => _server.Tunnels.Count == 0);
    }

    [Fact]
    public async Task A_removed_binding_ends_the_connection_its_key_made()
    {
        using var key = SshKeys.Generate(SshKeyKind.Ed25519);
        using var other = SshKeys.Generate(SshKeyKind.Ed25519);
        await _server.SignInAsync(key.PublicKey);
        await _server.SignInAsync(other.PublicKey);
        await using var client = await _server.ConnectAsync(key);
        await _server.TunnelsAsync(1);
        // The key was bound to another person's session since: this connection's sign-in is over.
        await _server.SignInAsync(key.PublicKey, SignInSshServer.Session("sess-2", email: "carol@example.com"));
        Assert.Equal(1, _server.Watcher.Sweep());
        Assert.Contains("sign-in ended: signed out", await EndOfAsync(client));
    }

    [Fact]
    public async Task Logout_ends_the_session_and_every_connection_of_it()
    {
        using var key = SshKeys.Generate(SshKeyKind.Ed25519);
        using var laptop = SshKeys.Generate(SshKeyKind.Ed25519);
        await _server.SignInAsync(key.PublicKey);
        await _server.SignInAsync(laptop.PublicKey);
        await _server.Watcher.StartAsync(CancellationToken.None);
        await using var tunnel = await _server.ConnectAsync(laptop);
        await using var client = await _server.ConnectAsync(key);
        await _server.TunnelsAsync(2);

        var result = await client.RunAsync("logout");
        Assert.Equal((0u, LogoutCommand.LoggedOut), (result.ExitStatus, Encoding.UTF8.GetString(result.Output)));
        Assert.Null(_server.Store.FindSession("sess-1"));
        Assert.Empty(_server.Store.BindingsOf("sess-1"));
        Assert.Contains("sign-in ended: signed out", await EndOfAsync(tunnel));
        Assert.Contains("sign-in ended: signed out", await EndOfAsync(client));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.True(condition());
    }
}
