namespace Gateway.Testing.SignIn;

/// <summary>
/// A client registered at the <see cref="OidcTestProvider"/>: authorization code flow, response
/// type code, PKCE (S256) accepted. It authenticates at the token endpoint with
/// <c>client_secret_post</c> (what ASP.NET Core's OpenIdConnect handler sends) unless told otherwise.
/// </summary>
public sealed record OidcTestClient(string ClientId, string ClientSecret, IReadOnlyList<string> RedirectUris)
{
    public IReadOnlyList<string> PostLogoutRedirectUris { get; init; } = [];

    /// <summary><c>client_secret_post</c> or <c>client_secret_basic</c>.</summary>
    public string TokenEndpointAuthMethod { get; init; } = "client_secret_post";
}
