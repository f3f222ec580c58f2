using Gateway.Testing;
using System.Security.Cryptography.X509Certificates;
using Gateway.Node.Tests.Http.Support;
using Gateway.Node.Http;

namespace Gateway.Node.Tests.Http;

public sealed class LocalCertificateAuthorityTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string _dir => _temp.Path;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_stale_world_readable_tmp_file_does_not_leak_its_mode_into_the_ca_key()
    {
        // An interrupted earlier start can leave ca-key.pem.tmp behind, readable by everyone.
        File.WriteAllText(Path.Combine(_dir, "ca-key.pem.tmp"), "stale");
        File.SetUnixFileMode(Path.Combine(_dir, "ca-key.pem.tmp"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        using (new LocalCertificateAuthority(_dir)) { }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir, "ca-key.pem")));
        Assert.False(File.Exists(Path.Combine(_dir, "ca-key.pem.tmp")));
    }

    [Fact]
    public void A_stale_world_readable_tmp_file_does_not_leak_its_mode_into_a_generated_host_key()
    {
        var stale = Path.Combine(_dir, SshSessions.HostKeyStore.Ed25519FileName + ".tmp");
        File.WriteAllText(stale, "stale");
        File.SetUnixFileMode(stale, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var keys = SshSessions.HostKeyStore.Load(new Gateway.Config.GatewayConfig { DataDir = _dir }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        Assert.Equal(2, keys.Count);
        foreach (var name in new[] { SshSessions.HostKeyStore.Ed25519FileName, SshSessions.HostKeyStore.RsaFileName })
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir, name)));
        Assert.False(File.Exists(stale));
    }

    [Fact]
    public void Ca_is_created_once_and_reloaded_from_data_dir()
    {
        string thumbprint;
        using (var first = new LocalCertificateAuthority(_dir))
            thumbprint = first.CaCertificate.Thumbprint;
        Assert.True(File.Exists(Path.Combine(_dir, "ca.pem")));
        Assert.True(File.Exists(Path.Combine(_dir, "ca-key.pem")));
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", File.ReadAllText(Path.Combine(_dir, "ca.pem")));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(Path.Combine(_dir, "ca-key.pem")));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir, "ca-key.pem")));

        using var second = new LocalCertificateAuthority(_dir);
        Assert.Equal(thumbprint, second.CaCertificate.Thumbprint);
    }

    [Fact]
    public void Leaf_is_ecdsa_p256_for_the_host_valid_90_days_and_chains_to_the_ca()
    {
        using var ca = new LocalCertificateAuthority(_dir);
        var leaf = ca.Select("App.Example.com");
        Assert.Same(leaf, ca.Select("app.example.com"));
        Assert.True(leaf.HasPrivateKey);
        Assert.Equal("1.2.840.10045.2.1", leaf.PublicKey.Oid.Value);
        var san = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["app.example.com"], san.EnumerateDnsNames());
        var lifetime = leaf.NotAfter - leaf.NotBefore;
        Assert.InRange(lifetime.TotalDays, 90, 90.1);

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca.CaCertificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(leaf));
        Assert.True(leaf.MatchesHostname("app.example.com"));
        Assert.False(leaf.MatchesHostname("other.example.com"));
    }

    [Fact]
    public void Leaf_usages_read_by_concurrent_handshakes_always_include_server_authentication()
    {
        // Kestrel reads the selected certificate's Extended Key Usage on every handshake; the
        // first handshakes for a new name come at once. Each must see the whole usage list.
        using var ca = new LocalCertificateAuthority(_dir);
        const string serverAuth = "1.3.6.1.5.5.7.3.1";
        for (var host = 0; host < 200; host++)
        {
            var leaf = ca.Select($"h{host}.race.test");
            using var start = new Barrier(16);
            var seen = new bool[16];
            var readers = Enumerable.Range(0, 16).Select(i => new Thread(() =>
            {
                start.SignalAndWait();
                var usage = leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single();
                seen[i] = usage.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Any(o => o.Value == serverAuth);
            })).ToList();
            readers.ForEach(t => t.Start());
            readers.ForEach(t => t.Join());
            Assert.All(seen, Assert.True);
        }
    }

    [Fact]
    public void Unaccepted_names_get_the_default_leaf()
    {
        using var ca = new LocalCertificateAuthority(_dir, acceptHost: h => h.EndsWith(".ok.test", StringComparison.Ordinal));
        Assert.True(ca.Select("a.ok.test").MatchesHostname("a.ok.test"));
        Assert.True(ca.Select("evil.test").MatchesHostname("localhost"));
        Assert.True(ca.Select(null).MatchesHostname("localhost"));
    }

    [Fact]
    public async Task Curl_trusts_the_gateway_with_cacert_from_data_dir()
    {
        await using var upstream = await UpstreamServer.StartAsync("one");
        var dialer = new TestTunnelDialer();
        dialer.MapEndpoint("ep1", upstream.EndPoint);
        await using var gateway = await GatewayTestHost.StartAsync(dialer, [Routes.Public("r1", "ca.test", "http://localhost:3000")]);
        gateway.Config.UpdateEndpoints("r1", ["ep1"]);

        Assert.Equal(Path.Combine(gateway.DataDir, "ca.pem"), gateway.CaPath);
        var trusted = await ProcessRunner.CurlAsync(gateway.CaPath, "ca.test", gateway.Port, "/");
        Assert.Equal(0, trusted.ExitCode);
        Assert.Contains("name=one;", trusted.StdOut);

        // Without the CA curl refuses: the certificate really is from the generated authority.
        var untrusted = await ProcessRunner.RunAsync("curl",
            ["-sS", "--max-time", "30", "--resolve", $"ca.test:{gateway.Port}:127.0.0.1", $"https://ca.test:{gateway.Port}/"],
            TimeSpan.FromSeconds(60));
        Assert.Equal(60, untrusted.ExitCode);
    }

    [Fact]
    public void Configured_selector_picks_by_sni_with_wildcards()
    {
        using var ca = new LocalCertificateAuthority(_dir);
        using var exact = ca.IssueLeaf("api.example.com");
        using var other = ca.IssueLeaf("www.other.com");
        var selector = new ConfiguredCertificateSelector([other, exact]);
        Assert.Same(exact, selector.Select("API.example.com"));
        Assert.Same(other, selector.Select("unknown.test"));
        Assert.Same(other, selector.Select(null));
    }
}
