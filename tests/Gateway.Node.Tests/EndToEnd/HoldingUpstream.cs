using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// A real HTTP server (Kestrel, loopback) that holds requests in flight on demand: a request to
/// <c>/hold/{id}</c> (any method) is counted when its body has arrived and answered only after
/// <see cref="Release"/> (or 60 s); any other path is answered at once. Every request is counted by
/// its path, so a test sees whether the gateway sent one twice.
/// </summary>
public sealed class HoldingUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, int> _seen = new(StringComparer.Ordinal);
    private int _held;

    private HoldingUpstream(WebApplication app, string name, int port)
    {
        _app = app;
        Name = name;
        Port = port;
    }

    public string Name { get; }
    public int Port { get; }

    /// <summary>Requests to <c>/hold/...</c> that arrived (with their whole body) and wait for <see cref="Release"/>.</summary>
    public int Held => Volatile.Read(ref _held);

    /// <summary>How many times each path arrived here.</summary>
    public IReadOnlyDictionary<string, int> Seen => _seen;

    public void Release() => _release.TrySetResult();

    public static async Task<HoldingUpstream> StartAsync(string name)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        HoldingUpstream? self = null;
        app.Run(async context =>
        {
            var path = context.Request.Path.Value ?? "/";
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            self!._seen.AddOrUpdate(path, 1, (_, n) => n + 1);
            if (path.StartsWith("/hold/", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref self._held);
                await self._release.Task.WaitAsync(TimeSpan.FromSeconds(60));
            }
            await context.Response.WriteAsync($"{name} {context.Request.Method} {path} body={body.Length}");
        });
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;
        self = new HoldingUpstream(app, name, port);
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
