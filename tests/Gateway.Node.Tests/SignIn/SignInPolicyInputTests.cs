using System.Net;
using Gateway.Config;
using Gateway.Node.Routing;
using Gateway.Node.SshSessions;
using Gateway.Node.Tunnels;
using Gateway.Ssh.Keys;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Node.Tests.SignIn;

/// <summary>ssh_policy sees a sign-in's identity: user is the subject, and email, domain, groups and claims.</summary>
public sealed class SignInPolicyInputTests
{
    private const string Hocon = """
        routes = [
          { from = "https://by-user.example.com", to = "http://127.0.0.1:1", upstream_tunnel { ssh_policy { allow { or = [{ user = { is = "00u-alice" } }] } } } }
          { from = "https://by-claim.example.com", to = "http://127.0.0.1:1", upstream_tunnel { ssh_policy { allow { or = [{ "claim/department" = "engineering" }] } } } }
          { from = "https://by-group.example.com", to = "http://127.0.0.1:1", upstream_tunnel { ssh_policy { allow { or = [{ groups = { has = "ops" } }] } } } }
          { from = "https://by-domain.example.com", to = "http://127.0.0.1:1", upstream_tunnel { ssh_policy { allow { or = [{ domain = { is = "example.com" } }] } } } }
          { from = "https://by-email.example.com", to = "http://127.0.0.1:1", upstream_tunnel { ssh_policy { allow { or = [{ email = { is = "alice@example.com" } }] } } } }
          { from = "https://other-claim.example.com", to = "http://127.0.0.1:1", upstream_tunnel { ssh_policy { allow { or = [{ "claim/department" = "sales" }] } } } }
        ]
        """;

    private static readonly TunnelRouteCatalog Catalog = new(RouteTable.Compile(GatewayConfigLoader.Parse(Hocon, "/base"), NullLogger.Instance));
    private static readonly SshPublicKey Key = SshKeys.Generate(SshKeyKind.Ed25519).PublicKey;

    private static Dictionary<string, bool> Admitted(GatewayIdentity identity)
        => Catalog.Admit(identity, "tunnel", IPAddress.Loopback).ToDictionary(a => a.Route.Address.Hostname, a => a.Admitted);

    [Fact]
    public void A_sign_in_is_matched_by_subject_claims_groups_domain_and_email()
    {
        var identity = new GatewayIdentity("alice@example.com", "Alice", ["ops"], Key, null)
        {
            SessionId = "sess-1",
            Subject = "00u-alice",
            Claims = new Dictionary<string, IReadOnlyList<string>> { ["department"] = ["engineering"] },
        };
        Assert.Equal(new Dictionary<string, bool>
        {
            ["by-user.example.com"] = true,
            ["by-claim.example.com"] = true,
            ["by-group.example.com"] = true,
            ["by-domain.example.com"] = true,
            ["by-email.example.com"] = true,
            ["other-claim.example.com"] = false,
        }, Admitted(identity));
    }

    [Fact]
    public void A_configured_user_is_matched_by_email_as_user_and_has_no_claims()
    {
        var identity = new GatewayIdentity("alice@example.com", "Alice", ["ops"], Key, null);
        var admitted = Admitted(identity);
        Assert.False(admitted["by-user.example.com"]);
        Assert.False(admitted["by-claim.example.com"]);
        Assert.True(admitted["by-email.example.com"]);
        Assert.Equal("alice@example.com", identity.UserId);
    }
}
