using System.Net;
using Gateway.Config;
using Gateway.Node.Drain;

namespace Gateway.Node.Status;

/// <summary>
/// The optional plain-HTTP status listener (<c>cluster.status_address</c>) for load balancers
/// and orchestrators: <c>/healthz</c> (200 while the process serves) and <c>/readyz</c> (200 only
/// when the node is Up in the cluster and not draining), open to anyone who reaches the port, and
/// the admin paths <c>/status</c> (JSON) and <c>POST /drain</c> (graceful drain, then exit, as on
/// SIGTERM), which need the node's bearer token and one of the listener's host names
/// (<see cref="StatusAccess"/>). A listener of its own, not paths
/// on the HTTPS port: route hosts can use any path, and probes should not need TLS or SNI.
/// It answers from the node's start until the node left the cluster.
/// </summary>
public sealed class StatusListener : IHostedLifecycleService, IAsyncDisposable
{
    private readonly HostPort? _address;
    private readonly NodeStatus _status;
    private readonly NodeDrain _drain;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<StatusListener> _logger;
    private WebApplication? _app;

    private readonly StatusToken _token;
    private readonly IReadOnlyList<string> _allowedHosts;

    public StatusListener(GatewayConfig config, StatusToken token, NodeStatus status, NodeDrain drain, IHostApplicationLifetime lifetime, ILogger<StatusListener> logger)
    {
        _address = config.Cluster?.StatusAddress;
        _allowedHosts = config.Cluster?.StatusAllowedHosts ?? [];
        _token = token;
        _status = status;
        _drain = drain;
        _lifetime = lifetime;
        _logger = logger;
    }

    /// <summary>The bound address (after port 0 was asked for); null before start or when there is no status listener.</summary>
    public IPEndPoint? BoundAddress
        => _app?.Urls.Select(u => new Uri(u)).Select(u => new IPEndPoint(IPAddress.Parse(u.Host.Trim('[', ']')), u.Port)).FirstOrDefault();

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        if (_address is null) return;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        var endpoint = Hosting.ListenAddress.Resolve(_address);
        builder.WebHost.ConfigureKestrel(k => k.Listen(endpoint));
        var app = builder.Build();
        var access = new StatusAccess(_token, endpoint, _allowedHosts, _logger);
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", () =>
        {
            var (ready, reason) = _status.Readiness();
            return Results.Text(reason + "\n", statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        // The admin command: the same graceful drain and exit as SIGTERM. Answers at once; readiness
        // turns off before the answer, and the host's stop then joins the same drain. POST only, so
        // that no link or image can trigger it; the token keeps cross-site forms out.
        app.Map("/drain", (HttpContext context) =>
        {
            if (access.Check(context) is { } refused) return refused;
            if (!HttpMethods.IsPost(context.Request.Method))
            {
                context.Response.Headers.Allow = "POST";
                return Results.Text("405 method not allowed: POST /drain\n", statusCode: StatusCodes.Status405MethodNotAllowed);
            }
            _logger.LogWarning("status listener: drain requested by {Peer}", context.Connection.RemoteIpAddress);
            _ = _drain.DrainAsync(CancellationToken.None);
            _lifetime.StopApplication();
            return Results.Text("draining\n", statusCode: StatusCodes.Status202Accepted);
        });
        app.MapGet("/status", (HttpContext context) => access.Check(context) ?? Results.Json(_status.Snapshot()));
        app.MapGet("/status/endpoint-directory", (HttpContext context) => access.Check(context) ?? Results.Json(_status.EndpointDirectory()));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        var bound = BoundAddress;
        if (_token.IsConfigured)
            _logger.LogInformation("status listening on {Address}; /status and /drain need the bearer token from {Source}", bound, _token.Source);
        else
            _logger.LogWarning("status listening on {Address}; /status and /drain answer 403 until a token is configured ({Variable} or cluster.status_token_file)",
                bound, StatusToken.EnvironmentVariable);
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _app, null) is { } app)
            await app.DisposeAsync().ConfigureAwait(false);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
