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

    private static X509Certificate2 LoadCa(string dir) => X509CertificateLoader.LoadCertificateFromFile(Path.Combine(dir, "ca.pem"));

    /// <summary><c>openssl verify</c> of a leaf against the CA in data_dir: the exit code and what it printed.</summary>
    private async Task<(int ExitCode, string Output)> OpensslVerifyAsync(X509Certificate2 leaf)
    {
        var leafPath = Path.Combine(_dir, $"leaf-{Guid.NewGuid():N}.pem");
        File.WriteAllText(leafPath, leaf.ExportCertificatePem());
        var result = await ProcessRunner.RunAsync("openssl", ["verify", "-CAfile", Path.Combine(_dir, "ca.pem"), leafPath], TimeSpan.FromSeconds(30));
        return (result.ExitCode, result.StdOut + result.StdErr);
    }

    [Fact]
    public async Task A_scoped_ca_vouches_only_for_its_route_hosts_for_a_year()
    {
        using var ca = new LocalCertificateAuthority(_dir, nameScope: ["app.example.com", "*.apps.example.net", "127.0.0.9"]);
        var onDisk = LoadCa(_dir);
        var extension = onDisk.Extensions["2.5.29.30"];
        Assert.NotNull(extension);
        Assert.True(extension!.Critical);
        var constraints = LocalCaNameConstraints.Read(onDisk)!;
        Assert.Equal(["app.example.com", "apps.example.net", "localhost"], constraints.DnsNames.Order());
        Assert.InRange((onDisk.NotAfter - onDisk.NotBefore).TotalDays, 365, 366.1);

        // OpenSSL (curl's verifier here) accepts leaves inside the scope...
        foreach (var host in new[] { "app.example.com", "x.apps.example.net", "localhost", "127.0.0.9" })
        {
            var inside = await OpensslVerifyAsync(ca.IssueLeaf(host));
            Assert.True(inside.ExitCode == 0, $"{host}: {inside.Output}");
        }
        // ...and refuses one the CA key signed for any other name or address.
        foreach (var host in new[] { "bank.example.org", "example.com", "127.0.0.1" })
        {
            var outside = await OpensslVerifyAsync(ca.IssueLeaf(host));
            Assert.NotEqual(0, outside.ExitCode);
            Assert.Contains("subtree violation", outside.Output);
        }
        // Select never even issues one outside the scope: the default host's leaf answers.
        Assert.True(ca.Select("bank.example.org").MatchesHostname("localhost"));
    }

    [Fact]
    public void A_ca_without_constraints_or_too_narrow_for_the_routes_is_replaced_and_one_that_covers_them_is_kept()
    {
        string unconstrained, narrow;
        using (var first = new LocalCertificateAuthority(_dir))
            unconstrained = first.CaCertificate.Thumbprint;
        using (var second = new LocalCertificateAuthority(_dir, nameScope: ["a.example.com", "b.example.com"]))
            narrow = second.CaCertificate.Thumbprint;
        Assert.NotEqual(unconstrained, narrow);
        // A route removed: the CA still covers what is left, so clients keep trusting it.
        using (var third = new LocalCertificateAuthority(_dir, nameScope: ["a.example.com"]))
            Assert.Equal(narrow, third.CaCertificate.Thumbprint);
        // A route added outside the constraints: a new CA.
        using var fourth = new LocalCertificateAuthority(_dir, nameScope: ["a.example.com", "c.example.com"]);
        Assert.NotEqual(narrow, fourth.CaCertificate.Thumbprint);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir, "ca-key.pem")));
    }

    [Fact]
    public void Name_constraints_read_back_what_was_written_and_permit_by_suffix_at_a_label_boundary()
    {
        var written = LocalCaNameConstraints.For(["*.Apps.Test.", "one.test", "::1", "10.0.0.1"]);
        Assert.True(written.Permits("apps.test"));
        Assert.True(written.Permits("a.b.apps.test"));
        Assert.False(written.Permits("evilapps.test"));
        Assert.True(written.Permits("[::1]"));
        Assert.False(written.Permits("10.0.0.2"));
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=t", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(written.ToExtension());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        var read = LocalCaNameConstraints.Read(cert)!;
        Assert.Equal(written.DnsNames.Order(), read.DnsNames.Order());
        Assert.Equal(written.Addresses.OrderBy(a => a.ToString()), read.Addresses.OrderBy(a => a.ToString()));
        Assert.True(written.IsWithin(read) && read.IsWithin(written));
    }
}
