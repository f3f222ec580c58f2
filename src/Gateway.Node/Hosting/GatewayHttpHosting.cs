using Gateway.Config;
using Gateway.Node.Drain;
using Gateway.Node.Http;
using Gateway.Node.Relay;
using Gateway.Node.Routing;
using Gateway.Node.SignIn;
using Gateway.Node.Tunnels;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Gateway.Node.Hosting;

/// <summary>The route listener (<c>address</c>): Kestrel, YARP, certificates and the tunnel dialer behind them.</summary>
public static class GatewayHttpHosting
{
    public static IServiceCollection AddGatewayHttp(this IServiceCollection services, GatewayConfig config)
    {
        // Compiled once; the proxy, the tunnel catalog and status are projections of it.
        services.AddSingleton(sp => RouteTable.Compile(config, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway.Node.Routing")));
        services.AddGatewayHttp(GatewayHttpOptions.FromConfig(config));
        services.AddSingleton<TunnelRouteCatalog>();
        services.AddSingleton<LocalTunnelRegistry>();
        services.AddSingleton<Gateway.Actors.Health.RouteTraffic>();
        services.AddSingleton<TunnelDialer>(sp => ActivatorUtilities.CreateInstance<TunnelDialer>(sp, sp.GetRequiredService<Gateway.Actors.Health.RouteTraffic>()));
        services.AddSingleton<Gateway.Actors.Health.IHealthProbeOpener, Health.TunnelHealthProbeOpener>();
        services.AddSingleton(sp => new Gateway.Actors.Health.SessionHealth(
            sp.GetRequiredService<Gateway.Actors.Health.IHealthProbeOpener>(), sp.GetRequiredService<Gateway.Actors.Health.RouteTraffic>()));
        services.AddSingleton<ITunnelDialer>(sp => sp.GetRequiredService<TunnelDialer>());
        services.AddHostedService<ProxyDestinationFeed>();

        services.AddSingleton<ICertificateSelector>(sp => config.Certificates.Count > 0
            ? ConfiguredCertificateSelector.FromPemFiles(config.Certificates.Select(c => (c.Cert, c.Key)))
            : new LocalCertificateAuthority(config.DataDir, sp.GetRequiredService<ILogger<LocalCertificateAuthority>>(),
                host => sp.GetRequiredService<RouteTable>().IsRouteHost(host) || IsAuthenticateHost(config, host),
                nameScope: sp.GetRequiredService<RouteTable>().Http.Select(route => route.Host)
                    .Concat(config.SignIn is { } signIn ? [signIn.AuthenticateServiceUrl.Host] : [])));
        var address = ListenAddress.Resolve(config.Address);
        services.AddOptions<KestrelServerOptions>().Configure<ICertificateSelector>((kestrel, certificates)
            => GatewayHttpListener.Apply(kestrel, address, config.InsecureServer, config.InsecureServer ? null : certificates));

        // YARP registers Data Protection for session-affinity cookies, which no route configures.
        // Its start-up service would create a key at every start (unencrypted, with a warning);
        // without it a key is only made if something protects data, and then under data_dir.
        services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(config.DataDir, "data-protection-keys")));
        return services;
    }

    private static bool IsAuthenticateHost(GatewayConfig config, string host)
        => config.SignIn is { } signIn && signIn.AuthenticateServiceUrl.Host.Equals(host, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Removes Data Protection's key-ring warm-up (call after every registration: whoever adds Data
    /// Protection adds it). Matched by name: the type is internal to ASP.NET Core.
    /// </summary>
    internal static void RemoveDataProtectionWarmUp(IServiceCollection services)
    {
        var warmUps = services.Where(d => d.ServiceType == typeof(IHostedService)
            && d.ImplementationType?.FullName == "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService").ToList();
        foreach (var warmUp in warmUps)
            services.Remove(warmUp);
    }

    /// <summary>The HTTPS pipeline: in-flight counting for the drain, then the proxy.</summary>
    public static WebApplication UseGatewayNode(this WebApplication app)
    {
        app.UseMiddleware<InFlightRequestCounter>();
        app.UseGatewaySignIn(app.Services.GetRequiredService<GatewayConfig>());
        app.UseGatewayHttp();
        return app;
    }
}
