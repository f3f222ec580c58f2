using Gateway.Testing;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Gateway.Node.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Node.Tests.Http.Support;

/// <summary>The gateway's HTTP side on 127.0.0.1:0 with a generated CA in a temporary data_dir.</summary>
public sealed class GatewayTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GatewayTestHost(WebApplication app, TempDirectory dataDir, LocalCertificateAuthority ca, bool insecure)
    {
        _app = app;
        _dataDir = dataDir;
        Ca = ca;
        Insecure = insecure;
        Config = app.Services.GetRequiredService<ProxyConfigBuilder>();
    }

    private readonly TempDirectory _dataDir;

    public string DataDir => _dataDir.Path;

    public LocalCertificateAuthority Ca { get; }

    public bool Insecure { get; }

    public string CaPath => Ca.CaCertificatePath;

    public ProxyConfigBuilder Config { get; }

    public IServiceProvider Services => _app.Services;

    public int Port { get; private set; }

    public static async Task<GatewayTestHost> StartAsync(
        ITunnelDialer dialer,
        IEnumerable<Gateway.Config.RouteConfig> routes,
        GatewayHttpOptions? options = null,
        bool insecure = false,
        Gateway.Actors.Endpoints.EndpointTable? endpoints = null)
    {
        var dataDir = new TempDirectory();
        var ca = new LocalCertificateAuthority(dataDir.Path);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(Routes.Table(routes));
        builder.Services.AddSingleton(dialer);
        // Health-aware load balancing reads the endpoint table and the suspects (both empty unless a test fills them).
        builder.Services.AddSingleton(endpoints ?? new Gateway.Actors.Endpoints.EndpointTable());
        builder.Services.AddSingleton<Gateway.Node.Tunnels.EndpointSuspects>();
        builder.Services.AddSingleton<ICertificateSelector>(ca);
        builder.Services.AddGatewayHttp(options ?? GatewayHttpOptions.FromConfig(new Gateway.Config.GatewayConfig()));
        GatewayHttpListener.Configure(builder, new IPEndPoint(IPAddress.Loopback, 0), insecure, ca);
        var app = builder.Build();
        app.UseGatewayHttp();
        var host = new GatewayTestHost(app, dataDir, ca, insecure);
        // As the real dialer reads the endpoint table, the stand-in reads the proxy's endpoint lists.
        if (dialer is TestTunnelDialer test) test.LiveEndpoints ??= host.Config.GetEndpoints;
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        host.Port = new Uri(address).Port;
        return host;
    }

    public Uri Url(string host, string path = "/") => new($"{(Insecure ? "http" : "https")}://{host}:{Port}{path}");

    /// <summary>A handler that reaches the gateway for any host name and trusts only the generated CA.</summary>
    public SocketsHttpHandler CreateHandler()
    {
        var caCert = Ca.CaCertificate;
        var port = Port;
        return new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    if (certificate is null)
                        return false;
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(caCert);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
                },
            },
            AllowAutoRedirect = false,
            UseCookies = false,
        };
    }

    public HttpClient CreateClient(Version? version = null)
    {
        var client = new HttpClient(CreateHandler()) { Timeout = TimeSpan.FromSeconds(60) };
        if (version is not null)
        {
            client.DefaultRequestVersion = version;
            client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token);
        await _app.DisposeAsync();
        Ca.Dispose();
        _dataDir.Dispose();
    }
}
