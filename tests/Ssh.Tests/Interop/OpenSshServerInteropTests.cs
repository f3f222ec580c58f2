using Gateway.Ssh.Client;
using Gateway.Ssh.Keys;
using Gateway.Testing;

namespace Gateway.Ssh.Tests.Interop;

/// <summary>Our client against the real OpenSSH sshd: host key pinned, a key and a CA certificate.</summary>
public sealed class OpenSshServerInteropTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private OpenSshServer _sshd = null!;
    private SshPrivateKey _userKey = null!;
    private string _caPath = null!;

    public async Task InitializeAsync()
    {
        _userKey = SshKeys.Generate(SshKeyKind.Ed25519);
        _caPath = await OpenSshKeys.GenerateAsync(_dir, "ca", "ed25519");
        _sshd = await OpenSshServer.StartAsync(_dir, SshKeys.FormatAuthorizedKey(_userKey.PublicKey) + "\n", File.ReadAllText(_caPath + ".pub"));
    }

    public async Task DisposeAsync()
    {
        await _sshd.DisposeAsync();
        _dir.Dispose();
    }

    private SshClientOptions Options(SshPrivateKey key, string? cipher = null)
    {
        var algorithms = new Gateway.Ssh.Transport.SshAlgorithmPreferences();
        if (cipher is not null) algorithms.Ciphers = [cipher];
        return new SshClientOptions
        {
            Username = Environment.UserName,
            Keys = [key],
            KnownHostKeys = [SshKeys.ParseAuthorizedKey(_sshd.HostPublicKey)],
            Algorithms = algorithms,
        };
    }

    [Theory]
    [InlineData("chacha20-poly1305@openssh.com")]
    [InlineData("aes256-gcm@openssh.com")]
    [InlineData("aes128-gcm@openssh.com")]
    [InlineData("aes256-ctr")]
    public async Task Key_login_runs_commands(string cipher)
    {
        await using var client = await SshClient.ConnectAsync("127.0.0.1", _sshd.Port, Options(_userKey, cipher));
        var result = await client.RunAsync("echo hello; echo oops >&2; exit 3");
        Assert.Equal("hello\n", System.Text.Encoding.UTF8.GetString(result.Output));
        Assert.Equal("oops\n", result.Error);
        Assert.Equal(3u, result.ExitStatus);

        var data = System.Security.Cryptography.RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        var sum = await client.RunAsync("sha256sum", data);
        Assert.StartsWith(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data)), System.Text.Encoding.ASCII.GetString(sum.Output));
    }

    [Fact]
    public async Task Certificate_login_is_accepted()
    {
        var keyPath = _dir.WritePrivate("cert_user", SshKeys.ExportPrivateKey(SshKeys.Generate(SshKeyKind.Ed25519)));
        var key = SshKeys.LoadPrivateKey(await File.ReadAllTextAsync(keyPath));
        await File.WriteAllTextAsync(keyPath + ".pub", SshKeys.FormatAuthorizedKey(key.PublicKey) + "\n");
        var certPath = await OpenSshKeys.CertifyAsync(_caPath, keyPath + ".pub", "our-client", Environment.UserName);
        var certificate = (SshCertificate)SshKeys.ParseAuthorizedKey(await File.ReadAllTextAsync(certPath));

        await using var client = await SshClient.ConnectAsync("127.0.0.1", _sshd.Port, Options(new SshCertifiedPrivateKey(key, certificate)));
        var result = await client.RunAsync("echo certified");
        Assert.Equal("certified\n", System.Text.Encoding.UTF8.GetString(result.Output));
        Assert.Contains("Accepted publickey", _sshd.Log);
        Assert.Contains("ID our-client", _sshd.Log);
    }

    [Fact]
    public async Task Unknown_host_key_is_refused()
    {
        var wrong = new SshClientOptions { Username = "root", Keys = [_userKey], KnownHostKeys = [SshKeys.Generate(SshKeyKind.Ed25519).PublicKey] };
        await Assert.ThrowsAnyAsync<Exception>(() => SshClient.ConnectAsync("127.0.0.1", _sshd.Port, wrong));
    }

    [Fact]
    public async Task Direct_tcpip_reaches_a_service_behind_sshd()
    {
        await using var echo = new LoopbackEchoServer();
        await using var client = await SshClient.ConnectAsync("127.0.0.1", _sshd.Port, Options(_userKey));
        await using var channel = await client.Connection.OpenDirectTcpIpAsync("127.0.0.1", (uint)echo.Port, "127.0.0.1", 40000);
        var payload = System.Security.Cryptography.RandomNumberGenerator.GetBytes(1024 * 1024);
        var reading = Task.Run(async () => { var b = new byte[payload.Length]; await channel.Stream.ReadExactlyAsync(b); return b; });
        await channel.Stream.WriteAsync(payload);
        Assert.Equal(payload, await reading.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
