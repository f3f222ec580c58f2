using Gateway.Actors.SignIn;
using Gateway.Config;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http;

namespace Gateway.Node.SignIn;

/// <summary>
/// Browser sign-in: ASP.NET Core's cookie handler (the session cookie) and OpenIdConnect handler
/// (authorization code with PKCE, the callback at <c>/oauth2/callback</c> on the authenticate
/// host), the pages of <see cref="AuthenticateEndpoints"/>, the JWKS document, and the identity
/// assertion's signer. Nothing is registered without <c>idp_provider</c>.
/// </summary>
public static class SignInHosting
{
    public static IServiceCollection AddGatewaySignIn(this IServiceCollection services, GatewayConfig config)
    {
        if (config.SignIn is not { } signIn)
            return services;

        services.TryAddTimeProvider();
        services.AddSingleton(sp => new AssertionSigner(config.DataDir, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<AssertionKeyPublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<AssertionKeyPublisher>());
        services.AddSingleton(signIn);
        services.AddSingleton<RequestSessions>();
        services.AddSingleton<SessionHandoff>();
        services.AddSingleton<AuthenticateEndpoints>();
        services.AddAuthentication(SignInSchemes.Cookie)
            .AddCookie(SignInSchemes.Cookie, options =>
            {
                options.Cookie.Name = signIn.CookieName;
                options.Cookie.HttpOnly = true;
                options.Cookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest;
                // Lax: the cookie comes along when a person follows a link to a route, not on other sites' requests.
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.ExpireTimeSpan = signIn.CookieExpire;
                options.SlidingExpiration = false;
                options.Events = new CookieAuthenticationEvents
                {
                    OnSigningIn = context => SessionCookie.OnSigningInAsync(context, signIn),
                    OnSigningOut = context =>
                    {
                        SessionCookie.ApplyDomain(context.CookieOptions, signIn, context.HttpContext.Request.Host.Host);
                        return Task.CompletedTask;
                    },
                    // The gateway sends people to sign in itself (RouteAuthorization); the handler must not redirect.
                    OnRedirectToLogin = context =>
                    {
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        return Task.CompletedTask;
                    },
                };
            })
            .AddOpenIdConnect(SignInSchemes.OpenIdConnect, options =>
            {
                options.SignInScheme = SignInSchemes.Cookie;
                options.Authority = signIn.ProviderUrl.AbsoluteUri.TrimEnd('/');
                // The config accepts plain http only for a provider on a loopback address.
                options.RequireHttpsMetadata = signIn.ProviderUrl.Scheme == "https";
                options.ClientId = signIn.ClientId;
                options.ClientSecret = signIn.ClientSecret;
                options.ResponseType = "code";
                // The answer comes back as a query on a top-level GET (ASP.NET's default is a form
                // post, a cross-site POST that Lax cookies do not accompany).
                options.ResponseMode = "query";
                options.UsePkce = true;
                options.Scope.Clear();
                foreach (var scope in signIn.Scopes)
                    options.Scope.Add(scope);
                options.CallbackPath = SignInConfig.CallbackPath;
                options.GetClaimsFromUserInfoEndpoint = true;
                options.MapInboundClaims = false;
                options.ClaimActions.MapAll();
                options.SaveTokens = false;
                options.TokenValidationParameters.NameClaimType = "name";
                // The provider sends the browser back with a top-level GET, which Lax cookies accompany;
                // Lax rather than None also works on a plain-http listener (insecure_server).
                options.CorrelationCookie.SameSite = SameSiteMode.Lax;
                options.CorrelationCookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest;
                options.NonceCookie.SameSite = SameSiteMode.Lax;
                options.NonceCookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest;
                options.Events = new OpenIdConnectEvents
                {
                    // Whichever node starts the sign-in, the provider returns to the one registered callback.
                    OnRedirectToIdentityProvider = context =>
                    {
                        context.ProtocolMessage.RedirectUri = signIn.CallbackUrl.AbsoluteUri;
                        return Task.CompletedTask;
                    },
                    OnRemoteFailure = async context =>
                    {
                        context.HandleResponse();
                        var logger = context.HttpContext.RequestServices.GetRequiredService<ILogger<AuthenticateEndpoints>>();
                        logger.LogInformation("sign-in: the identity provider's answer was refused: {Error}", context.Failure?.GetBaseException().Message);
                        await SignInPages.MessageAsync(context.HttpContext, StatusCodes.Status400BadRequest, "Sign-in failed",
                            "The identity provider's answer could not be accepted. Open the page you wanted again to start over.").ConfigureAwait(false);
                    },
                };
            });
        return services;
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
            services.AddSingleton(TimeProvider.System);
    }

    /// <summary>The authenticate host's endpoints (host-bound), the route hosts' hand-off, and the JWKS document on every host.</summary>
    public static WebApplication UseGatewaySignIn(this WebApplication app, GatewayConfig config)
    {
        if (config.SignIn is not { } signIn)
            return app;
        app.MapGet(SignInPaths.Jwks, (AssertionKeyPublisher keys) => keys.JwksDocument());
        var host = signIn.AuthenticateServiceUrl.Host;
        app.MapGet(SignInPaths.SignIn, (HttpContext c, AuthenticateEndpoints e) => e.SignInAsync(c)).RequireHost(host);
        app.MapPost(SignInPaths.SignIn, (HttpContext c, AuthenticateEndpoints e) => e.DecideCodeAsync(c)).RequireHost(host).DisableAntiforgery();
        app.MapMethods(SignInPaths.SignOut, ["GET", "POST"], (HttpContext c, AuthenticateEndpoints e) => e.SignOutAsync(c)).RequireHost(host).DisableAntiforgery();
        app.MapGet(SignInPaths.Callback, (HttpContext c, AuthenticateEndpoints e) => e.RouteCallbackAsync(c));
        return app;
    }
}
