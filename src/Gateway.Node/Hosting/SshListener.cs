using Akka.Actor;
using Akka.Hosting;
using Gateway.Actors.Routes;
using Gateway.Config;
using Gateway.Node.Cluster;
using Gateway.Node.SshSessions;
using Gateway.Node.Tunnels;
using Gateway.Ssh.Auth;
using Gateway.Ssh.Connection;
using Gateway.Ssh.Server;
using Gateway.Ssh.Transport;

namespace Gateway.Node.Hosting;

/// <summary>Builds and starts the node's SSH server (<c>ssh_address</c>) once the actor system is up.</summary>
public static class SshListener
{
    public static async Task<SshServer?> StartAsync(WebApplication app, GatewayConfig config, RouteActorSettings routeSettings)
    {
        if (config.SshAddress is null) return null;
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        var logger = loggers.CreateLogger("Gateway.Ssh");
        var system = app.Services.GetRequiredService<ActorSystem>();
        var region = await app.Services.GetRequiredService<ActorRegistry>().GetAsync<RouteRegionKey>().ConfigureAwait(false);
        var nodeAddress = Akka.Cluster.Cluster.Get(system).SelfAddress.ToString();

        var hostKeys = HostKeyStore.Load(config, logger);
        var authenticator = new GatewayAuthenticator(config, logger);
        var algorithms = new SshAlgorithmPreferences
        {
            KeyExchange = [.. config.SshKexAlgorithms],
            Ciphers = [.. config.SshCiphers],
            Macs = [.. config.SshMacs],
            HostKey = [.. config.SshHostKeyAlgorithms],
        };
        algorithms.Validate();
        var options = new SshServerOptions
        {
            Transport = new SshTransportOptions { HostKeys = hostKeys, Algorithms = algorithms },
            Authentication = new SshServerAuthOptions
            {
                Authenticator = authenticator,
                TrustedUserCaKeys = authenticator.TrustedCaKeys,
                LoginGraceTime = config.SshLoginGraceTime,
                Log = message => logger.LogInformation("ssh auth: {Message}", message),
            },
            Connection = new SshConnectionOptions { AllowDirectTcpIp = false },
            MaxStartups = new MaxStartups(config.SshMaxStartups.Start, config.SshMaxStartups.Rate, config.SshMaxStartups.Full),
            PerSourceMaxStartups = config.SshPerSourceMaxStartups,
        };
        var handler = new GatewaySessionHandler(system, region, nodeAddress,
            app.Services.GetRequiredService<TunnelRouteCatalog>(), app.Services.GetRequiredService<LocalTunnelRegistry>(), routeSettings, loggers);
        var server = new SshServer(options, handler, logger);
        server.Start(ListenAddress.Resolve(config.SshAddress));
        foreach (var key in hostKeys)
            logger.LogInformation("ssh host key {Type} {Fingerprint}", key.PublicKey.KeyType, Gateway.Ssh.Keys.SshKeys.Fingerprint(key.PublicKey));
        return server;
    }
}
