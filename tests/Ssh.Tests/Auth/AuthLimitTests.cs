using Gateway.Ssh.Auth;
using Gateway.Ssh.Keys;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Tests.Auth;

public sealed class AuthLimitTests
{
    [Fact]
    public async Task Sixth_failure_ends_the_connection_with_too_many_authentication_failures()
    {
        // Every key passes the query but every signed request is refused: six counted failures.
        var authenticator = new TestAuthenticator
        {
            PublicKey = (ctx, _) => ValueTask.FromResult(ctx.HasSignature ? AuthDecision.Failure : AuthDecision.Success()),
        };
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator });
        var keys = Enumerable.Range(10, 8).Select(i => AuthTestKeys.Get(SshKeyKind.Ed25519, i)).ToArray();
        var client = pair.UseClient("mallory", keys);

        var clientError = await AuthAssert.ClientFailsAsync(client);
        var serverError = await Assert.ThrowsAsync<SshProtocolException>(() => pair.ServerResultAsync());

        Assert.IsType<SshConnectionClosedException>(clientError);
        Assert.Equal(DisconnectReason.NoMoreAuthMethodsAvailable, serverError.Reason);
        Assert.Equal("Too many authentication failures", serverError.Message);
        await pair.ClientTransport.DisconnectReceivedTask.WaitAsync(AuthPair.Timeout);
        Assert.Equal((DisconnectReason.NoMoreAuthMethodsAvailable, "Too many authentication failures"), pair.ClientTransport.DisconnectReceived);
        Assert.Equal(6, authenticator.PublicKeyCalls.Count(c => c.HasSignature));
    }

    [Fact]
    public async Task None_requests_are_not_failures()
    {
        // Refused queries do count (OpenSSH counts them too): Security/CpuAmplificationTests.
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = new TestAuthenticator(), MaxAuthFailures = 2 });
        var raw = pair.UseRaw();

        for (var i = 0; i < 5; i++)
        {
            await raw.SendAsync(RawMessages.None("alice"));
            AuthAssert.Failure(await raw.NextAsync(), [SshAuthMethods.PublicKey], false);
        }

        Assert.Null(pair.ClientTransport.DisconnectReceived);
    }

    [Fact]
    public async Task Attempt_limit_counts_every_request()
    {
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = new TestAuthenticator(), MaxAuthAttempts = 4 });
        var raw = pair.UseRaw();

        for (var i = 0; i < 4; i++)
        {
            await raw.SendAsync(RawMessages.None("alice"));
            AuthAssert.ParseFailure(await raw.NextAsync());
        }
        await raw.SendAsync(RawMessages.None("alice"));

        var error = await Assert.ThrowsAsync<SshProtocolException>(() => pair.ServerResultAsync());
        Assert.Equal(DisconnectReason.NoMoreAuthMethodsAvailable, error.Reason);
        await pair.ClientTransport.DisconnectReceivedTask.WaitAsync(AuthPair.Timeout);
        Assert.Equal(DisconnectReason.NoMoreAuthMethodsAvailable, pair.ClientTransport.DisconnectReceived!.Value.Reason);
    }

    [Fact]
    public async Task Login_grace_time_ends_an_idle_connection()
    {
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = new TestAuthenticator(), LoginGraceTime = TimeSpan.FromSeconds(1) });
        pair.UseRaw();
        var started = DateTime.UtcNow;

        var error = await Assert.ThrowsAsync<SshProtocolException>(() => pair.ServerResultAsync());

        var elapsed = DateTime.UtcNow - started;
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(10));
        await pair.ClientTransport.DisconnectReceivedTask.WaitAsync(AuthPair.Timeout);
        Assert.Equal(error.Reason, pair.ClientTransport.DisconnectReceived!.Value.Reason);
        Assert.True(pair.ServerTransport.Closed.IsCancellationRequested);
    }

    [Fact]
    public async Task Login_grace_time_also_ends_a_pending_outside_decision()
    {
        var authenticator = new TestAuthenticator
        {
            Methods = _ => [SshAuthMethods.KeyboardInteractive],
            KeyboardInteractive = async (ctx, ct) =>
            {
                await ctx.PromptAsync("Sign in", "https://example.test/device", [], ct);
                await Task.Delay(Timeout.Infinite, ct);
                return AuthDecision.Success();
            },
        };
        await using var pair = AuthPair.Create(new SshServerAuthOptions
        {
            Authenticator = authenticator,
            LoginGraceTime = TimeSpan.FromSeconds(1),
            KeyboardInteractiveHeartbeat = TimeSpan.FromMilliseconds(200),
        });
        var client = pair.UseClient("alice", [], _ => ValueTask.FromResult(Array.Empty<string>()));

        var clientError = await AuthAssert.ClientFailsAsync(client);

        Assert.IsType<SshConnectionClosedException>(clientError);
        await Assert.ThrowsAsync<SshProtocolException>(() => pair.ServerResultAsync());
        Assert.NotNull(pair.ClientTransport.DisconnectReceived);
    }

    [Fact]
    public async Task Grace_timer_stops_after_success()
    {
        var key = AuthTestKeys.Get(SshKeyKind.Ed25519);
        await using var pair = AuthPair.Create(new SshServerAuthOptions
        {
            Authenticator = AuthAssert.AcceptingKeys(key.PublicKey),
            LoginGraceTime = TimeSpan.FromSeconds(2),
        });
        var client = pair.UseClient("alice", [key]);

        await client.AuthenticateAsync(CancellationToken.None).WaitAsync(AuthPair.Timeout);
        // Success came well within the grace time on any machine; wait past its end.
        await Task.Delay(2500);

        Assert.True(pair.Server.Completion.IsCompletedSuccessfully);
        Assert.Null(pair.ClientTransport.DisconnectReceived);
    }
}
