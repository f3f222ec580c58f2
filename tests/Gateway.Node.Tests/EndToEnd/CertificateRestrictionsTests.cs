using Gateway.Node.Tests.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// OpenSSH user certificates made by the real <c>ssh-keygen -s</c>, used by the real <c>ssh</c>
/// against a node: the identity is the configured user's record whatever the principal's case,
/// principals that name no configured user are refused, and the certificate's restrictions
/// (<c>no-port-forwarding</c>, <c>no-pty</c>, <c>force-command</c>) are honoured.
/// </summary>
public sealed class CertificateRestrictionsTests : IClassFixture<CertificateRestrictionsTests.Fixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly Fixture _f;

    public CertificateRestrictionsTests(Fixture fixture) => _f = fixture;

    /// <summary>One node, one CA and one certified key per case, for the whole class.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public TempDirectory Dir { get; } = new();
        public NamedUpstream App { get; private set; } = null!;
        public GatewayNodeProcess Node { get; private set; } = null!;
        public TunnelClient MixedCase { get; private set; } = null!;
        public TunnelClient Stranger { get; private set; } = null!;
        public TunnelClient NoForwarding { get; private set; } = null!;
        public TunnelClient NoPty { get; private set; } = null!;
        public TunnelClient Forced { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            App = await NamedUpstream.StartAsync("cert-app");
            var ca = await OpenSshKeys.GenerateAsync(Dir, "user_ca", "ed25519");
            var caLine = (await File.ReadAllTextAsync(ca + ".pub")).Trim();
            MixedCase = await CertifiedAsync(ca, "mixed", "Tester@gateway.test");
            Stranger = await CertifiedAsync(ca, "stranger", "nobody@elsewhere.test");
            NoForwarding = await CertifiedAsync(ca, "nofwd", "tester@gateway.test", "no-port-forwarding");
            NoPty = await CertifiedAsync(ca, "nopty", "tester@gateway.test", "no-pty");
            Forced = await CertifiedAsync(ca, "forced", "tester@gateway.test", "force-command=/bin/false");
            Node = await GatewayNodeProcess.StartAsync(Dir, $$"""
                users = [ { email = "tester@gateway.test" } ]
                trusted_user_ca_keys = ["{{caLine}}"]
                routes = [
                  {
                    from = "https://https-allowed.gateway.test"
                    to = "{{App.Url}}"
                    allow_public_unauthenticated_access = true
                    upstream_tunnel { ssh_policy { allow { or = [{ email { is = "tester@gateway.test" } }] } } }
                  }
                  {
                    from = "https://https-denied.gateway.test"
                    to = "{{App.Url}}"
                    allow_public_unauthenticated_access = true
                    upstream_tunnel {
                      ssh_policy {
                        allow { or = [{ accept = true }] }
                        deny { or = [{ email { is = "tester@gateway.test" } }] }
                      }
                    }
                  }
                ]
                """);
        }

        private async Task<TunnelClient> CertifiedAsync(string ca, string name, string principal, params string[] options)
        {
            var client = await TunnelClient.CreateAsync(Dir, name);
            // ssh loads <key>-cert.pub next to the key given with -i.
            await OpenSshKeys.CertifyAsync(ca, client.KeyPath + ".pub", name, principal, "-5m:+1h", options);
            return client;
        }

        public async Task DisposeAsync()
        {
            await Node.DisposeAsync();
            await App.DisposeAsync();
            Dir.Dispose();
        }
    }

    [Fact]
    public async Task Principal_in_another_case_yields_the_configured_users_identity()
    {
        await using var ssh = _f.MixedCase.Connect(_f.Node, ["-N", "-v", "-R", "0"]);
        Assert.NotNull(await TunnelClient.WaitForForwardAsync(ssh, Timeout));

        // Allowed for tester@gateway.test: served.
        var served = await Curl.WaitForStatusAsync(_f.Node, "https-allowed.gateway.test", s => s != 503, Timeout);
        Assert.Equal(200, served.Status);
        // Denied for tester@gateway.test: the certificate's "Tester@" spelling must not slip past it.
        var (_, status) = Curl.Parse(await Curl.GetAsync(_f.Node, "https-denied.gateway.test"));
        Assert.Equal(503, status);
        Assert.Contains("signed in as tester@gateway.test", await StatusHeaderAsync(_f.MixedCase));
    }

    [Fact]
    public async Task Principal_that_is_no_configured_user_is_refused()
    {
        var result = await _f.Stranger.RunAsync(_f.Node, ["-N", "-R", "0"], Timeout);
        Assert.Equal(255, result.ExitCode);
        Assert.Contains("Permission denied", result.Stderr);
        Assert.True(await _f.Node.WaitForLogAsync("no principal is a configured user", Timeout), _f.Node.Log);
    }

    [Fact]
    public async Task Certificate_without_permit_port_forwarding_gets_no_forward()
    {
        await using var ssh = _f.NoForwarding.Connect(_f.Node, ["-N", "-v", "-R", "0"]);
        Assert.Null(await TunnelClient.WaitForForwardAsync(ssh, Timeout));
        Assert.Contains("permit-port-forwarding", ssh.Stderr);
    }

    [Fact]
    public async Task Certificate_without_permit_pty_gets_no_terminal()
    {
        await using var ssh = _f.NoPty.Connect(_f.Node, ["-tt"], redirectStdin: true);
        Assert.True(await ssh.WaitForStderrAsync(s => s.Contains("PTY allocation request failed", StringComparison.Ordinal), Timeout), ssh.Stderr);
        // A terminal asked for with -t/-tt is required by OpenSSH's client: it closes the session
        // (without -t it would carry on without one).
        Assert.True(await ssh.WaitForExitAsync(Timeout), ssh.Stderr);
        Assert.DoesNotContain("signed in as", ssh.Stdout);
    }

    [Fact]
    public async Task Certificate_with_force_command_is_refused_with_a_reason()
    {
        var result = await _f.Forced.RunAsync(_f.Node, ["-N", "-R", "0"], Timeout);
        Assert.Equal(255, result.ExitCode);
        Assert.Contains("force-command", result.Stderr);
        Assert.Contains("runs only its own commands", result.Stderr);
    }

    /// <summary>The first line of the status stream (no command, no pty): who the gateway says you are.</summary>
    private async Task<string> StatusHeaderAsync(TunnelClient client)
    {
        await using var ssh = client.Connect(_f.Node, ["-T"], redirectStdin: true);
        await WaitForStdoutAsync(ssh, "signed in as");
        return ssh.Stdout;
    }

    private static async Task<bool> WaitForStdoutAsync(ExternalProcess ssh, string text)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (ssh.Stdout.Contains(text, StringComparison.Ordinal)) return true;
            await Task.Delay(50);
        }
        return false;
    }
}
