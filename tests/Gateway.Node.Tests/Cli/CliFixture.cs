using System.Net;
using Gateway.Actors.Endpoints;
using Gateway.Actors.Sessions;
using Gateway.Config;
using Gateway.Contracts.Tunnels;
using Gateway.Node.Routing;
using Gateway.Node.SshSessions;
using Gateway.Node.SshSessions.Cli;
using Gateway.Node.Tunnels;
using Gateway.Ssh.Keys;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Node.Tests.Cli;

/// <summary>
/// Fixed inputs for the commands: three tunnel routes compiled from real config (one with health
/// checks, one alice may not serve), alice's identity and admissions, an endpoint table the test fills.
/// </summary>
internal sealed class CliFixture
{
    public const string Hocon = """
        routes = [
          {
            from = "https://app.example.com"
            to = ["http://127.0.0.1:8080", "http://127.0.0.1:8081"]
            upstream_tunnel { ssh_policy { allow { or = [{ email { is = "alice@example.com" } }] } } }
            health_checks = [{ http_health_check = { path = "/health" }, timeout = 1s, interval = 10s, unhealthy_threshold = 1, healthy_threshold = 1 }]
          }
          {
            from = "https://plain.example.com"
            to = "http://127.0.0.1:9090"
            upstream_tunnel { ssh_policy { allow { or = [{ email { is = "alice@example.com" } }] } } }
          }
          {
            from = "https://other.example.com"
            to = "http://127.0.0.1:7070"
            upstream_tunnel { ssh_policy { allow { or = [{ email { is = "bob@example.com" } }] } } }
          }
        ]
        """;

    public CliFixture(SshPublicKey? key = null, SshCertificate? certificate = null)
    {
        var routes = RouteTable.Compile(GatewayConfigLoader.Parse(Hocon, "/base"), NullLogger.Instance);
        Catalog = new TunnelRouteCatalog(routes);
        Key = key ?? Ed25519PrivateKey.Generate().PublicKey;
        Identity = new GatewayIdentity("alice@example.com", "Alice Example", ["dev", "ops"], Key, certificate?.SignatureKey, certificate);
        Admissions = Catalog.Admit(Identity, "tunnel", IPAddress.Loopback);
    }

    public TunnelRouteCatalog Catalog { get; }
    public SshPublicKey Key { get; }
    public GatewayIdentity Identity { get; }
    public IReadOnlyList<RouteAdmission> Admissions { get; }
    public EndpointTable Endpoints { get; } = new();
    public SessionStatus Forwards { get; set; } = new([]);

    public CliContext Context => new("ssh-7-abcdef12", "127.0.0.1:50000", "tunnel", Identity, Admissions, new ClusterRouteView(Endpoints), _ => Task.FromResult(Forwards));

    public void Serve(string routeId, string session, EndpointHealth health, string node = "akka.tcp://gateway@10.0.0.2:4053")
        => Endpoints.Apply([new TunnelEndpoint(TunnelEndpoint.MakeId(session, routeId), routeId, node, session, "alice@example.com", "127.0.0.1:1", true, "localhost", 40000,
            DateTimeOffset.UnixEpoch, health)], [], []);

    public Task<CliResult> RunAsync(string commandLine) => new CliCommands().RunAsync(commandLine, Context, CancellationToken.None);
}
