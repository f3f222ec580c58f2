using Gateway.Contracts.SignIn;

namespace Gateway.Node.SignIn;

/// <summary>
/// The identity a route with <c>pass_identity_headers</c> sends upstream, with Pomerium's header
/// names. Whatever the downstream sent under these names is removed first, on every route: an
/// upstream must be able to trust them.
/// </summary>
public static class IdentityHeaders
{
    public const string Prefix = "X-Pomerium-";
    public const string Assertion = "X-Pomerium-Jwt-Assertion";
    public const string Email = "X-Pomerium-Claim-Email";
    public const string User = "X-Pomerium-Claim-User";
    public const string Groups = "X-Pomerium-Claim-Groups";
    public const string Name = "X-Pomerium-Claim-Name";

    public static void RemoveIncoming(HttpRequestMessage request)
    {
        var names = request.Headers.Select(h => h.Key).Where(n => n.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)).ToList();
        foreach (var name in names)
            request.Headers.Remove(name);
    }

    public static void Add(HttpRequestMessage request, SignInSession session, string assertion)
    {
        request.Headers.TryAddWithoutValidation(Assertion, assertion);
        request.Headers.TryAddWithoutValidation(User, session.Subject);
        if (session.Email is { } email)
            request.Headers.TryAddWithoutValidation(Email, email);
        if (session.Groups.Count > 0)
            request.Headers.TryAddWithoutValidation(Groups, string.Join(',', session.Groups));
        if (session.Name is { } name)
            request.Headers.TryAddWithoutValidation(Name, HeaderSafe(name));
    }

    /// <summary>A display name may hold anything the provider allows; a header value may not carry control characters.</summary>
    private static string HeaderSafe(string value) => new(value.Where(c => c >= ' ' && c != '\x7f').ToArray());
}
