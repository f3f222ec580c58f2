namespace Gateway.Node.SignIn;

/// <summary>The authentication schemes and the one claim the session cookie carries.</summary>
public static class SignInSchemes
{
    /// <summary>The session cookie (ASP.NET Core's cookie handler, protected with the cluster's Data Protection keys).</summary>
    public const string Cookie = "gateway-session";

    /// <summary>ASP.NET Core's OpenIdConnect handler (authorization code with PKCE).</summary>
    public const string OpenIdConnect = "oidc";

    /// <summary>The cookie holds only this claim, the <see cref="Contracts.SignIn.SignInSession.Id"/>: who the user is lives in the cluster's store, so ending the session there ends the cookie too.</summary>
    public const string SessionIdClaim = "sid";
}
