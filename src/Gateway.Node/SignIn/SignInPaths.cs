namespace Gateway.Node.SignIn;

/// <summary>
/// The paths the gateway answers itself when sign-in is on. They keep Pomerium's names, so links
/// and bookmarks people have carry over.
/// </summary>
public static class SignInPaths
{
    /// <summary>On the authenticate host: sign in for a route (<see cref="RedirectUriParameter"/>) or confirm an SSH code (<see cref="UserCodeParameter"/>).</summary>
    public const string SignIn = "/.pomerium/sign_in";

    /// <summary>On the authenticate host: end the session everywhere.</summary>
    public const string SignOut = "/.pomerium/sign_out";

    /// <summary>On a route's host: takes the hand-off from the authenticate host and sets that host's cookie.</summary>
    public const string Callback = "/.pomerium/callback";

    /// <summary>On every host: the public keys of the nodes' identity assertions.</summary>
    public const string Jwks = "/.well-known/pomerium/jwks.json";

    public const string RedirectUriParameter = "pomerium_redirect_uri";

    public const string UserCodeParameter = "user_code";

    public const string HandoffParameter = "pomerium_token";
}
