using System.Globalization;
using System.Net;

namespace Gateway.Node.ClusterCa;

/// <summary>
/// <c>Gateway.Node cluster-ca init|issue ...</c>: creates the cluster CA and node certificates for
/// <c>cluster.tls</c>. Exit codes: 0 done, 1 failed (message on stderr), 2 usage error.
/// </summary>
public static class ClusterCaCommand
{
    public const string Name = "cluster-ca";

    public const string Help = """
        Usage:
          Gateway.Node cluster-ca init --dir DIR [--name NAME]
              Creates the cluster certificate authority: DIR/ca.crt and DIR/ca.key (mode 0600).
              Keep ca.key off the nodes if you can; it can sign a certificate that joins the cluster.
          Gateway.Node cluster-ca issue --dir DIR --name NODE [--dns NAME]... [--ip ADDRESS]... --out OUT [--days N]
              Signs a node certificate with the CA in DIR and writes OUT/node.crt, OUT/node.key
              (mode 0600) and OUT/ca.crt. The certificate is valid for server and client
              authentication; its subject alternative names are the --dns and --ip values (NODE
              when none are given). N defaults to 825 days.

        A node uses them with
          cluster { tls { ca_file = "OUT/ca.crt", cert_file = "OUT/node.crt", key_file = "OUT/node.key" } }
        or --cluster-tls-ca/--cluster-tls-cert/--cluster-tls-key (GATEWAY_CLUSTER_TLS_CA/_CERT/_KEY).
        See docs/cluster.md.
        """;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            (args.Length == 0 ? stderr : stdout).WriteLine(Help);
            return args.Length == 0 ? 2 : 0;
        }
        var options = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        string[] known = args[0] switch
        {
            "init" => ["--dir", "--name"],
            "issue" => ["--dir", "--name", "--dns", "--ip", "--out", "--days"],
            _ => [],
        };
        if (known.Length == 0) return Usage(stderr, $"unknown command `{args[0]}` (expected init or issue)");
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] is "--help" or "-h")
            {
                stdout.WriteLine(Help);
                return 0;
            }
            var eq = args[i].IndexOf('=', StringComparison.Ordinal);
            var flag = eq < 0 ? args[i] : args[i][..eq];
            if (!known.Contains(flag)) return Usage(stderr, $"unknown option `{flag}` for {args[0]} (known: {string.Join(", ", known)})");
            string value;
            if (eq >= 0) value = args[i][(eq + 1)..];
            else if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) value = args[++i];
            else return Usage(stderr, $"{flag} needs a value");
            if (!options.TryGetValue(flag, out var values)) options[flag] = values = [];
            values.Add(value);
        }

        string? One(string flag) => options.TryGetValue(flag, out var v) ? v[^1] : null;
        var dir = One("--dir");
        if (dir is null) return Usage(stderr, "--dir is required");
        try
        {
            if (args[0] == "init")
            {
                var path = ClusterCertificateAuthority.Init(Path.GetFullPath(dir), One("--name") ?? "Gateway cluster CA");
                stdout.WriteLine($"created the cluster CA: {path} and {Path.Combine(Path.GetDirectoryName(path)!, ClusterCertificateAuthority.CaKeyFile)}");
                return 0;
            }
            var name = One("--name");
            var output = One("--out");
            if (name is null || output is null) return Usage(stderr, "issue needs --name and --out");
            var addresses = new List<IPAddress>();
            foreach (var text in options.GetValueOrDefault("--ip") ?? [])
            {
                if (!IPAddress.TryParse(text, out var ip)) return Usage(stderr, $"--ip expects an IP address, got \"{text}\"");
                addresses.Add(ip);
            }
            var lifetime = ClusterCertificateAuthority.DefaultNodeLifetime;
            if (One("--days") is { } days)
            {
                if (!int.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
                    return Usage(stderr, $"--days expects a positive number, got \"{days}\"");
                lifetime = TimeSpan.FromDays(n);
            }
            var cert = ClusterCertificateAuthority.Issue(Path.GetFullPath(dir), Path.GetFullPath(output), name,
                options.GetValueOrDefault("--dns") ?? [], addresses, lifetime);
            stdout.WriteLine($"issued {cert} for {name}, with {Path.Combine(Path.GetDirectoryName(cert)!, ClusterCertificateAuthority.NodeKeyFile)} and {ClusterCertificateAuthority.CaCertificateFile}");
            return 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            stderr.WriteLine($"cluster-ca {args[0]}: {ex.Message}");
            return 1;
        }
    }

    private static int Usage(TextWriter stderr, string message)
    {
        stderr.WriteLine($"cluster-ca: {message}");
        stderr.WriteLine(Help);
        return 2;
    }
}
