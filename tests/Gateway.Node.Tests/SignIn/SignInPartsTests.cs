using System.Security.Claims;
using System.Text.Json;
using Gateway.Contracts.SignIn;
using Gateway.Node.SignIn;
using Gateway.Testing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;

namespace Gateway.Node.Tests.SignIn;

/// <summary>The browser sign-in's plain parts: claims to session, the policy's input, hand-off and confirm tokens, the assertion signer.</summary>
public sealed class SignInPartsTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static SignInSession Alice() => SessionFromClaims.Create(
    [
        new Claim("sub", "alice"), new Claim("email", "alice@example.com"), new Claim("name", "Alice Example"),
        new Claim("groups", "engineering"), new Claim("groups", "admins"), new Claim("groups", "engineering"),
        new Claim("department", "eng"), new Claim("nonce", "n"), new Claim("iat", "1"), new Claim("aud", "gateway"),
    ], Now, TimeSpan.FromHours(14));

    [Fact]
    public void A_providers_claims_become_a_session_without_protocol_claims()
    {
        var session = Alice();
        Assert.Equal(("alice", "alice@example.com", "Alice Example"), (session.Subject, session.Email, session.Name));
        Assert.Equal(["engineering", "admins"], session.Groups);
        Assert.Equal(["eng"], session.Claims["department"]);
        Assert.False(session.Claims.ContainsKey("nonce"));
        Assert.False(session.Claims.ContainsKey("aud"));
        Assert.Equal(Now.AddHours(14), session.ExpiresAt);
        Assert.True(session.Id.Length >= 43);
        Assert.NotEqual(session.Id, Alice().Id);
        Assert.Throws<InvalidOperationException>(() => SessionFromClaims.Create([new Claim("email", "x@y")], Now, TimeSpan.FromHours(1)));
    }

    [Fact]
    public void The_policy_sees_the_session_as_user_email_groups_and_claims_and_nothing_without_one()
    {
        var request = new DefaultHttpContext().Request;
        request.Method = "POST";
        request.Path = "/api/x";
        var input = RouteAuthorization.Input(Alice(), request, System.Net.IPAddress.Loopback);
        Assert.True(input.Authenticated);
        Assert.Equal(("alice", "alice@example.com", "POST", "/api/x"), (input.UserId, input.Email, input.HttpMethod, input.HttpPath));
        Assert.Equal(["eng"], input.Claims!["department"]);
        var anonymous = RouteAuthorization.Input(null, request, System.Net.IPAddress.Loopback);
        Assert.False(anonymous.Authenticated);
        Assert.Null(anonymous.Email);
        Assert.Null(anonymous.Groups);
    }

    [Fact]
    public void A_hand_off_token_is_good_only_for_its_host_and_redirect_and_a_confirm_token_only_for_its_session_and_code()
    {
        var handoff = new SessionHandoff(new EphemeralDataProtectionProvider());
        var target = new Uri("https://app.example.com/page?x=1");
        var token = handoff.ProtectHandoff("session-1", target);
        Assert.Equal("session-1", handoff.UnprotectHandoff(token, "APP.example.com", target.AbsoluteUri));
        Assert.Null(handoff.UnprotectHandoff(token, "other.example.com", target.AbsoluteUri));
        Assert.Null(handoff.UnprotectHandoff(token, "app.example.com", "https://app.example.com/elsewhere"));
        Assert.Null(handoff.UnprotectHandoff(token + "x", "app.example.com", target.AbsoluteUri));
        Assert.Null(handoff.UnprotectHandoff("not a token", "app.example.com", target.AbsoluteUri));
        // Another key ring (another cluster, another cookie_secret) cannot read it.
        Assert.Null(new SessionHandoff(new EphemeralDataProtectionProvider()).UnprotectHandoff(token, "app.example.com", target.AbsoluteUri));

        var confirm = handoff.ProtectConfirm("session-1", "code-1");
        Assert.True(handoff.ConfirmMatches(confirm, "session-1", "code-1"));
        Assert.False(handoff.ConfirmMatches(confirm, "session-2", "code-1"));
        Assert.False(handoff.ConfirmMatches(confirm, "session-1", "code-2"));
    }

    [Fact]
    public void The_assertion_signer_keeps_its_key_and_signs_what_the_jwks_verifies()
    {
        using var first = new AssertionSigner(_dir.Path, TimeProvider.System);
        using var second = new AssertionSigner(_dir.Path, TimeProvider.System);
        Assert.Equal(first.KeyId, second.KeyId);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir.Path, "assertion-signing-key.pem")));
        var jwt = first.Sign(Alice(), "authenticate.example.com", "app.example.com");
        var claims = UpstreamAssertion.VerifyEs256(jwt, "{\"keys\":[" + second.PublicJwk + "]}");
        Assert.Equal("alice", claims.GetProperty("sub").GetString());
        Assert.Equal("app.example.com", claims.GetProperty("aud").GetString());
        Assert.Equal(["engineering", "admins"], claims.GetProperty("groups").EnumerateArray().Select(g => g.GetString()));
        var lifetime = claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64();
        Assert.Equal((long)AssertionSigner.Lifetime.TotalSeconds, lifetime);
        using var jwk = JsonDocument.Parse(first.PublicJwk);
        Assert.False(jwk.RootElement.TryGetProperty("d", out _));
    }
}
