using System.Net;
using System.Security.Cryptography.X509Certificates;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Node.Tests.Health.Support;

/// <summary>
/// A real gRPC server on 127.0.0.1 (HTTP/2 only: h2c, or TLS with a certificate) serving
/// grpc.health.v1.Health from Grpc.HealthCheck's <see cref="HealthServiceImpl"/>, whose statuses a
/// test flips. Records the :authority, User-Agent and protocol of the last call and counts the calls.
/// </summary>
public sealed class GrpcHealthUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _calls;

    private GrpcHealthUpstream(WebApplication app, HealthServiceImpl health)
    {
        _app = app;
        Health = health;
    }

    public HealthServiceImpl Health { get; }

    public IPEndPoint EndPoint { get; private set; } = null!;

    public string? LastAuthority { get; private set; }

    public string? LastUserAgent { get; private set; }

    public string? LastProtocol { get; private set; }

    public int Calls => Volatile.Read(ref _calls);

    public static async Task<GrpcHealthUpstream> StartAsync(X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var health = new HealthServiceImpl();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(health);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            if (certificate is not null)
                listen.UseHttps(certificate);
        }));
        var app = builder.Build();
        var self = new GrpcHealthUpstream(app, health);
        app.Use(async (context, next) =>
        {
            self.LastAuthority = context.Request.Host.Value;
            self.LastUserAgent = context.Request.Headers.UserAgent.ToString();
            self.LastProtocol = context.Request.Protocol;
            Interlocked.Increment(ref self._calls);
            await next(context);
        });
        app.MapGrpcService<HealthServiceImpl>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self.EndPoint = new IPEndPoint(IPAddress.Loopback, new Uri(address).Port);
        return self;
    }

    public void Set(string service, HealthCheckResponse.Types.ServingStatus status) => Health.SetStatus(service, status);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token);
        await _app.DisposeAsync();
    }
}
