using Gateway.Node.Tests.Http.Grpc;
using Grpc.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Gateway.Bench;

/// <summary>The gRPC upstream: Echo.Say over cleartext HTTP/2 (h2c) on 127.0.0.1.</summary>
public static class GrpcEchoServer
{
    public static async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        var port = args.GetInt("port");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.MapGrpcService<EchoService>();
        await app.StartAsync(cancellationToken);
        Console.WriteLine($"grpc-server ready port={port}");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
        await app.StopAsync(CancellationToken.None);
        return 0;
    }

    private sealed class EchoService : Echo.EchoBase
    {
        public override Task<EchoReply> Say(EchoRequest request, ServerCallContext context)
            => Task.FromResult(new EchoReply { Text = request.Text, Authority = context.Host, Protocol = "h2" });
    }
}
