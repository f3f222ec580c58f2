using Gateway.Ssh.Keys;

namespace Gateway.Ssh.Tests.Keys;

/// <summary>Certificates made by ssh-keygen parse into the right fields.</summary>
public class CertificateParsingTests(CertificateFixture fixture) : IClassFixture<CertificateFixture>
{
    [Fact]
    public void Fields_match_what_ssh_keygen_was_asked_for()
    {
        var cert = fixture.Sign("ca_ed25519", "user_ecdsa",
            "-I", "key id with spaces", "-z", "42", "-n", "alice,bob", "-V", "20300101000000Z:20310101000000Z",
            "-O", "force-command=/bin/echo hi", "-O", "source-address=10.1.2.0/24,192.168.0.1");

        Assert.Equal("ecdsa-sha2-nistp256-cert-v01@openssh.com", cert.KeyType);
        Assert.Equal(fixture.PublicKey("user_ecdsa"), cert.Key);
        Assert.Equal(fixture.PublicKey("ca_ed25519"), cert.SignatureKey);
        Assert.Equal("ssh-ed25519", cert.SignatureAlgorithm);
        Assert.Equal(42UL, cert.Serial);
        Assert.Equal(SshCertificateType.User, cert.Type);
        Assert.Equal("key id with spaces", cert.KeyId);
        Assert.Equal(["alice", "bob"], cert.Principals);
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), cert.ValidAfter);
        Assert.Equal(new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero), cert.ValidBefore);
        Assert.Equal((ulong)new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), cert.ValidAfterRaw);
        Assert.Equal("/bin/echo hi", cert.CriticalOptions["force-command"]);
        Assert.Equal("10.1.2.0/24,192.168.0.1", cert.CriticalOptions["source-address"]);
        Assert.Equal(2, cert.CriticalOptions.Count);
        Assert.NotEqual(0, cert.Nonce.Length);
    }

    [Fact]
    public void Default_extensions_are_all_permit_flags_and_clear_removes_them()
    {
        var defaults = fixture.Sign("ca_ed25519", "user_ed25519", "-n", "alice");
        Assert.Equal(["permit-X11-forwarding", "permit-agent-forwarding", "permit-port-forwarding", "permit-pty", "permit-user-rc"], defaults.Extensions);

        var cleared = fixture.Sign("ca_ed25519", "user_ed25519", "-n", "alice", "-O", "clear", "-O", "permit-port-forwarding");
        Assert.Equal(["permit-port-forwarding"], cleared.Extensions);
        Assert.True(cleared.HasExtension("permit-port-forwarding"));
        Assert.False(cleared.HasExtension("permit-pty"));
        Assert.Empty(cleared.CriticalOptions);
    }

    [Fact]
    public void Always_and_forever_validity_map_to_null_dates()
    {
        var cert = fixture.Sign("ca_ed25519", "user_ed25519", "-n", "alice", "-V", "always:forever");
        Assert.Equal(0UL, cert.ValidAfterRaw);
        Assert.Equal(SshCertificate.Forever, cert.ValidBeforeRaw);
        Assert.Null(cert.ValidAfter);
        Assert.Null(cert.ValidBefore);
    }

    [Fact]
    public void Host_certificate_has_host_type()
    {
        var cert = fixture.Sign("ca_ed25519", "user_ed25519", "-h", "-n", "gw.example.com");
        Assert.Equal(SshCertificateType.Host, cert.Type);
        Assert.Empty(cert.Extensions);
    }

    [Theory]
    [InlineData("ca_ed25519", "ssh-ed25519")]
    [InlineData("ca_ecdsa", "ecdsa-sha2-nistp384")]
    [InlineData("ca_rsa", "rsa-sha2-512")]
    public void Signature_algorithm_is_the_one_the_ca_used(string ca, string expected)
    {
        Assert.Equal(expected, fixture.Sign(ca, "user_rsa", "-n", "alice").SignatureAlgorithm);
    }

    [Theory]
    [InlineData("user_ed25519")]
    [InlineData("user_ecdsa")]
    [InlineData("user_rsa")]
    public void Fingerprint_matches_ssh_keygen_and_line_round_trips(string user)
    {
        var path = fixture.SignFile("ca_rsa", user, "-n", "alice");
        var line = File.ReadAllText(path).Trim();
        var cert = Assert.IsType<SshCertificate>(SshKeys.ParseAuthorizedKey(line));
        Assert.Equal(SshKeygen.Fingerprint(path), SshKeys.Fingerprint(cert));
        Assert.Equal(line.Split(' ')[1], SshKeys.FormatAuthorizedKey(cert).Split(' ')[1]);
        Assert.Equal(cert, SshKeys.ParsePublicKey(cert.Blob.Span));
    }

    [Theory]
    [InlineData("user_ed25519")]
    [InlineData("user_ecdsa")]
    [InlineData("user_rsa")]
    public void Certificate_verifies_signatures_of_the_certified_key_under_cert_and_plain_names(string user)
    {
        var cert = fixture.Sign("ca_ed25519", user, "-n", "alice");
        using var certified = new SshCertifiedPrivateKey(fixture.PrivateKey(user), cert);
        Assert.Same(cert, certified.PublicKey);
        var data = "userauth request"u8.ToArray();
        foreach (var algorithm in certified.SignatureAlgorithms)
        {
            var certAlgorithm = SshKeyAlgorithms.ToCertificateAlgorithm(algorithm);
            var signature = certified.Sign(certAlgorithm, data);
            Assert.True(cert.Verify(certAlgorithm, data, signature), certAlgorithm);
            Assert.True(cert.Verify(algorithm, data, signature), algorithm);
            Assert.False(cert.Verify(certAlgorithm, "other"u8, signature));
        }
    }

    [Fact]
    public void Rsa_certificate_refuses_sha1_userauth_signatures()
    {
        var cert = fixture.Sign("ca_ed25519", "user_rsa", "-n", "alice");
        Assert.Equal(["rsa-sha2-512", "rsa-sha2-256"], new SshCertifiedPrivateKey(fixture.PrivateKey("user_rsa"), cert).SignatureAlgorithms);
        Assert.False(cert.Verify("ssh-rsa-cert-v01@openssh.com", "x"u8, new byte[16]));
    }

    [Fact]
    public void Certified_key_must_match_the_certificate()
    {
        var cert = fixture.Sign("ca_ed25519", "user_ed25519", "-n", "alice");
        using var other = fixture.PrivateKey("user_ecdsa");
        Assert.Throws<ArgumentException>(() => new SshCertifiedPrivateKey(other, cert));
    }
}
