using Gateway.Ssh.Auth;
using Gateway.Ssh.Keys;

namespace Gateway.Ssh.Tests.Auth;

public sealed class PublicKeyAuthTests
{
    [Theory]
    [InlineData(SshKeyKind.Ed25519, "ssh-ed25519")]
    [InlineData(SshKeyKind.EcdsaP256, "ecdsa-sha2-nistp256")]
    [InlineData(SshKeyKind.EcdsaP384, "ecdsa-sha2-nistp384")]
    [InlineData(SshKeyKind.EcdsaP521, "ecdsa-sha2-nistp521")]
    [InlineData(SshKeyKind.Rsa, "rsa-sha2-512")]
    public async Task Accepted_key_queries_then_signs_and_succeeds(SshKeyKind kind, string expectedAlgorithm)
    {
        var key = AuthTestKeys.Get(kind);
        var authenticator = AuthAssert.AcceptingKeys(key.PublicKey);
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator });
        var client = pair.UseClient("alice", [key]);

        await client.AuthenticateAsync(CancellationToken.None).WaitAsync(AuthPair.Timeout);
        var user = await pair.ServerResultAsync();

        Assert.Equal("alice", user.Username);
        Assert.Equal([SshAuthMethods.PublicKey], user.Methods);
        Assert.Equal(key.PublicKey, user.PublicKey);
        Assert.Null(user.Certificate);
        Assert.Equal("alice", user.Identity);
        var calls = authenticator.PublicKeyCalls.ToArray();
        Assert.Equal(2, calls.Length);
        Assert.False(calls[0].HasSignature);
        Assert.True(calls[1].HasSignature);
        Assert.All(calls, c => Assert.Equal(expectedAlgorithm, c.Algorithm));
        Assert.Equal([SshAuthMethods.PublicKey], client.MethodsPassed);
    }

    [Fact]
    public async Task Rsa_uses_the_algorithm_listed_in_server_sig_algs()
    {
        var key = AuthTestKeys.Get(SshKeyKind.Rsa);
        var authenticator = AuthAssert.AcceptingKeys(key.PublicKey);
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator });
        var client = pair.UseClient("alice", [key], serverSigAlgs: ["ssh-ed25519", "rsa-sha2-256"]);

        await client.AuthenticateAsync(CancellationToken.None).WaitAsync(AuthPair.Timeout);
        await pair.ServerResultAsync();

        Assert.All(authenticator.PublicKeyCalls, c => Assert.Equal("rsa-sha2-256", c.Algorithm));
    }

    [Fact]
    public async Task Rsa_key_is_not_offered_when_server_lists_only_sha1()
    {
        var key = AuthTestKeys.Get(SshKeyKind.Rsa);
        var authenticator = AuthAssert.AcceptingKeys(key.PublicKey);
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator });
        var client = pair.UseClient("alice", [key], serverSigAlgs: ["ssh-rsa"]);

        var ex = await AuthAssert.ClientFailsAsync(client);

        Assert.IsType<SshAuthenticationException>(ex);
        Assert.Empty(authenticator.PublicKeyCalls);
    }

    [Fact]
    public async Task Second_key_is_tried_after_the_first_is_refused()
    {
        var wrong = AuthTestKeys.Get(SshKeyKind.Ed25519, 1);
        var right = AuthTestKeys.Get(SshKeyKind.EcdsaP256);
        var authenticator = AuthAssert.AcceptingKeys(right.PublicKey);
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator });
        var client = pair.UseClient("alice", [wrong, right]);

        await client.AuthenticateAsync(CancellationToken.None).WaitAsync(AuthPair.Timeout);
        var user = await pair.ServerResultAsync();

        Assert.Equal(right.PublicKey, user.PublicKey);
        // Refused query, then query + signed for the right key.
        Assert.Equal(3, authenticator.PublicKeyCalls.Count);
    }

    [Theory]
    [InlineData(SshKeyKind.Ed25519)]
    [InlineData(SshKeyKind.EcdsaP384)]
    [InlineData(SshKeyKind.Rsa)]
    public async Task Unknown_key_is_refused_with_the_methods_left(SshKeyKind kind)
    {
        var authorized = AuthTestKeys.Get(SshKeyKind.Ed25519, 2);
        var authenticator = AuthAssert.AcceptingKeys(authorized.PublicKey);
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator });
        var client = pair.UseClient("alice", [AuthTestKeys.Get(kind, 3)]);

        var ex = Assert.IsType<SshAuthenticationException>(await AuthAssert.ClientFailsAsync(client));

        Assert.Equal([SshAuthMethods.PublicKey], ex.MethodsLeft);
        Assert.False(pair.Server.Completion.IsCompleted);
        Assert.All(authenticator.PublicKeyCalls, c => Assert.False(c.HasSignature));
    }

    [Fact]
    public async Task Banner_is_sent_once_before_the_first_reply()
    {
        var key = AuthTestKeys.Get(SshKeyKind.Ed25519);
        var authenticator = AuthAssert.AcceptingKeys(key.PublicKey);
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator, Banner = "Welcome to the gateway\r\n" });
        var client = pair.UseClient("alice", [AuthTestKeys.Get(SshKeyKind.Ed25519, 4), key]);
        var banners = new List<string>();
        client.BannerReceived += banners.Add;

        await client.AuthenticateAsync(CancellationToken.None).WaitAsync(AuthPair.Timeout);

        Assert.Equal(["Welcome to the gateway\r\n"], banners);
        var received = pair.ClientTransport.Received.ToArray();
        Assert.Equal(Gateway.Ssh.Wire.SshMessageNumber.UserAuthBanner, received[0][0]);
    }

    [Fact]
    public async Task Client_is_authenticated_as_soon_as_success_is_received()
    {
        var key = AuthTestKeys.Get(SshKeyKind.Ed25519);
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = AuthAssert.AcceptingKeys(key.PublicKey) });
        var client = pair.UseClient("alice", [key]);
        Assert.False(client.IsAuthenticated);

        await client.AuthenticateAsync(CancellationToken.None).WaitAsync(AuthPair.Timeout);

        Assert.True(client.IsAuthenticated);
        Assert.True(pair.Server.Completion.IsCompletedSuccessfully);
    }
}
