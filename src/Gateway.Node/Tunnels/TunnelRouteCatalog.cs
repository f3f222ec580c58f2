using System.Net;
using Gateway.Actors.Sessions;
using Gateway.Config;
using Gateway.Policy;
using Gateway.Node.SshSessions;

namespace Gateway.Node.Tunnels;

/// <summary>
/// The routes that take their upstreams from SSH clients (<c>upstream_tunnel</c>), with their
/// compiled <c>ssh_policy</c>. Decides which of them one authenticated connection may serve.
/// </summary>
public sealed class TunnelRouteCatalog
{
    private readonly IReadOnlyList<(TunnelRoute Route, CompiledPolicy SshPolicy)> _routes;

    public TunnelRouteCatalog(GatewayConfig config)
    {
        var routes = new List<(TunnelRoute, CompiledPolicy)>();
        for (var i = 0; i < config.Routes.Count; i++)
        {
            var route = config.Routes[i];
            if (route.UpstreamTunnel is null || !config.RuntimeFlags.SshUpstreamTunnel) continue;
            var address = new RouteAddress(route.From.Host, route.From.IsSsh ? RouteScheme.Ssh : RouteScheme.Https);
            var policy = PolicyCompiler.Compile(route.UpstreamTunnel.SshPolicy, $"routes[{i}].upstream_tunnel.ssh_policy");
            routes.Add((new TunnelRoute(route.Id, address, route.To.Select(t => t.Url).ToList()), policy));
        }
        _routes = routes;
    }

    public IReadOnlyList<TunnelRoute> Routes => _routes.Select(r => r.Route).ToList();

    /// <summary>Evaluates every tunnel route's ssh_policy for one connection.</summary>
    public IReadOnlyList<RouteAdmission> Admit(GatewayIdentity identity, string sshUsername, IPAddress? source)
    {
        var input = new PolicyInput
        {
            Authenticated = true,
            Email = identity.Email,
            UserId = identity.Email,
            Name = identity.Name,
            Groups = identity.Groups,
            SourceIp = source,
            SshUsername = sshUsername,
            SshPublicKey = identity.Key,
            SshCaPublicKey = identity.CertificateAuthority,
        };
        return _routes.Select(r =>
        {
            var decision = r.SshPolicy.Evaluate(input);
            return new RouteAdmission(r.Route, decision.Allowed, decision.Allowed ? null : string.Join("; ", decision.Reasons));
        }).ToList();
    }
}
