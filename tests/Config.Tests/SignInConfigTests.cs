using Gateway.Testing;
using Gateway.Config;

namespace Gateway.Config.Tests;

/// <summary>The sign-in keys: <c>idp_*</c>, <c>authenticate_service_url</c>, <c>cookie_*</c>.</summary>
public class SignInConfigTests
{
    private const string Secret = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="; // 32 bytes

    private static string Valid(string extra = "", string url = "http://127.0.0.1:9000", string authenticate = "https://authenticate.example.com") => $$"""
        idp_provider = "oidc"
        idp_provider_url = "{{url}}"
        idp_client_id = "gateway"
        idp_client_secret = "s3cret"
        authenticate_service_url = "{{authenticate}}"
        cookie_secret = "{{Secret}}"
        {{extra}}
        """;

    [Fact]
    public void WithoutAProviderSignInIsOff()
        => Assert.Null(GatewayConfigLoader.Parse("", "/base", ConfigAssert.NoEnv).SignIn);

    [Fact]
    public void AValidBlockIsRead()
    {
        var signIn = GatewayConfigLoader.Parse(Valid("idp_scopes = [\"email\", \"groups\"]\ncookie_domain = \".example.com\"\ncookie_expire = \"8h\""), "/base", ConfigAssert.NoEnv).SignIn!;
        Assert.Equal("oidc", signIn.Provider);
        Assert.Equal(new Uri("http://127.0.0.1:9000"), signIn.ProviderUrl);
        Assert.Equal(["openid", "email", "groups"], signIn.Scopes);
        Assert.Equal(new Uri("https://authenticate.example.com/oauth2/callback"), signIn.CallbackUrl);
        Assert.Equal(32, signIn.CookieSecret.Length);
        Assert.Equal("example.com", signIn.CookieDomain);
        Assert.Equal(TimeSpan.FromHours(8), signIn.CookieExpire);
        Assert.Equal(SignInConfig.DefaultCookieName, signIn.CookieName);
    }

    [Fact]
    public void GoogleNeedsNoUrl()
    {
        var text = Valid().Replace("idp_provider = \"oidc\"", "idp_provider = \"google\"").Replace("idp_provider_url = \"http://127.0.0.1:9000\"", "");
        Assert.Equal(new Uri("https://accounts.google.com"), GatewayConfigLoader.Parse(text, "/base", ConfigAssert.NoEnv).SignIn!.ProviderUrl);
    }

    [Theory]
    [InlineData("idp_client_id = \"x\"", "idp_client_id", "set without idp_provider")]
    [InlineData("cookie_secret = \"x\"", "cookie_secret", "set without idp_provider")]
    [InlineData("idp_provider = \"github\"", "idp_provider", "not OpenID Connect")]
    [InlineData("idp_provider = \"okta2\"", "idp_provider", "unknown provider")]
    public void MisplacedOrUnknownProvidersNameTheKey(string hocon, string path, string fragment)
        => ConfigAssert.HasProblem(hocon, path, fragment);

    [Fact]
    public void PlainHttpIssuerOnlyOnLoopback()
        => ConfigAssert.HasProblem(Valid(url: "http://idp.example.com"), "idp_provider_url", "accepted only for a provider on a loopback address");

    [Fact]
    public void PlainHttpAuthenticateUrlNeedsAnInsecureListener()
    {
        ConfigAssert.HasProblem(Valid(authenticate: "http://authenticate.localhost.test:8080"), "authenticate_service_url", "insecure_server = true");
        var config = GatewayConfigLoader.Parse(Valid("insecure_server = true", authenticate: "http://authenticate.localhost.test:8080"), "/base", ConfigAssert.NoEnv);
        Assert.Equal("http", config.SignIn!.AuthenticateServiceUrl.Scheme);
    }

    [Fact]
    public void AuthenticateUrlIsAnOrigin()
        => ConfigAssert.HasProblem(Valid(authenticate: "https://authenticate.example.com/login"), "authenticate_service_url", "no path");

    [Theory]
    [InlineData("c2hvcnQ=", "got 5 bytes")]
    [InlineData("not base64!", "expected 32 random bytes in base64")]
    public void CookieSecretIs32Bytes(string secret, string fragment)
        => ConfigAssert.HasProblem(Valid().Replace(Secret, secret), "cookie_secret", fragment);

    [Fact]
    public void MissingClientIdAndSecretAreNamed()
    {
        var text = Valid().Replace("idp_client_id = \"gateway\"", "").Replace("idp_client_secret = \"s3cret\"", "");
        ConfigAssert.HasProblem(text, "idp_client_id", "required with idp_provider");
        ConfigAssert.HasProblem(text, "idp_client_secret", "required with idp_provider");
    }

    [Fact]
    public void CookieDomainMustCoverTheAuthenticateHost()
        => ConfigAssert.HasProblem(Valid("cookie_domain = \"other.org\""), "cookie_domain", "does not contain the authenticate_service_url host");

    [Fact]
    public void SecretFilesMustBePrivate()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "secret");
        File.WriteAllText(file, "s3cret\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var text = Valid().Replace("idp_client_secret = \"s3cret\"", $"idp_client_secret_file = \"{file}\"");
        ConfigAssert.HasProblem(text, "idp_client_secret_file", "permissions are too open");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Equal("s3cret", GatewayConfigLoader.Parse(text, "/base", ConfigAssert.NoEnv).SignIn!.ClientSecret);
    }
}
