using Gateway.Actors.Routes;
using Gateway.Config;
using Gateway.Node.Cluster;
using Gateway.Node.Drain;
using Gateway.Node.Hosting;
using Gateway.Node.Http;
using Gateway.Node.Relay;
using Gateway.Node.Routing;
using Gateway.Node.Status;
using Gateway.Node.Tunnels;

GatewayConfig config;
try
{
    config = GatewayConfigLoader.Load(null, GatewayConfigLoader.ProcessEnvironment(), args);
}
catch (ConfigException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "HH:mm:ss.fff ";
});
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.Logging.AddFilter("Yarp", LogLevel.Warning);

var drainTimeout = NodeDrain.DefaultTimeout;
if (Environment.GetEnvironmentVariable("GATEWAY_DRAIN_TIMEOUT") is { Length: > 0 } drainSetting)
{
    if (!double.TryParse(drainSetting, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) || seconds < 0 || seconds > 3600)
    {
        Console.Error.WriteLine($"GATEWAY_DRAIN_TIMEOUT: expected seconds (0-3600), got '{drainSetting}'");
        return 2;
    }
    drainTimeout = TimeSpan.FromSeconds(seconds);
}
var drain = new NodeDrain(drainTimeout);
builder.Services.AddSingleton(drain);
builder.Services.AddHostedService<DrainOnStop>();
// The drain, then Kestrel's graceful stop, then leaving the cluster must all fit.
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = drainTimeout + TimeSpan.FromSeconds(30));

using var startupLogs = LoggerFactory.Create(l => l.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; }));
var startupLogger = startupLogs.CreateLogger("Gateway.Node");
var routeSettings = RouteActorSettings.Default;
var endpointTable = new EndpointTable();
var destinations = new TunnelDestinationTable();
// Compiled once; the proxy, the tunnel catalog and status are projections of it.
var routes = RouteTable.Compile(config, startupLogger);
var proxyConfig = new ProxyConfigBuilder(routes, destinations);

builder.Services.AddGatewayHttp(GatewayHttpOptions.FromConfig(config));
builder.Services.AddSingleton(destinations);
builder.Services.AddSingleton(proxyConfig);
builder.Services.AddSingleton(endpointTable);
builder.Services.AddSingleton(routes);
builder.Services.AddSingleton<TunnelRouteCatalog>();
builder.Services.AddSingleton<LocalTunnelRegistry>();
builder.Services.AddSingleton<TunnelDialer>();
builder.Services.AddSingleton<ITunnelDialer>(sp => sp.GetRequiredService<TunnelDialer>());

var cluster = config.Cluster ?? new ClusterConfig();
RelayServer relay;
try
{
    relay = RelayServer.Bind(cluster.RelayAddress, cluster.Hostname);
}
catch (IOException ex)
{
    Console.Error.WriteLine($"cannot start: {ex.Message}");
    return 1;
}
await using var relayServer = relay;
var suspects = new RelaySuspects();
builder.Services.AddSingleton(suspects);
builder.Services.AddSingleton<RelayTicketStore>();
builder.Services.AddSingleton<RelayClient>();
// Akka's own SIGTERM hook would leave the cluster while the drain still runs; the host's stop
// (after the drain and Kestrel) runs coordinated shutdown instead. An operator's akka { } wins.
var drainOrder = Akka.Configuration.ConfigurationFactory.ParseString("akka.coordinated-shutdown.run-by-clr-shutdown-hook = off");
var akkaOverrides = AkkaOverrideConfig.Reroot(config.AkkaOverrides) is { } operatorAkka ? operatorAkka.WithFallback(drainOrder) : drainOrder;
builder.Services.AddGatewayCluster(new ClusterNodeSettings(cluster.Hostname, cluster.Port, cluster.SeedNodes,
    [RelayRole.Format(relay.Advertised)], akkaOverrides), endpointTable, routeSettings);

ICertificateSelector certificates = config.Certificates.Count > 0
    ? ConfiguredCertificateSelector.FromPemFiles(config.Certificates.Select(c => (c.Cert, c.Key)))
    : new LocalCertificateAuthority(config.DataDir, startupLogger, routes.IsRouteHost);
var httpAddress = ListenAddress.Resolve(config.Address);
GatewayHttpListener.Configure(builder, httpAddress, config.InsecureServer, certificates);

var app = builder.Build();
// Counts downstream requests, so a drain knows when this node's in-flight ones are done.
app.Use(async (context, next) =>
{
    drain.RequestStarted();
    try
    {
        await next(context);
    }
    finally
    {
        drain.RequestEnded();
    }
});
app.UseGatewayHttp();
endpointTable.Changed += (routeId, endpoints) => proxyConfig.UpdateEndpoints(routeId, suspects.Filter(endpoints).Select(e => e.EndpointId).ToList());
suspects.Changed += () =>
{
    foreach (var (routeId, endpoints) in endpointTable.Snapshot())
        proxyConfig.UpdateEndpoints(routeId, suspects.Filter(endpoints).Select(e => e.EndpointId).ToList());
};

var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway.Node");
Gateway.Ssh.Server.SshServer? ssh;
WebApplication? statusApp;
try
{
    await app.StartAsync();
    ssh = await SshListener.StartAsync(app, config, routeSettings);
    relay.Start(app.Services.GetRequiredService<RelayTicketStore>(), app.Services.GetRequiredService<LocalTunnelRegistry>(),
        app.Services.GetRequiredService<TunnelDialer>(), app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway.Relay"));
    var routeRegion = app.Services.GetRequiredService<Akka.Hosting.ActorRegistry>().Get<RouteRegionKey>();
    Akka.Cluster.Cluster.Get(app.Services.GetRequiredService<Akka.Actor.ActorSystem>()).RegisterOnMemberUp(
        () => _ = EndpointWarmUp.FetchAsync(routeRegion, endpointTable, routes.Tunnel.Select(r => r.Id), logger));
    drain.Attach(ssh, app.Services.GetRequiredService<RelayTicketStore>(), app.Services.GetRequiredService<LocalTunnelRegistry>(), endpointTable,
        app.Services.GetRequiredService<Akka.Actor.ActorSystem>(), logger);
    statusApp = await StatusListener.StartAsync(cluster.StatusAddress, new NodeStatus(app.Services.GetRequiredService<Akka.Actor.ActorSystem>(),
        app.Services.GetRequiredService<Akka.Hosting.ActorRegistry>().Get<RouteRegionKey>(), endpointTable,
        app.Services.GetRequiredService<LocalTunnelRegistry>(), routes, suspects, relay, app.Services.GetRequiredService<RelayTicketStore>(), drain),
        () =>
        {
            // Readiness turns off before the answer; the host's stop then joins the same drain.
            _ = drain.DrainAsync(CancellationToken.None);
            app.Lifetime.StopApplication();
        });
}
catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
{
    // Port in use, unreadable key file...: one clear line, not a stack trace.
    logger.LogCritical("cannot start: {Error}", ex.InnerException?.Message is { } inner ? $"{ex.Message} ({inner})" : ex.Message);
    await app.StopAsync();
    return 1;
}
await using var sshServer = ssh;
await using var statusListener = statusApp;
if (statusApp is not null) logger.LogInformation("status listening on {Address}", StatusListener.BoundAddress(statusApp));
logger.LogInformation("{Scheme} listening on {Address}", config.InsecureServer ? "http" : "https", httpAddress);
if (ssh is not null) logger.LogInformation("ssh listening on {Address}", ssh.LocalEndPoint);
logger.LogInformation("data directory {DataDir}", config.DataDir);
logger.LogInformation("gateway ready");

await app.WaitForShutdownAsync();
return 0;
