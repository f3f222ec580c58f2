using System.Collections.Concurrent;
using System.Numerics;
using System.Security.Cryptography;
using Gateway.Ssh.Auth;
using Gateway.Ssh.Keys;
using Gateway.Ssh.Tests.Auth;
using Gateway.Ssh.Tests.Keys;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Tests.Security;

/// <summary>
/// Work a client can make the server do before it is known: expensive RSA keys, signatures
/// checked for keys nobody authorized, CA signatures checked for CAs nobody trusts, and queries
/// that cost nothing against the failure limit.
/// </summary>
public sealed class CpuAmplificationTests
{
    private static byte[] RsaBlob(byte[] exponent, byte[] modulus) => SshMessageBuilder.Build(w =>
    {
        w.WriteString(SshKeyAlgorithms.Rsa);
        w.WriteMPInt(exponent);
        w.WriteMPInt(modulus);
    });

    private static byte[] Modulus()
    {
        using var rsa = RSA.Create(2048);
        return rsa.ExportParameters(false).Modulus!;
    }

    private static byte[] Magnitude(BigInteger value) => value.ToByteArray(isUnsigned: true, isBigEndian: true);

    [Fact]
    public void Rsa_public_exponent_above_2_pow_31_minus_1_is_refused()
    {
        var modulus = Modulus();
        Assert.True(SshKeys.TryParsePublicKey(RsaBlob(Magnitude(65537), modulus), out _));
        Assert.True(SshKeys.TryParsePublicKey(RsaBlob(Magnitude(int.MaxValue), modulus), out _));
        Assert.False(SshKeys.TryParsePublicKey(RsaBlob(Magnitude((BigInteger)int.MaxValue + 2), modulus), out _));
        // The review's case: an exponent as long as the modulus (6.7 ms per verification).
        var huge = (byte[])modulus.Clone();
        huge[0] = 0x01;
        huge[^1] |= 1;
        Assert.False(SshKeys.TryParsePublicKey(RsaBlob(huge, modulus), out _));
    }

    [Fact]
    public async Task Signature_is_not_verified_for_a_key_that_is_not_authorized()
    {
        var log = new ConcurrentQueue<string>();
        var authenticator = new TestAuthenticator(); // authorizes nothing
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator, Log = log.Enqueue });
        var raw = pair.UseRaw();
        var key = AuthTestKeys.Get(SshKeyKind.Ed25519);
        var other = AuthTestKeys.Get(SshKeyKind.Ed25519, 3);

        // Signed by the wrong key: verifying it would fail, but it must not even be tried.
        await raw.SendAsync(RawMessages.Signed("alice", "ssh-ed25519", key, signer: other));
        AuthAssert.Failure(await raw.NextAsync(), [SshAuthMethods.PublicKey], false);

        Assert.Single(authenticator.PublicKeyCalls);
        Assert.DoesNotContain(log, line => line.Contains("signature", StringComparison.Ordinal));
        Assert.Contains(log, line => line.Contains("not authorized", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Signature_is_still_verified_for_an_authorized_key()
    {
        var key = AuthTestKeys.Get(SshKeyKind.Ed25519);
        var other = AuthTestKeys.Get(SshKeyKind.Ed25519, 3);
        var authenticator = AuthAssert.AcceptingKeys(key.PublicKey);
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator });
        var raw = pair.UseRaw();

        await raw.SendAsync(RawMessages.Signed("alice", "ssh-ed25519", key, signer: other));
        AuthAssert.Failure(await raw.NextAsync(), [SshAuthMethods.PublicKey], false);
        Assert.False(pair.Server.Completion.IsCompleted);
    }

    [Fact]
    public void Certificate_from_an_untrusted_ca_is_refused_before_its_signature_is_checked()
    {
        var untrusted = SshKeys.Generate(SshKeyKind.Ed25519);
        var trusted = SshKeys.Generate(SshKeyKind.Ed25519);
        var user = SshKeys.Generate(SshKeyKind.Ed25519);
        var blob = new CertificateBuilder(user.PublicKey, untrusted).Build();
        blob[^1] ^= 0x55; // the CA signature no longer verifies
        var certificate = (SshCertificate)SshKeys.ParsePublicKey(blob);

        var result = SshCertificateValidator.Validate(certificate, [trusted.PublicKey], SshCertificateType.User, null, null, DateTimeOffset.UtcNow);

        Assert.False(result.Success);
        Assert.Contains("is not a trusted CA", result.Error);
    }

    [Fact]
    public async Task Refused_queries_count_against_the_failure_limit()
    {
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = new TestAuthenticator(), MaxAuthFailures = 3 });
        var raw = pair.UseRaw();
        var key = AuthTestKeys.Get(SshKeyKind.Ed25519);

        for (var i = 0; i < 2; i++)
        {
            await raw.SendAsync(RawMessages.Query("alice", "ssh-ed25519", key.PublicKey));
            AuthAssert.Failure(await raw.NextAsync(), [SshAuthMethods.PublicKey], false);
        }
        await raw.SendAsync(RawMessages.Query("alice", "ssh-ed25519", key.PublicKey));

        var error = await Assert.ThrowsAsync<SshProtocolException>(() => pair.ServerResultAsync());
        Assert.Equal("Too many authentication failures", error.Message);
    }

    [Fact]
    public async Task Refused_certificate_queries_count_against_the_failure_limit()
    {
        var untrusted = SshKeys.Generate(SshKeyKind.Ed25519);
        var trusted = SshKeys.Generate(SshKeyKind.Ed25519);
        var user = SshKeys.Generate(SshKeyKind.Ed25519);
        var certificate = (SshCertificate)SshKeys.ParsePublicKey(new CertificateBuilder(user.PublicKey, untrusted).Build());
        var authenticator = new TestAuthenticator { PublicKey = (_, _) => ValueTask.FromResult(AuthDecision.Success()) };
        await using var pair = AuthPair.Create(new SshServerAuthOptions
        {
            Authenticator = authenticator,
            TrustedUserCaKeys = [trusted.PublicKey],
            MaxAuthFailures = 2,
        });
        var raw = pair.UseRaw();

        await raw.SendAsync(RawMessages.Query("alice", "ssh-ed25519-cert-v01@openssh.com", certificate));
        AuthAssert.Failure(await raw.NextAsync(), [SshAuthMethods.PublicKey], false);
        await raw.SendAsync(RawMessages.Query("alice", "ssh-ed25519-cert-v01@openssh.com", certificate));

        var error = await Assert.ThrowsAsync<SshProtocolException>(() => pair.ServerResultAsync());
        Assert.Equal("Too many authentication failures", error.Message);
        Assert.Empty(authenticator.PublicKeyCalls);
    }
}
