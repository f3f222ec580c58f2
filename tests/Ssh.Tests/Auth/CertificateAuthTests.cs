using System.Net;
using Gateway.Ssh.Auth;
using Gateway.Ssh.Keys;

namespace Gateway.Ssh.Tests.Auth;

/// <summary>User certificates made by the real <c>ssh-keygen -s</c>, checked by the server layer.</summary>
public sealed class CertificateAuthTests : IDisposable
{
    private readonly KeygenCa _ca = new();

    public void Dispose() => _ca.Dispose();

    /// <summary>The caller's policy: a certificate is enough when it names the user as a principal.</summary>
    private static TestAuthenticator PrincipalPolicy() => new()
    {
        PublicKey = (ctx, _) => ValueTask.FromResult(
            ctx.Certificate is not null && ctx.CertificatePrincipals.Contains(ctx.Username) ? AuthDecision.Success() : AuthDecision.Failure),
    };

    [Theory]
    [InlineData(SshKeyKind.Ed25519, "ssh-ed25519-cert-v01@openssh.com")]
    [InlineData(SshKeyKind.EcdsaP256, "ecdsa-sha2-nistp256-cert-v01@openssh.com")]
    [InlineData(SshKeyKind.Rsa, "rsa-sha2-512-cert-v01@openssh.com")]
    public async Task Certificate_from_a_trusted_ca_is_accepted(SshKeyKind kind, string expectedAlgorithm)
    {
        var plain = AuthTestKeys.Get(kind);
        using var certified = _ca.Certify(plain, "alice,ops", "-V", "-5m:+1h");
        var authenticator = PrincipalPolicy();
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator, TrustedUserCaKeys = [_ca.PublicKey] });
        var client = pair.UseClient("alice", [certified]);

        await client.AuthenticateAsync(CancellationToken.None).WaitAsync(AuthPair.Timeout);
        var user = await pair.ServerResultAsync();

        Assert.Equal(plain.PublicKey, user.PublicKey);
        Assert.NotNull(user.Certificate);
        Assert.Equal(certified.Certificate, user.Certificate);
        var signed = authenticator.PublicKeyCalls.Single(c => c.HasSignature);
        Assert.Equal(expectedAlgorithm, signed.Algorithm);
        Assert.Equal(["alice", "ops"], signed.CertificatePrincipals);
        Assert.Contains("permit-port-forwarding", signed.CertificateExtensions);
        Assert.Contains("permit-pty", signed.CertificateExtensions);
    }

    [Fact]
    public async Task Expired_certificate_is_refused_before_the_policy_sees_it()
    {
        using var certified = _ca.Certify(AuthTestKeys.Get(SshKeyKind.Ed25519), "alice", "-V", "20200101:20200201");
        var authenticator = PrincipalPolicy();
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator, TrustedUserCaKeys = [_ca.PublicKey], Log = log.Enqueue });
        var client = pair.UseClient("alice", [certified]);

        Assert.IsType<SshAuthenticationException>(await AuthAssert.ClientFailsAsync(client));
        Assert.Empty(authenticator.PublicKeyCalls);
        Assert.Contains(log, line => line.Contains("expired", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Certificate_within_its_window_by_the_configured_clock_is_accepted()
    {
        using var certified = _ca.Certify(AuthTestKeys.Get(SshKeyKind.Ed25519), "alice", "-V", "20200101:20200201");
        await using var pair = AuthPair.Create(new SshServerAuthOptions
        {
            Authenticator = PrincipalPolicy(),
            TrustedUserCaKeys = [_ca.PublicKey],
            Clock = () => new DateTimeOffset(2020, 1, 15, 0, 0, 0, TimeSpan.Zero),
        });
        var client = pair.UseClient("alice", [certified]);

        await client.AuthenticateAsync(CancellationToken.None).WaitAsync(AuthPair.Timeout);
        Assert.NotNull((await pair.ServerResultAsync()).Certificate);
    }

    [Fact]
    public async Task Certificate_for_another_principal_is_refused_by_the_policy()
    {
        using var certified = _ca.Certify(AuthTestKeys.Get(SshKeyKind.Ed25519), "bob");
        var authenticator = PrincipalPolicy();
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator, TrustedUserCaKeys = [_ca.PublicKey] });
        var client = pair.UseClient("alice", [certified]);

        Assert.IsType<SshAuthenticationException>(await AuthAssert.ClientFailsAsync(client));
        var call = Assert.Single(authenticator.PublicKeyCalls);
        Assert.Equal(["bob"], call.CertificatePrincipals);
        Assert.False(pair.Server.Completion.IsCompleted);
    }

    [Fact]
    public async Task Certificate_from_an_untrusted_ca_is_refused()
    {
        using var otherCa = new KeygenCa();
        using var certified = otherCa.Certify(AuthTestKeys.Get(SshKeyKind.Ed25519), "alice");
        var authenticator = PrincipalPolicy();
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator, TrustedUserCaKeys = [_ca.PublicKey] });
        var client = pair.UseClient("alice", [certified]);

        Assert.IsType<SshAuthenticationException>(await AuthAssert.ClientFailsAsync(client));
        Assert.Empty(authenticator.PublicKeyCalls);
    }

    [Fact]
    public async Task Host_certificate_is_refused_as_a_user_certificate()
    {
        using var certified = _ca.Certify(AuthTestKeys.Get(SshKeyKind.Ed25519), "alice", "-h");
        var authenticator = PrincipalPolicy();
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator, TrustedUserCaKeys = [_ca.PublicKey] });
        var client = pair.UseClient("alice", [certified]);

        Assert.IsType<SshAuthenticationException>(await AuthAssert.ClientFailsAsync(client));
        Assert.Empty(authenticator.PublicKeyCalls);
    }

    [Theory]
    [InlineData("127.0.0.1/32", true)]
    [InlineData("10.0.0.0/8", false)]
    public async Task Source_address_option_is_enforced(string cidr, bool accepted)
    {
        using var certified = _ca.Certify(AuthTestKeys.Get(SshKeyKind.Ed25519), "alice", "-O", "source-address=" + cidr);
        var authenticator = PrincipalPolicy();
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator, TrustedUserCaKeys = [_ca.PublicKey] },
            new IPEndPoint(IPAddress.Parse("::ffff:127.0.0.1"), 40000));
        var client = pair.UseClient("alice", [certified]);

        if (accepted)
        {
            await client.AuthenticateAsync(CancellationToken.None).WaitAsync(AuthPair.Timeout);
            Assert.NotNull((await pair.ServerResultAsync()).Certificate);
        }
        else
        {
            Assert.IsType<SshAuthenticationException>(await AuthAssert.ClientFailsAsync(client));
            Assert.Empty(authenticator.PublicKeyCalls);
        }
    }

    [Fact]
    public async Task Plain_key_still_works_next_to_a_refused_certificate()
    {
        using var otherCa = new KeygenCa();
        var plain = AuthTestKeys.Get(SshKeyKind.EcdsaP256, 5);
        using var certified = otherCa.Certify(AuthTestKeys.Get(SshKeyKind.Ed25519, 5), "alice");
        var authenticator = AuthAssert.AcceptingKeys(plain.PublicKey);
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator, TrustedUserCaKeys = [_ca.PublicKey] });
        var client = pair.UseClient("alice", [certified, plain]);

        await client.AuthenticateAsync(CancellationToken.None).WaitAsync(AuthPair.Timeout);
        var user = await pair.ServerResultAsync();
        Assert.Null(user.Certificate);
        Assert.Equal(plain.PublicKey, user.PublicKey);
    }
}
