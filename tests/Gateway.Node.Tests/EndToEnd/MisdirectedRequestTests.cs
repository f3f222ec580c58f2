using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Gateway.Node.Http;
using Gateway.Node.Tests.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// A TLS connection made for one route (SNI) that asks for another (Host / :authority): 421 when
/// the two differ in certificate or in access rules; served when they share both, which is what
/// HTTP/2 connection coalescing needs. Real curl against a real node.
/// </summary>
public sealed partial class MisdirectedRequestTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string PublicRoute(string host, string to, string extra = "")
        => $$"""{ from = "https://{{host}}", to = "{{to}}", allow_public_unauthenticated_access = true {{extra}} }""";

    /// <summary>One curl, one connection made for <paramref name="sni"/>: a request for it, then (<c>--next</c>) one per Host.</summary>
    private static async Task<ProcessResult> OnOneConnectionAsync(GatewayNodeProcess node, string caPath, string sni, string protocol, params string[] hosts)
    {
        var port = node.HttpsPort.ToString(CultureInfo.InvariantCulture);
        string[] common = ["-sS", protocol, "--max-time", "30", "--cacert", caPath, "--resolve", $"{sni}:{port}:127.0.0.1", "-w", "\n%{http_code}=====\n"];
        var args = new List<string>(common) { $"https://{sni}:{port}/first" };
        foreach (var host in hosts)
        {
            args.Add("--next");
            args.AddRange(common);
            args.AddRange(["-v", "-H", $"Host: {host}", $"https://{sni}:{port}/as-{host}"]);
        }
        var result = await ExternalProcess.RunAsync("curl", args, TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.Stderr);
        return result;
    }

    private static string[] Statuses(ProcessResult result)
        => result.Stdout.Split("=====\n", StringSplitOptions.RemoveEmptyEntries).Select(part => part[(part.LastIndexOf('\n') + 1)..]).ToArray();

    [Fact]
    public async Task Host_of_a_route_with_another_certificate_answers_421_on_http1_and_http2()
    {
        await using var upstream = await NamedUpstream.StartAsync("app");
        await using var node = await GatewayNodeProcess.StartAsync(_dir, $"""
            routes = [
              {PublicRoute("a.misdirected.test", upstream.Url)}
              {PublicRoute("b.misdirected.test", upstream.Url)}
            ]
            """);

        foreach (var protocol in new[] { "--http1.1", "--http2" })
        {
            // The local CA issues one leaf per host: a's connection has a's certificate, not b's.
            var result = await OnOneConnectionAsync(node, node.CaPath, "a.misdirected.test", protocol, "b.misdirected.test");
            Assert.Equal(["200", "421"], Statuses(result));
            Assert.Contains("421 Misdirected Request", result.Stdout);
            Assert.Contains("connect again to reach b.misdirected.test", result.Stdout);
        }
        Assert.Equal(2, upstream.Requests);
        Assert.Contains("for b.misdirected.test -> 421: the connection was made for route https-a.misdirected.test with another certificate", node.Log);
    }

    [Fact]
    public async Task Routes_sharing_certificate_and_access_share_an_http2_connection_and_others_answer_421()
    {
        // One wildcard certificate for every route, from a CA of the test's own.
        using var ca = new LocalCertificateAuthority(Path.Combine(_dir.Path, "test-ca"));
        using var leaf = ca.IssueLeaf("*.shared.test");
        var certPath = _dir.Write("shared.pem", leaf.ExportCertificatePem());
        var keyPath = _dir.WritePrivate("shared-key.pem", leaf.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        await using var upstream = await NamedUpstream.StartAsync("app");
        await using var node = await GatewayNodeProcess.StartAsync(_dir, $$"""
            certificates = [ { cert = "{{certPath}}", key = "{{keyPath}}" } ]
            routes = [
              {{PublicRoute("a.shared.test", upstream.Url)}}
              {{PublicRoute("b.shared.test", upstream.Url)}}
              { from = "https://private.shared.test", to = "{{upstream.Url}}", policy { allow { or = [{ email { is = "alice@example.com" } }] } } }
            ]
            """);

        var result = await OnOneConnectionAsync(node, ca.CaCertificatePath, "a.shared.test", "--http2", "b.shared.test", "private.shared.test");
        // a and b: same certificate, same access (public): one connection serves both.
        // private: same certificate, other access: 421 rather than its own answer (401 today).
        Assert.Equal(["200", "200", "421"], Statuses(result));
        Assert.Equal(2, ReusedConnection().Count(result.Stderr));
        Assert.Single(ConnectedTo().Matches(result.Stderr));
        Assert.Contains("path=/as-b.shared.test", result.Stdout);
        Assert.Contains("for private.shared.test -> 421: the connection was made for route https-a.shared.test, whose access rules differ", node.Log);

        // On a connection of its own the private route gives its own answer.
        var own = await OnOneConnectionAsync(node, ca.CaCertificatePath, "private.shared.test", "--http2");
        Assert.Equal(["401"], Statuses(own));
    }

    [GeneratedRegex("Re-using existing connection")]
    private static partial Regex ReusedConnection();

    [GeneratedRegex(@"Connected to \S+ \(127\.0\.0\.1\)")]
    private static partial Regex ConnectedTo();
}
