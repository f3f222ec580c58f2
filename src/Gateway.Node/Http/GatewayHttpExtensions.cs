using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Gateway.Node.Balancing;
using Gateway.Node.SignIn;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Node.Http;

/// <summary>
/// Wiring of the HTTP side into a WebApplication:
/// <code>
/// var builder = WebApplication.CreateBuilder();
/// builder.Services.AddSingleton(RouteTable.Compile(config, logger));  // the routes, compiled once
/// builder.Services.AddSingleton&lt;ITunnelDialer, ...&gt;();           // the tunnel layer
/// builder.Services.AddSingleton&lt;EndpointTable&gt;();                // endpoints and their health
/// builder.Services.AddSingleton&lt;EndpointSuspects&gt;();
/// builder.Services.AddGatewayHttp(GatewayHttpOptions.FromConfig(config));
/// var certs = new LocalCertificateAuthority(dataDir, logger);      // or ConfiguredCertificateSelector
/// GatewayHttpListener.Configure(builder, address, insecure, certs);
/// var app = builder.Build();
/// app.UseGatewayHttp();
/// // tunnel layer, as SSH clients come and go: configBuilder.UpdateEndpoints(routeId, endpointIds)
/// </code>
/// </summary>
public static class GatewayHttpExtensions
{
    /// <summary>
    /// Registers YARP with the gateway's config builder, tunnel client factory, Host header policy
    /// and request timeouts. The caller registers the <see cref="Routing.RouteTable"/>, an
    /// <see cref="ITunnelDialer"/>, the endpoint table and the endpoint suspects (health-aware load balancing reads them), and reports endpoints through <see cref="ProxyConfigBuilder"/>
    /// (resolve it from the container).
    /// </summary>
    public static IServiceCollection AddGatewayHttp(this IServiceCollection services, GatewayHttpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        services.AddSingleton<TunnelDestinationTable>();
        services.AddSingleton<MisdirectedRequestCheck>();
        // Sign-in's services join it when idp_provider is set (SignIn/SignInHosting); without them, routes that are not public answer 401.
        services.AddSingleton<RouteAuthorization>();
        services.AddSingleton<ProxyConfigBuilder>();
        services.AddSingleton<ProxyRetryCounters>();
        services.AddSingleton<IProxyConfigProvider>(sp => sp.GetRequiredService<ProxyConfigBuilder>().Provider);
        services.AddRequestTimeouts();
        services.AddReverseProxy().AddTransforms(AddGatewayTransforms);
        // Health-aware load balancing over tunnel endpoints (docs/health-checks.md#routing).
        services.AddSingleton<ProxyHealthState>();
        services.AddSingleton<RouteHealthView>();
        services.AddSingleton<TunnelOutlierDetection>();
        services.AddSingleton<IAvailableDestinationsPolicy, HealthAwareDestinationsPolicy>();
        services.AddSingleton<IPassiveHealthCheckPolicy, TunnelPassiveHealthPolicy>();
        // Registered after AddReverseProxy so it replaces YARP's default factory.
        services.AddSingleton<IForwarderHttpClientFactory, TunnelForwarderHttpClientFactory>();
        return services;
    }

    /// <summary>Request timeouts, the proxy with the gateway's pipeline, and the 404 page for unknown hosts.</summary>
    public static WebApplication UseGatewayHttp(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            RawConnectionHeader.TakeForRequest(context);
            return next(context);
        });
        app.UseRequestTimeouts();
        app.MapReverseProxy(pipeline =>
        {
            pipeline.UseMiddleware<GatewayProxyMiddleware>();
            // Inside the error pages: a retry that succeeds leaves nothing for them to report.
            pipeline.UseMiddleware<TunnelRetryMiddleware>();
            pipeline.UseSessionAffinity();
            pipeline.UseLoadBalancing();
            pipeline.UsePassiveHealthChecks();
        });
        app.MapFallback(context => GatewayErrorPages.WriteAsync(context, StatusCodes.Status404NotFound,
            $"no route is configured for {GatewayErrorPages.HostOf(context)}"));
        return app;
    }

    private static void AddGatewayTransforms(Yarp.ReverseProxy.Transforms.Builder.TransformBuilderContext context)
    {
        var policy = new HostHeaderPolicy(context.Route.Metadata);
        var passIdentity = context.Services.GetService<Routing.RouteTable>()?.Find(context.Route.RouteId)?.PassIdentityHeaders == true;
        // YARP's default transform drops a Host equal to the original; take Host over entirely instead.
        context.AddOriginalHost(true);
        // Headers named in Connection go first, so that the headers set below are never among them.
        context.AddRequestTransform(transform =>
        {
            var proxyRequest = transform.ProxyRequest;
            foreach (var name in ConnectionHeaderTokens.Named(RawConnectionHeader.Get(transform.HttpContext)))
            {
                proxyRequest.Headers.Remove(name);
                proxyRequest.Content?.Headers.Remove(name);
            }
            return ValueTask.CompletedTask;
        });
        // In place of YARP's X-Forwarded-* defaults: kept only from trusted_proxies.
        context.UseDefaultForwarders = false;
        context.RequestTransforms.Add(new ForwardedHeadersTransform(context.Services.GetRequiredService<GatewayHttpOptions>().TrustedProxies));
        context.AddResponseTransform(transform =>
        {
            if (transform.ProxyResponse is { } response)
            {
                foreach (var name in ConnectionHeaderTokens.Named(response.Headers.Connection))
                    transform.HttpContext.Response.Headers.Remove(name);
            }
            return ValueTask.CompletedTask;
        });
        context.AddRequestTransform(transform =>
        {
            // null: the HTTP client sends the destination's authority (Pomerium's auto_host_rewrite).
            transform.ProxyRequest.Headers.Host = policy.Choose(transform.HttpContext.Request);
            transform.ProxyRequest.Options.Set(TunnelForwarderHttpClientFactory.RequestIdKey, GatewayErrorPages.RequestId(transform.HttpContext));
            if (TunnelRetryMiddleware.FailedEndpoint(transform.HttpContext) is { } failed)
                transform.ProxyRequest.Options.Set(TunnelForwarderHttpClientFactory.AvoidEndpointKey, failed);
            IdentityHeaders.RemoveIncoming(transform.ProxyRequest);
            if (passIdentity && SignIn.RequestSessions.Found(transform.HttpContext) is { } session)
            {
                var signer = transform.HttpContext.RequestServices.GetRequiredService<AssertionSigner>();
                var issuer = transform.HttpContext.RequestServices.GetRequiredService<Config.SignInConfig>().AuthenticateServiceUrl.Host;
                IdentityHeaders.Add(transform.ProxyRequest, session, signer.Sign(session, issuer, transform.HttpContext.Request.Host.Host));
            }
            var connection = transform.HttpContext.Connection;
            if (connection.RemoteIpAddress is { } ip)
                transform.ProxyRequest.Options.Set(TunnelForwarderHttpClientFactory.DownstreamKey, new IPEndPoint(ip, connection.RemotePort));
            return ValueTask.CompletedTask;
        });
    }
}
