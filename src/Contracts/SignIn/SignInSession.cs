namespace Gateway.Contracts.SignIn;

/// <summary>
/// One person's sign-in at the identity provider, as every node knows it. A browser cookie holds
/// only <see cref="Id"/>; SSH keys are bound to it (<see cref="SessionBinding"/>). Ending the
/// session (sign-out, <c>logout</c>, expiry) ends everything bound to it on every node.
/// </summary>
/// <param name="Id">random, URL-safe; the cookie's content once protected</param>
/// <param name="Subject">the provider's <c>sub</c>: what the <c>user</c> criterion matches</param>
/// <param name="Claims">every claim of the ID token and userinfo, each with its values (for <c>claim/&lt;name&gt;</c> and the identity headers)</param>
public sealed record SignInSession(
    string Id,
    string Subject,
    string? Email,
    string? Name,
    IReadOnlyList<string> Groups,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Claims,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt)
{
    public bool IsValidAt(DateTimeOffset now) => now < ExpiresAt;
}
