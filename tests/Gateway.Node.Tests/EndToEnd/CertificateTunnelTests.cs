using System.Text.Json;
using Gateway.Node.Tests.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// A configured user with no keys of her own, known by an OpenSSH user certificate: the CA is a <c>cert-authority</c> line in
/// <c>trusted_user_ca_keys</c>, the route's ssh_policy names the same CA with <c>ssh_ca</c>, and
/// the real <c>ssh</c> offers the <c>-cert.pub</c> beside its key.
/// </summary>
public sealed class CertificateTunnelTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private NamedUpstream _upstream = null!;
    private TunnelClient _carol = null!;
    private TunnelClient _mallory = null!;
    private GatewayNodeProcess _node = null!;

    public async Task InitializeAsync()
    {
        _upstream = await NamedUpstream.StartAsync("carol-app");
        var ca = await OpenSshKeys.GenerateAsync(_dir, "user-ca", "ed25519");
        var rogueCa = await OpenSshKeys.GenerateAsync(_dir, "rogue-ca", "ed25519");
        _carol = await TunnelClient.CreateAsync(_dir, "carol");
        _mallory = await TunnelClient.CreateAsync(_dir, "mallory");
        await OpenSshKeys.CertifyAsync(ca, _carol.KeyPath + ".pub", "carol", "carol@example.com");
        await OpenSshKeys.CertifyAsync(rogueCa, _mallory.KeyPath + ".pub", "mallory", "carol@example.com");
        var caLine = (await File.ReadAllTextAsync(ca + ".pub")).Trim();
        _node = await GatewayNodeProcess.StartAsync(_dir, $$"""
            trusted_user_ca_keys = ["cert-authority {{caLine}}"]
            # A certificate principal must name a configured user (docs/configuration.md); carol has no keys of her own.
            users = [{ email = "carol@example.com", name = "Carol" }]
            routes = [
              {
                from = "https://certified.example.com"
                to = "{{_upstream.Url}}"
                allow_public_unauthenticated_access = true
                upstream_tunnel { ssh_policy { allow { and = [{ ssh_ca = "{{caLine}}" }, { email { is = "carol@example.com" } }] } } }
              }
            ]
            """);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        await _upstream.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_certificate_from_the_trusted_ca_opens_the_tunnel()
    {
        await using var ssh = _carol.Connect(_node, ["-N", "-v", "-R", "0"]);
        Assert.NotNull(await TunnelClient.WaitForForwardAsync(ssh, Timeout));

        var deadline = DateTime.UtcNow + Timeout;
        (string Body, int Status) reply;
        do reply = Curl.Parse(await Curl.GetAsync(_node, "certified.example.com", "/hello"));
        while (reply.Status == 503 && DateTime.UtcNow < deadline);
        Assert.Equal(200, reply.Status);
        Assert.StartsWith("carol-app ", reply.Body);
    }

    [Fact]
    public async Task Whoami_names_the_certificate_and_its_ca()
    {
        var ssh = new OpenSshClient(_dir, _node.SshPort, _node.HostKeyLine, _carol.KeyPath, user: "carol");
        var result = await ssh.RunAsync("whoami --json", timeout: Timeout);
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal("carol@example.com", root.GetProperty("email").GetString());
        Assert.Equal("certificate", root.GetProperty("auth_method").GetString());
        Assert.Equal("ED25519-CERT", root.GetProperty("key_type").GetString());
        var certificate = root.GetProperty("certificate");
        Assert.Equal("carol", certificate.GetProperty("key_id").GetString());
        Assert.Equal(["carol@example.com"], certificate.GetProperty("principals").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("expires_at").ValueKind);
        var caFingerprint = (await ExternalProcess.RunAsync("ssh-keygen", ["-l", "-E", "sha256", "-f", _dir.File("user-ca.pub")], Timeout)).Stdout.Split(' ')[1];
        Assert.Equal(caFingerprint, certificate.GetProperty("ca_fingerprint").GetString());
    }

    [Fact]
    public async Task A_certificate_from_another_ca_is_refused()
    {
        var result = await _mallory.RunAsync(_node, ["-N", "-R", "0"], Timeout);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Permission denied", result.Stderr);
    }
}
