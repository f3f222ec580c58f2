using System.Net;
using Akka.Actor;
using Gateway.Actors.Endpoints;
using Gateway.Config;
using Gateway.Contracts.SignIn;
using Gateway.Node.Routing;
using Gateway.Node.SshSessions;
using Gateway.Node.SshSessions.Cli;
using Gateway.Node.SshSessions.SignIn;
using Gateway.Node.Tunnels;
using Gateway.Ssh.Auth;
using Gateway.Ssh.Client;
using Gateway.Ssh.Connection;
using Gateway.Ssh.Keys;
using Gateway.Ssh.Server;
using Gateway.Ssh.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Node.Tests.SignIn;

/// <summary>
/// The gateway's SSH side in this process, as a node composes it (<see cref="GatewayAuthenticator"/>,
/// <see cref="GatewaySessionHandler"/> with its session actors, the tunnel registry, the sign-in
/// watcher) on a real loopback listener, over the in-memory sign-in store. Clients are real: the SSH
/// library's client, or OpenSSH's <c>ssh</c>.
/// </summary>
internal sealed class SignInSshServer : IAsyncDisposable
{
    public const string AuthenticateUrl = "https://authenticate.example.com/";

    // Before the config text that names it (static fields start in order).
    public static readonly SshPrivateKey BobKey = SshKeys.Generate(SshKeyKind.Ed25519);
    private static readonly SshPrivateKey HostKey = SshKeys.Generate(SshKeyKind.Ed25519);

    /// <summary>bob is a configured user; app admits the engineering department (a claim) or bob.</summary>
    private static readonly string Hocon = $$"""
        idp_provider = "oidc"
        idp_provider_url = "http://127.0.0.1:9"
        idp_client_id = "gateway"
        idp_client_secret = "s3cret"
        authenticate_service_url = "{{AuthenticateUrl}}"
        cookie_secret = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
        users = [{ email = "bob@example.com", ssh_keys = ["{{SshKeys.FormatAuthorizedKey(BobKey.PublicKey)}}"] }]
        routes = [
          {
            from = "https://app.example.com"
            to = "http://127.0.0.1:8080"
            upstream_tunnel { ssh_policy { allow { or = [{ "claim/department" = "engineering" }, { email = { is = "bob@example.com" } }] } } }
          }
        ]
        """;

    private readonly ActorSystem _system = ActorSystem.Create("signin-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly SshServer _server;

    public SignInSshServer()
    {
        var config = GatewayConfigLoader.Parse(Hocon, "/base");
        var table = new EndpointTable();
        Catalog = new TunnelRouteCatalog(RouteTable.Compile(config, NullLogger.Instance));
        var authenticator = new GatewayAuthenticator(config, Log, Store);
        var handler = new GatewaySessionHandler(_system, new LocalEndpoints(table), "akka://test", Catalog, Tunnels, NullLoggerFactory.Instance,
            new ClusterRouteView(table), signIn: Store);
        _server = new SshServer(new SshServerOptions
        {
            Transport = new SshTransportOptions { HostKeys = [HostKey] },
            Authentication = new SshServerAuthOptions { Authenticator = authenticator, TrustedUserCaKeys = authenticator.TrustedCaKeys },
            Connection = new SshConnectionOptions { AllowDirectTcpIp = false },
        }, handler, NullLogger.Instance);
        _server.Start(new IPEndPoint(IPAddress.Loopback, 0));
        Watcher = new SignInConnectionWatcher(Tunnels, NullLogger<SignInConnectionWatcher>.Instance, Store);
    }

    public InMemorySignInStore Store { get; } = new();
    public LocalTunnelRegistry Tunnels { get; } = new();
    public TunnelRouteCatalog Catalog { get; }
    public SignInConnectionWatcher Watcher { get; }
    public ListLogger Log { get; } = new();
    public int Port => _server.LocalEndPoint.Port;
    public string HostKeyLine => SshKeys.FormatAuthorizedKey(HostKey.PublicKey);

    /// <summary>Connects with one key; <paramref name="onPrompt"/> sees each keyboard-interactive request (the client answers it with nothing).</summary>
    public Task<SshClient> ConnectAsync(SshPrivateKey key, Action<KeyboardInteractivePrompt>? onPrompt = null, CancellationToken cancellationToken = default)
        => SshClient.ConnectAsync("127.0.0.1", Port, new SshClientOptions
        {
            Username = "tunnel",
            Keys = [key],
            KeyboardInteractive = prompt =>
            {
                onPrompt?.Invoke(prompt);
                return ValueTask.FromResult(Array.Empty<string>());
            },
            HostKeyVerifier = k => k.Equals(HostKey.PublicKey),
            ConnectTimeout = TimeSpan.FromSeconds(20),
        }, cancellationToken);

    public static SignInSession Session(string id = "sess-1", TimeSpan? lifetime = null, string email = "alice@example.com") => new(
        id, "00u-alice", email, "Alice Example", ["eng", "ops"],
        new Dictionary<string, IReadOnlyList<string>> { ["sub"] = ["00u-alice"], ["department"] = ["engineering"], ["email"] = [email] },
        DateTimeOffset.UtcNow, DateTimeOffset.UtcNow + (lifetime ?? TimeSpan.FromHours(1)));

    /// <summary>What a browser's sign-in leaves behind: the session and the key bound to it.</summary>
    public async Task<SignInSession> SignInAsync(SshPublicKey key, SignInSession? session = null)
    {
        session ??= Session();
        await Store.SaveSessionAsync(session, CancellationToken.None);
        await Store.SaveBindingAsync(new SessionBinding(SshKeys.Fingerprint(key), session.Id, "127.0.0.1", DateTimeOffset.UtcNow, session.ExpiresAt), CancellationToken.None);
        return session;
    }

    /// <summary>What confirming a code in the browser does: the code accepted, the session saved, the code's key bound to it.</summary>
    public async Task ConfirmAsync(string code, SignInSession? session = null)
    {
        session ??= Session();
        await Store.SaveSessionAsync(session, CancellationToken.None);
        Assert.Equal(Gateway.Actors.SignIn.CodeDecisionResult.Decided, await Store.DecideCodeAsync(code, true, session.Id, DateTimeOffset.UtcNow, CancellationToken.None));
        var issued = Store.FindCode(code)!;
        await Store.SaveBindingAsync(new SessionBinding(issued.KeyFingerprint, session.Id, issued.Source, DateTimeOffset.UtcNow, session.ExpiresAt), CancellationToken.None);
    }

    /// <summary>The registry once it lists <paramref name="count"/> connections (a session actor lists its connection just after authentication), bounded.</summary>
    public async Task<IReadOnlyCollection<LocalTunnel>> TunnelsAsync(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Tunnels.Count < count && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(count, Tunnels.Count);
        return Tunnels.All;
    }

    /// <summary>The code in a sign-in URL.</summary>
    public static string CodeOf(string url) => url[(url.IndexOf("user_code=", StringComparison.Ordinal) + "user_code=".Length)..];

    public async ValueTask DisposeAsync()
    {
        await Watcher.StopAsync(CancellationToken.None);
        Watcher.Dispose();
        await _server.DisposeAsync();
        await _system.Terminate();
    }
}

/// <summary>The log lines written, formatted, for assertions.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly List<string> _lines = [];
    public IReadOnlyList<string> Lines { get { lock (_lines) return [.. _lines]; } }
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lines) _lines.Add(formatter(state, exception));
    }
}
