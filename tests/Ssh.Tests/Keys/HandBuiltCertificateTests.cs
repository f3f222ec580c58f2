using System.Net;
using Gateway.Ssh.Keys;

namespace Gateway.Ssh.Tests.Keys;

/// <summary>Structural rules for certificates that ssh-keygen would never break.</summary>
public sealed class HandBuiltCertificateTests : IDisposable
{
    private readonly SshPrivateKey _ca = SshKeys.Generate(SshKeyKind.Ed25519);
    private readonly SshPrivateKey _user = SshKeys.Generate(SshKeyKind.EcdsaP256);

    public void Dispose()
    {
        _ca.Dispose();
        _user.Dispose();
    }

    private CertificateBuilder Builder() => new(_user.PublicKey, _ca);

    private SshCertificateValidation Validate(SshCertificate cert, IPAddress? source = null) =>
        SshCertificateValidator.Validate(cert, [_ca.PublicKey], SshCertificateType.User, "alice", source ?? IPAddress.Loopback, DateTimeOffset.UtcNow);

    [Fact]
    public void Builder_output_is_a_valid_certificate()
    {
        var builder = Builder();
        builder.CriticalOptions.Add(("force-command", CertificateBuilder.StringValue("true")));
        builder.Extensions.Add(("permit-pty", []));
        var cert = Assert.IsType<SshCertificate>(SshKeys.ParsePublicKey(builder.Build()));
        var result = Validate(cert);
        Assert.True(result.Success, result.Error);
        Assert.Equal("true", result.ForceCommand);
        Assert.Equal(["permit-pty"], cert.Extensions);
    }

    [Fact]
    public void Ca_key_that_is_a_certificate_is_refused_first()
    {
        var caCert = new CertificateBuilder(_ca.PublicKey, _ca).Build();
        var builder = Builder();
        builder.SignatureKeyBlob = caCert;
        var cert = Assert.IsType<SshCertificate>(SshKeys.ParsePublicKey(builder.Build()));
        Assert.IsType<SshCertificate>(cert.SignatureKey);
        Assert.Equal("Certificate signature key is itself a certificate; a CA key must be a plain key", Validate(cert).Error);
    }

    [Fact]
    public void Certificates_nested_three_deep_do_not_parse()
    {
        var level1 = new CertificateBuilder(_ca.PublicKey, _ca).Build();
        var level2 = new CertificateBuilder(_ca.PublicKey, _ca) { SignatureKeyBlob = level1 }.Build();
        var level3 = new CertificateBuilder(_user.PublicKey, _ca) { SignatureKeyBlob = level2 }.Build();
        Assert.Throws<SshProtocolException>(() => SshKeys.ParsePublicKey(level3));
    }

    [Fact]
    public void Unsorted_or_duplicate_options_do_not_parse()
    {
        var unsorted = Builder();
        unsorted.CriticalOptions.Add(("source-address", CertificateBuilder.StringValue("10.0.0.0/8")));
        unsorted.CriticalOptions.Add(("force-command", CertificateBuilder.StringValue("true")));
        Assert.Contains("not sorted", Assert.Throws<SshProtocolException>(() => SshKeys.ParsePublicKey(unsorted.Build())).Message);

        var duplicate = Builder();
        duplicate.Extensions.Add(("permit-pty", []));
        duplicate.Extensions.Add(("permit-pty", []));
        Assert.Throws<SshProtocolException>(() => SshKeys.ParsePublicKey(duplicate.Build()));
    }

    [Fact]
    public void Critical_option_data_must_be_empty_or_one_string()
    {
        var builder = Builder();
        builder.CriticalOptions.Add(("force-command", [0, 0, 0, 9, 1]));
        Assert.Throws<SshProtocolException>(() => SshKeys.ParsePublicKey(builder.Build()));

        var twoStrings = Builder();
        twoStrings.CriticalOptions.Add(("force-command", [.. CertificateBuilder.StringValue("a"), .. CertificateBuilder.StringValue("b")]));
        Assert.Throws<SshProtocolException>(() => SshKeys.ParsePublicKey(twoStrings.Build()));
    }

    [Fact]
    public void Principal_count_is_bounded_at_256()
    {
        var ok = Builder();
        ok.Principals.Clear();
        ok.Principals.AddRange(Enumerable.Range(0, 256).Select(i => "p" + i));
        Assert.Equal(256, Assert.IsType<SshCertificate>(SshKeys.ParsePublicKey(ok.Build())).Principals.Count);

        var tooMany = Builder();
        tooMany.Principals.Clear();
        tooMany.Principals.AddRange(Enumerable.Range(0, 257).Select(i => "p" + i));
        Assert.Throws<SshProtocolException>(() => SshKeys.ParsePublicKey(tooMany.Build()));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(3u)]
    public void Unknown_certificate_type_does_not_parse(uint type)
    {
        Assert.Throws<SshProtocolException>(() => SshKeys.ParsePublicKey(new CertificateBuilder(_user.PublicKey, _ca) { Type = type }.Build()));
    }

    [Fact]
    public void Trailing_bytes_do_not_parse()
    {
        Assert.Throws<SshProtocolException>(() => SshKeys.ParsePublicKey(new CertificateBuilder(_user.PublicKey, _ca) { Trailer = [0] }.Build()));
    }

    [Fact]
    public void Signature_algorithm_that_does_not_match_the_ca_key_fails_the_signature_check()
    {
        using var rsaCa = SshKeys.Generate(SshKeyKind.Rsa, 2048);
        var builder = new CertificateBuilder(_user.PublicKey, rsaCa) { SignatureAlgorithm = "rsa-sha2-256" };
        var cert = Assert.IsType<SshCertificate>(SshKeys.ParsePublicKey(builder.Build()));
        Assert.True(SshCertificateValidator.Validate(cert, [rsaCa.PublicKey], SshCertificateType.User, "alice", null, DateTimeOffset.UtcNow).Success);

        // The same bytes claimed to be rsa-sha2-512: blob algorithm and CA signature no longer agree.
        var blob = builder.Build();
        var text = System.Text.Encoding.ASCII.GetBytes("rsa-sha2-256");
        var at = blob.AsSpan().LastIndexOf(text);
        System.Text.Encoding.ASCII.GetBytes("rsa-sha2-512").CopyTo(blob, at);
        var relabelled = Assert.IsType<SshCertificate>(SshKeys.ParsePublicKey(blob));
        Assert.Equal("rsa-sha2-512", relabelled.SignatureAlgorithm);
        Assert.StartsWith("Certificate CA signature", SshCertificateValidator.Validate(relabelled, [rsaCa.PublicKey], SshCertificateType.User, "alice", null, DateTimeOffset.UtcNow).Error);
    }

    [Theory]
    [InlineData("10.1.2.3/24")]
    [InlineData("not-an-address")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/")]
    [InlineData("")]
    public void Malformed_source_address_list_is_refused(string list)
    {
        var builder = Builder();
        builder.CriticalOptions.Add(("source-address", CertificateBuilder.StringValue(list)));
        var cert = Assert.IsType<SshCertificate>(SshKeys.ParsePublicKey(builder.Build()));
        var result = Validate(cert);
        Assert.False(result.Success);
        Assert.StartsWith("Certificate source-address option", result.Error);
    }

    [Fact]
    public void Single_host_source_address_matches_only_that_host()
    {
        var builder = Builder();
        builder.CriticalOptions.Add(("source-address", CertificateBuilder.StringValue("192.0.2.5,2001:db8::1/128")));
        var cert = Assert.IsType<SshCertificate>(SshKeys.ParsePublicKey(builder.Build()));
        Assert.True(Validate(cert, IPAddress.Parse("192.0.2.5")).Success);
        Assert.True(Validate(cert, IPAddress.Parse("2001:db8::1")).Success);
        Assert.False(Validate(cert, IPAddress.Parse("192.0.2.6")).Success);
        Assert.False(Validate(cert, IPAddress.Parse("2001:db8::2")).Success);
    }

    [Fact]
    public void Empty_force_command_and_valued_verify_required_are_refused()
    {
        var noCommand = Builder();
        noCommand.CriticalOptions.Add(("force-command", []));
        Assert.Equal("Certificate force-command option has no command", Validate((SshCertificate)SshKeys.ParsePublicKey(noCommand.Build())).Error);

        var valued = Builder();
        valued.CriticalOptions.Add(("verify-required", CertificateBuilder.StringValue("yes")));
        Assert.Equal("Certificate verify-required option must be empty", Validate((SshCertificate)SshKeys.ParsePublicKey(valued.Build())).Error);
    }
}
