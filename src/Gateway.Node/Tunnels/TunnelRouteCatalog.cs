using System.Net;
using Gateway.Actors.Sessions;
using Gateway.Policy;
using Gateway.Node.Health;
using Gateway.Node.Routing;
using Gateway.Node.SshSessions;

namespace Gateway.Node.Tunnels;

/// <summary>
/// The tunnel projection of the <see cref="RouteTable"/>: the routes that take their upstreams
/// from SSH clients, as the session actors see them (<see cref="TunnelRoute"/>), with their
/// compiled <c>ssh_policy</c> and health checks. Decides which of them one authenticated connection may serve.
/// </summary>
public sealed class TunnelRouteCatalog
{
    private readonly IReadOnlyList<(TunnelRoute Route, CompiledPolicy SshPolicy)> _routes;

    public TunnelRouteCatalog(RouteTable routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        _routes = routes.Tunnel.Select(r => (new TunnelRoute(r.Id, r.Address, r.To, RouteHealthCheckBuilder.Build(r)), r.SshPolicy)).ToList();
        Routes = _routes.Select(r => r.Route).ToList();
    }

    public IReadOnlyList<TunnelRoute> Routes { get; }

    /// <summary>Evaluates every tunnel route's ssh_policy for one connection.</summary>
    public IReadOnlyList<RouteAdmission> Admit(GatewayIdentity identity, string sshUsername, IPAddress? source)
    {
        var input = new PolicyInput
        {
            Authenticated = true,
            Email = identity.Email,
            // A sign-in's subject, as Pomerium's user criterion reads it; a configured user's email.
            UserId = identity.UserId,
            Name = identity.Name,
            Groups = identity.Groups,
            Claims = identity.Claims,
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
