using Gateway.Ssh.Keys;
using Gateway.Testing;

namespace Gateway.Ssh.Tests.Interop;

/// <summary>
/// OpenSSH user certificates made by ssh-keygen, presented by the real ssh client: a valid one
/// logs in; an expired one, one for another principal and one from an untrusted CA do not.
/// </summary>
public sealed class CertificateInteropTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private TestSshServer _server = null!;
    private string _ca = null!;
    private string _otherCa = null!;

    public async Task InitializeAsync()
    {
        _ca = await OpenSshKeys.GenerateAsync(_dir, "ca", "ed25519");
        _otherCa = await OpenSshKeys.GenerateAsync(_dir, "other_ca", "ecdsa", 256);
        var trusted = SshKeys.ParseAuthorizedKey(await File.ReadAllTextAsync(_ca + ".pub"));
        _server = TestSshServer.Start(authorizedKeys: [], trustedCaKeys: [trusted]);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<ProcessResult> LoginWithCertificateAsync(string keyType, int? bits, string ca, string principals, string validity)
    {
        var key = await OpenSshKeys.GenerateAsync(_dir, "user_" + Guid.NewGuid().ToString("N")[..6], keyType, bits);
        await OpenSshKeys.CertifyAsync(ca, key + ".pub", "alice-cert", principals, validity);
        var client = new OpenSshClient(_dir, _server.Port, _server.HostKeyLine(), key);
        return await client.RunAsync("echo certified", options: ["CertificateFile=" + key + "-cert.pub"], flags: ["-v"]);
    }

    [Theory]
    [InlineData("ed25519", null)]
    [InlineData("ecdsa", 256)]
    [InlineData("rsa", 3072)]
    public async Task Valid_certificate_logs_in(string keyType, int? bits)
    {
        var result = await LoginWithCertificateAsync(keyType, bits, _ca, "alice", "-5m:+1h");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("certified\n", result.Stdout);
        Assert.Contains("-CERT SHA256:", result.Stderr);
    }

    [Fact]
    public async Task Expired_certificate_is_refused()
    {
        var result = await LoginWithCertificateAsync("ed25519", null, _ca, "alice", "-2h:-1h");
        Assert.Equal(255, result.ExitCode);
        Assert.Contains("Permission denied", result.Stderr);
    }

    [Fact]
    public async Task Certificate_for_another_principal_is_refused()
    {
        var result = await LoginWithCertificateAsync("ed25519", null, _ca, "bob", "-5m:+1h");
        Assert.Equal(255, result.ExitCode);
        Assert.Contains("Permission denied", result.Stderr);
    }

    [Fact]
    public async Task Certificate_from_an_untrusted_ca_is_refused()
    {
        var result = await LoginWithCertificateAsync("ed25519", null, _otherCa, "alice", "-5m:+1h");
        Assert.Equal(255, result.ExitCode);
        Assert.Contains("Permission denied", result.Stderr);
    }
}
