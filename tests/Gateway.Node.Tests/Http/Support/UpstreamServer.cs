using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using Gateway.Node.Tests.Http.Grpc;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Node.Tests.Http.Support;

public enum UpstreamMode
{
    Http1,
    H2c,
    Https,
}

/// <summary>
/// A real Kestrel upstream on 127.0.0.1. Any path answers a one-line description of what it saw
/// (name, Host, X-Forwarded-Host, protocol, scheme, path); /slow?ms=N waits first; /ws echoes
/// WebSocket messages; in h2c mode it also serves the gRPC Echo service.
/// </summary>
public sealed class UpstreamServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _connections;
    private string? _lastSni;

    private UpstreamServer(WebApplication app, string name)
    {
        _app = app;
        Name = name;
    }

    public string Name { get; }

    public IPEndPoint EndPoint { get; private set; } = null!;

    /// <summary>TCP connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>SNI name of the last TLS handshake (https mode).</summary>
    public string? LastSni => Volatile.Read(ref _lastSni);

    public int RequestCount;

    public static async Task<UpstreamServer> StartAsync(string name, UpstreamMode mode = UpstreamMode.Http1, X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (mode == UpstreamMode.H2c)
            builder.Services.AddGrpc();
        UpstreamServer? self = null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Use(next => async connection =>
                {
                    Interlocked.Increment(ref self!._connections);
                    await next(connection);
                });
                listen.Protocols = mode switch
                {
                    UpstreamMode.H2c => HttpProtocols.Http2,
                    UpstreamMode.Https => HttpProtocols.Http1AndHttp2,
                    _ => HttpProtocols.Http1,
                };
                if (mode == UpstreamMode.Https)
                {
                    listen.UseHttps(new HttpsConnectionAdapterOptions
                    {
                        ServerCertificateSelector = (_, sni) =>
                        {
                            Volatile.Write(ref self!._lastSni, sni);
                            return certificate;
                        },
                    });
                }
            });
        });
        var app = builder.Build();
        self = new UpstreamServer(app, name);
        app.UseWebSockets();
        if (mode == UpstreamMode.H2c)
            app.MapGrpcService<EchoService>();
        app.Map("/ws", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = 400;
                return;
            }
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[64 * 1024];
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", context.RequestAborted);
                    return;
                }
                await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, context.RequestAborted);
            }
        });
        app.Map("/slow", async context =>
        {
            var ms = int.Parse(context.Request.Query["ms"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
            await Task.Delay(ms, context.RequestAborted);
            await context.Response.WriteAsync("slow done");
        });
        app.Map("/abort", async context =>
        {
            // Promises 1 MiB, sends 64 KiB, then drops the connection: a tunnel dying mid-response.
            context.Response.ContentLength = 1024 * 1024;
            await context.Response.Body.WriteAsync(new byte[64 * 1024], context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(100, context.RequestAborted);
            context.Abort();
        });
        app.MapFallback(async context =>
        {
            Interlocked.Increment(ref self.RequestCount);
            var request = context.Request;
            context.Response.Headers["X-Upstream"] = name;
            await context.Response.WriteAsync(
                $"name={name};host={request.Host.Value};xfh={request.Headers["X-Forwarded-Host"]};proto={request.Protocol};scheme={request.Scheme};path={request.Path}");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self.EndPoint = new IPEndPoint(IPAddress.Loopback, new Uri(address).Port);
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token);
        await _app.DisposeAsync();
    }

    private sealed class EchoService : Echo.EchoBase
    {
        public override Task<EchoReply> Say(EchoRequest request, ServerCallContext context)
        {
            var http = context.GetHttpContext();
            return Task.FromResult(new EchoReply
            {
                Text = "echo: " + request.Text,
                Authority = http.Request.Host.Value ?? "",
                Protocol = http.Request.Protocol,
            });
        }
    }
}
