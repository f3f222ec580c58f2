using Akka.Actor;
using Akka.Hosting;
using Gateway.Actors.Endpoints;
using Gateway.Config;
using Gateway.Node.SshSessions;
using Gateway.Node.SshSessions.Cli;
using Gateway.Node.Tunnels;
using Gateway.Ssh.Auth;
using Gateway.Ssh.Connection;
using Gateway.Ssh.Server;
using Gateway.Ssh.Transport;

namespace Gateway.Node.Hosting;

/// <summary>
/// The node's SSH server (<c>ssh_address</c>; none when it is ""). It listens once the node has
/// started (the actor system is up, so sessions can publish their endpoints), stops accepting when the drain begins
/// (<see cref="StopAccepting"/>), and closes the open connections only after the node left the
/// cluster, so clients reconnect to a node that is still a member.
/// </summary>
public sealed class SshListener : IHostedLifecycleService, IAsyncDisposable
{
    private readonly GatewayConfig _config;
    private readonly ActorSystem _system;
    private readonly LocalEndpoints _endpoints;
    private readonly TunnelRouteCatalog _catalog;
    private readonly LocalTunnelRegistry _tunnels;
    private readonly ILoggerFactory _loggers;
    private readonly Gateway.Actors.Sessions.DataPathCounters _counters;
    private readonly Gateway.Actors.Health.SessionHealth? _health;
    private readonly ILogger _logger;
    private readonly ClusterRouteView _routeView;
    private readonly Gateway.Actors.SignIn.ISignInStore? _signIn;
    private SshServer? _server;

    public SshListener(GatewayConfig config, ActorSystem system, LocalEndpoints endpoints, TunnelRouteCatalog catalog,
        LocalTunnelRegistry tunnels, Gateway.Actors.Sessions.DataPathCounters counters, ILoggerFactory loggers, EndpointTable endpointTable,
        Gateway.Actors.Health.SessionHealth? health = null, Gateway.Actors.SignIn.ISignInStore? signIn = null)
    {
        _signIn = signIn;
        _routeView = new ClusterRouteView(endpointTable);
        _counters = counters;
        _health = health;
        _config = config;
        _system = system;
        _endpoints = endpoints;
        _catalog = catalog;
        _tunnels = tunnels;
        _loggers = loggers;
        _logger = loggers.CreateLogger("Gateway.Ssh");
    }

    /// <summary>The bound address; null before start or when SSH is disabled.</summary>
    public System.Net.EndPoint? LocalEndPoint => _server?.LocalEndPoint;

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        if (_config.SshAddress is null) return;
        var nodeAddress = Akka.Cluster.Cluster.Get(_system).SelfAddress.ToString();

        var hostKeys = HostKeyStore.Load(_config, _logger);
        var authenticator = new GatewayAuthenticator(_config, _logger, _signIn);
        var algorithms = new SshAlgorithmPreferences
        {
            KeyExchange = [.. _config.SshKexAlgorithms],
            Ciphers = [.. _config.SshCiphers],
            Macs = [.. _config.SshMacs],
            HostKey = [.. _config.SshHostKeyAlgorithms],
        };
        algorithms.Validate();
        var options = new SshServerOptions
        {
            Transport = new SshTransportOptions { HostKeys = hostKeys, Algorithms = algorithms },
            Authentication = new SshServerAuthOptions
            {
                Authenticator = authenticator,
                TrustedUserCaKeys = authenticator.TrustedCaKeys,
                LoginGraceTime = _config.SshLoginGraceTime,
                Log = message => _logger.LogInformation("ssh auth: {Message}", message),
            },
            Connection = new SshConnectionOptions { AllowDirectTcpIp = false },
            MaxStartups = new MaxStartups(_config.SshMaxStartups.Start, _config.SshMaxStartups.Rate, _config.SshMaxStartups.Full),
            PerSourceMaxStartups = _config.SshPerSourceMaxStartups,
            MaxConnections = _config.SshMaxConnections,
        };
        var handler = new GatewaySessionHandler(_system, _endpoints, nodeAddress, _catalog, _tunnels, _loggers, _routeView, _counters, _health, _signIn);
        var server = new SshServer(options, handler, _logger);
        server.Start(ListenAddress.Resolve(_config.SshAddress));
        _server = server;
        foreach (var key in hostKeys)
            _logger.LogInformation("ssh host key {Type} {Fingerprint}", key.PublicKey.KeyType, Gateway.Ssh.Keys.SshKeys.Fingerprint(key.PublicKey));
        _logger.LogInformation("ssh listening on {Address}", server.LocalEndPoint);
    }

    /// <summary>The drain's first step: new clients are refused (and try another node); open connections stay.</summary>
    public void StopAccepting() => _server?.StopAccepting();

    /// <summary>After the node left the cluster: DISCONNECT "server shutting down" to every client.</summary>
    public Task StoppedAsync(CancellationToken cancellationToken) => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _server, null) is { } server)
            await server.DisposeAsync().ConfigureAwait(false);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
