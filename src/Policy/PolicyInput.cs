using System.Net;
using Gateway.Ssh.Keys;

namespace Gateway.Policy;

/// <summary>
/// Everything a policy may look at. Fields that do not apply are left null: an SSH tunnel
/// evaluation has no HTTP method or path, an HTTP request has no SSH username or key.
/// A criterion whose data is absent evaluates to false; evaluation never throws.
/// </summary>
public sealed record PolicyInput
{
    /// <summary>
    /// True when the user has a valid session. Identity criteria (email, user, domain, groups,
    /// claim/*, authenticated_user, ssh_username_matches_*) are false without it, even if the
    /// identity fields below are filled.
    /// </summary>
    public bool Authenticated { get; init; }

    public string? Email { get; init; }

    /// <summary>The user id that the <c>user</c> criterion matches.</summary>
    public string? UserId { get; init; }

    /// <summary>Display name; informational, no criterion reads it.</summary>
    public string? Name { get; init; }

    /// <summary>Group names or ids; null means "no groups".</summary>
    public IReadOnlyList<string>? Groups { get; init; }

    /// <summary>Identity claims, each with its values; a missing claim means "no values".</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Claims { get; init; }

    /// <summary>Client address. IPv4-mapped IPv6 addresses are matched as IPv4.</summary>
    public IPAddress? SourceIp { get; init; }

    /// <summary>SSH login username (already split from any <c>@route</c> suffix).</summary>
    public string? SshUsername { get; init; }

    /// <summary>The key (or certificate) the SSH client authenticated with.</summary>
    public SshPublicKey? SshPublicKey { get; init; }

    /// <summary>
    /// The CA that signed the client's user certificate. Set this only after the certificate
    /// was fully verified (signature, validity window, principal); the policy only compares keys.
    /// </summary>
    public SshPublicKey? SshCaPublicKey { get; init; }

    public string? HttpMethod { get; init; }

    /// <summary>Request path without the query string.</summary>
    public string? HttpPath { get; init; }
}
