using System.Net;
using Gateway.Ssh.Keys;

namespace Gateway.Ssh.Tests.Keys;

/// <summary>The validator accepts and refuses ssh-keygen certificates exactly as OpenSSH's checks would.</summary>
public class CertificateValidationTests(CertificateFixture fixture) : IClassFixture<CertificateFixture>
{
    private static readonly IPAddress Peer = IPAddress.Parse("10.1.2.7");

    private SshCertificateValidation Validate(SshCertificate cert, string? principal = "alice@example.com", IPAddress? source = null,
        SshCertificateType type = SshCertificateType.User, IReadOnlyCollection<SshPublicKey>? trusted = null) =>
        SshCertificateValidator.Validate(cert, trusted ?? fixture.TrustedCas, type, principal, source ?? Peer, DateTimeOffset.UtcNow);

    public static TheoryData<string, string> CaAndUser()
    {
        var data = new TheoryData<string, string>();
        foreach (var ca in CertificateFixture.CaNames)
            foreach (var user in CertificateFixture.UserNames)
                data.Add(ca, user);
        return data;
    }

    [Theory]
    [MemberData(nameof(CaAndUser))]
    public void Valid_certificate_is_accepted_for_every_ca_and_user_key_type(string ca, string user)
    {
        var cert = fixture.Sign(ca, user, "-n", "alice@example.com", "-V", "+1h");
        var result = Validate(cert);
        Assert.True(result.Success, result.Error);
        Assert.Null(result.Error);
        Assert.True(result.PermitsPortForwarding);
        Assert.True(result.PermitsPty);
        Assert.Null(result.ForceCommand);
    }

    [Fact]
    public void Expired_certificate_is_refused()
    {
        var result = Validate(fixture.Sign("ca_ed25519", "user_ed25519", "-n", "alice@example.com", "-V", "-2h:-1h"));
        Assert.False(result.Success);
        Assert.StartsWith("Certificate has expired", result.Error);
    }

    [Fact]
    public void Not_yet_valid_certificate_is_refused()
    {
        var result = Validate(fixture.Sign("ca_ecdsa", "user_rsa", "-n", "alice@example.com", "-V", "+1h:+2h"));
        Assert.False(result.Success);
        Assert.StartsWith("Certificate is not yet valid", result.Error);
    }

    [Fact]
    public void Validity_window_is_inclusive_at_start_and_exclusive_at_end()
    {
        var cert = fixture.Sign("ca_ed25519", "user_ed25519", "-n", "alice@example.com", "-V", "20300101000000Z:20300101010000Z");
        var start = cert.ValidAfter!.Value;
        var end = cert.ValidBefore!.Value;
        Assert.True(SshCertificateValidator.Validate(cert, fixture.TrustedCas, SshCertificateType.User, "alice@example.com", Peer, start).Success);
        Assert.True(SshCertificateValidator.Validate(cert, fixture.TrustedCas, SshCertificateType.User, "alice@example.com", Peer, end.AddSeconds(-1)).Success);
        Assert.StartsWith("Certificate has expired", SshCertificateValidator.Validate(cert, fixture.TrustedCas, SshCertificateType.User, "alice@example.com", Peer, end).Error);
        Assert.StartsWith("Certificate is not yet valid", SshCertificateValidator.Validate(cert, fixture.TrustedCas, SshCertificateType.User, "alice@example.com", Peer, start.AddSeconds(-1)).Error);
    }

    [Fact]
    public void Wrong_principal_is_refused()
    {
        var cert = fixture.Sign("ca_rsa", "user_ed25519", "-n", "other", "-V", "+1h");
        var result = Validate(cert);
        Assert.False(result.Success);
        Assert.Equal("Certificate principal list does not include \"alice@example.com\"", result.Error);
        Assert.True(Validate(cert, principal: "other").Success);
        Assert.True(Validate(cert, principal: null).Success);
    }

    [Fact]
    public void Certificate_without_principals_is_refused_even_without_a_principal_to_match()
    {
        var cert = fixture.Sign("ca_ed25519", "user_ed25519", "-V", "+1h");
        Assert.Empty(cert.Principals);
        Assert.Equal("Certificate lacks principal list", Validate(cert).Error);
        Assert.Equal("Certificate lacks principal list", Validate(cert, principal: null).Error);
    }

    [Fact]
    public void Certificate_from_an_untrusted_ca_is_refused()
    {
        var cert = fixture.Sign("other_ca", "user_ecdsa", "-n", "alice@example.com", "-V", "+1h");
        var result = Validate(cert);
        Assert.False(result.Success);
        Assert.Equal($"Certificate CA key ssh-ed25519 {SshKeys.Fingerprint(fixture.PublicKey("other_ca"))} is not a trusted CA", result.Error);
        Assert.True(Validate(cert, trusted: [fixture.PublicKey("other_ca")]).Success);
    }

    [Fact]
    public void Sha1_rsa_ca_signature_is_refused_by_name()
    {
        var cert = fixture.Sign("ca_rsa", "user_ed25519", "-t", "ssh-rsa", "-n", "alice@example.com", "-V", "+1h");
        Assert.Equal("ssh-rsa", cert.SignatureAlgorithm);
        Assert.Equal("Certificate signature algorithm ssh-rsa is not allowed", Validate(cert).Error);
    }

    [Fact]
    public void Tampered_certificate_fails_the_ca_signature_check()
    {
        var cert = fixture.Sign("ca_ed25519", "user_ed25519", "-n", "alice@example.com", "-V", "+1h");
        var blob = cert.Blob.ToArray();
        // First byte of the nonce: after the type string and the nonce's length.
        blob[4 + cert.KeyType.Length + 4] ^= 0xFF;
        var tampered = Assert.IsType<SshCertificate>(SshKeys.ParsePublicKey(blob));
        Assert.Equal("Certificate CA signature (ssh-ed25519) is invalid", Validate(tampered).Error);
    }

    [Fact]
    public void Host_certificate_is_refused_where_a_user_certificate_is_expected_and_vice_versa()
    {
        var host = fixture.Sign("ca_ed25519", "user_ed25519", "-h", "-n", "gw.example.com", "-V", "+1h");
        Assert.Equal("Certificate type is host, expected user", Validate(host, principal: "gw.example.com").Error);
        Assert.True(Validate(host, principal: "gw.example.com", type: SshCertificateType.Host).Success);

        var user = fixture.Sign("ca_ed25519", "user_ed25519", "-n", "alice@example.com", "-V", "+1h");
        Assert.Equal("Certificate type is user, expected host", Validate(user, type: SshCertificateType.Host).Error);
    }

    [Fact]
    public void Host_certificate_principal_wildcards_apply_only_when_asked()
    {
        var host = fixture.Sign("ca_ecdsa", "user_ed25519", "-h", "-n", "*.gw.example.com", "-V", "+1h");
        SshCertificateValidation Check(string name, bool wildcards) =>
            SshCertificateValidator.Validate(host, fixture.TrustedCas, SshCertificateType.Host, name, null, DateTimeOffset.UtcNow, wildcards);
        Assert.True(Check("node1.gw.example.com", wildcards: true).Success);
        Assert.False(Check("node1.other.example.com", wildcards: true).Success);
        Assert.False(Check("node1.gw.example.com", wildcards: false).Success);
        Assert.True(Check("*.gw.example.com", wildcards: false).Success);
    }

    [Fact]
    public void Source_address_option_is_enforced()
    {
        var cert = fixture.Sign("ca_ed25519", "user_rsa", "-n", "alice@example.com", "-V", "+1h", "-O", "source-address=10.1.2.0/24,2001:db8::/32");
        Assert.True(Validate(cert, source: IPAddress.Parse("10.1.2.7")).Success);
        Assert.True(Validate(cert, source: IPAddress.Parse("10.1.2.255")).Success);
        Assert.True(Validate(cert, source: IPAddress.Parse("::ffff:10.1.2.7")).Success);
        Assert.True(Validate(cert, source: IPAddress.Parse("2001:db8:1::5")).Success);
        Assert.Equal("Certificate source-address option does not permit 10.1.3.7", Validate(cert, source: IPAddress.Parse("10.1.3.7")).Error);
        Assert.False(Validate(cert, source: IPAddress.Parse("2001:db9::1")).Success);
        Assert.Equal("Certificate source-address option is set but the source address is unknown",
            SshCertificateValidator.Validate(cert, fixture.TrustedCas, SshCertificateType.User, "alice@example.com", null, DateTimeOffset.UtcNow).Error);
    }

    [Fact]
    public void Force_command_and_verify_required_are_exposed()
    {
        var cert = fixture.Sign("ca_ecdsa", "user_ecdsa", "-n", "alice@example.com", "-V", "+1h",
            "-O", "force-command=/usr/bin/tunnel-only --flag", "-O", "verify-required");
        var result = Validate(cert);
        Assert.True(result.Success, result.Error);
        Assert.Equal("/usr/bin/tunnel-only --flag", result.ForceCommand);
        Assert.True(result.VerifyRequired);
        Assert.Null(cert.CriticalOptions["verify-required"]);
    }

    [Fact]
    public void Unknown_critical_option_is_refused()
    {
        var cert = fixture.Sign("ca_ed25519", "user_ed25519", "-n", "alice@example.com", "-V", "+1h", "-O", "critical:unknown@example.com=x");
        Assert.Equal("Certificate has unsupported critical option \"unknown@example.com\"", Validate(cert).Error);
    }

    [Fact]
    public void Unknown_extension_is_ignored()
    {
        var cert = fixture.Sign("ca_ed25519", "user_ed25519", "-n", "alice@example.com", "-V", "+1h", "-O", "clear", "-O", "extension:custom@example.com");
        var result = Validate(cert);
        Assert.True(result.Success, result.Error);
        Assert.Equal(["custom@example.com"], result.Extensions);
        Assert.False(result.PermitsPortForwarding);
    }
}
